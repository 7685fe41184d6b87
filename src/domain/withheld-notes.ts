/**
 * Which events carry note text that must not be shown: a note whose Slack
 * message was deleted later, the edits of such a note, and every deletion's
 * copy of the deleted text. A deleted message may have been deleted for a
 * reason (a secret, a wrong name): the log keeps it, what people read does
 * not. This is the one rule, for every surface: `NoteFates` follows it over
 * the log in order, which is how the report's timeline applies it to the
 * whole log (`report/facts.ts` keeps each line's fate); `withheldNoteText`
 * applies the same pass to a slice of the log (a page of the API, the events
 * a live page has not shown yet) and so also reads the projection's notes,
 * which know every deletion up to when the state was read.
 */
import type { IncidentEvent } from './events.ts';
import type { TimelineNote } from './incident.ts';

/** What happened to a flagged message after it was added. */
export interface NoteFate {
  edits: number;
  deleted: boolean;
}

/**
 * The rule, one event at a time in log order. A note taken from a Slack
 * message (it has the message's ts) gets a fate; an edit of the message
 * belongs to the latest note of it still in the timeline (flagged, not
 * deleted since) and shares that note's fate. A deletion of the message
 * deletes every fate of it since the last deletion, so a message flagged
 * again after its deletion starts afresh (Kranz refuses such a flag, which
 * would carry the deleted text: `handlers/timeline.ts`; a log may still hold
 * one). What the report counts and shows reads the fates after the last
 * event, once every deletion is known.
 */
export class NoteFates {
  /** By message ts, since its last deletion: its latest note's fate, and every fate a deletion would reach. */
  readonly #open = new Map<string, { note?: NoteFate; fates: NoteFate[]; notes: number }>();
  #deletedNotes = 0;

  /**
   * `follows`: the messages worth following (every one by default). The report
   * passes those some edit or deletion names, since most notes are never
   * changed; a note of another message gets no fate.
   */
  constructor(private readonly follows: (messageTs: string) => boolean = () => true) {}

  /**
   * The fate the event's line shows: a note's own, an edit's or a deletion's
   * that of the note it changes; undefined for other events and for notes
   * typed as commands (they have no message to delete).
   */
  observe(e: IncidentEvent): NoteFate | undefined {
    switch (e.type) {
      case 'note_added': {
        const ts = e.data.messageTs;
        if (!ts || !this.follows(ts)) return undefined;
        const fate: NoteFate = { edits: 0, deleted: false };
        const open = this.#open.get(ts);
        if (open) {
          open.note = fate;
          open.fates.push(fate);
          open.notes += 1;
        } else this.#open.set(ts, { note: fate, fates: [fate], notes: 1 });
        return fate;
      }
      case 'message_edited': {
        const open = this.#open.get(e.data.messageTs);
        if (open?.note) {
          open.note.edits += 1;
          return open.note;
        }
        // An edit no note in the timeline claims (Kranz records none; a log may hold one): its text is the message's too.
        const fate: NoteFate = { edits: 0, deleted: false };
        if (open) open.fates.push(fate);
        else this.#open.set(e.data.messageTs, { fates: [fate], notes: 0 });
        return fate;
      }
      case 'message_deleted': {
        const open = this.#open.get(e.data.messageTs);
        if (!open) return undefined;
        this.#open.delete(e.data.messageTs);
        for (const fate of open.fates) fate.deleted = true;
        this.#deletedNotes += open.notes;
        return open.note;
      }
      default:
        return undefined;
    }
  }

  /** Notes whose message was deleted so far; their text is withheld. */
  get deletedNotes(): number {
    return this.#deletedNotes;
  }
}

/**
 * True when the event's note text (`text`, `previousText`) must be withheld,
 * given the fate `NoteFates.observe` gave it: always for a deletion, for a
 * note or an edit once its message was deleted.
 */
export function textWithheld(e: IncidentEvent, fate: NoteFate | undefined): boolean {
  if (e.type === 'message_deleted') return true;
  return (e.type === 'note_added' || e.type === 'message_edited') && fate?.deleted === true;
}

/** True when the event's note text (`text`, `previousText`) must be withheld. */
export type WithheldText = (e: IncidentEvent) => boolean;

/**
 * The rule for `events` (a slice of one incident's log, in log order), given
 * `notes`, the incident state's notes: `NoteFates` over the slice, with what
 * the state knows besides. A note in the slice whose message the state says
 * was deleted is withheld (the deletion came after it, maybe after the
 * slice). An edit whose note is before the slice cannot be placed by the
 * slice: it is withheld as the report would (a deletion follows it in the
 * slice), and also when the state says a note of its message before the
 * slice was deleted, since the state does not say whether that was before
 * the edit (so an edit of a message flagged again after its deletion is
 * withheld). Over the whole log the state adds nothing: this is the report's
 * answer.
 */
export function withheldNoteText(notes: readonly TimelineNote[], events: readonly IncidentEvent[]): WithheldText {
  const inSlice = new Set<string>();
  for (const e of events) if (e.type === 'note_added') inSlice.add(e.id);
  const deletedByState = new Set<string>();
  // Messages with a note before the slice that was deleted.
  const deletedBefore = new Set<string>();
  for (const note of notes) {
    if (!note.deleted) continue;
    deletedByState.add(note.eventId);
    if (note.messageTs && !inSlice.has(note.eventId)) deletedBefore.add(note.messageTs);
  }
  const fates = new NoteFates();
  const fateOf = new Map<string, NoteFate>();
  // Messages with a note in the slice so far, and edits whose note is before the slice.
  const flagged = new Set<string>();
  const unplaced = new Set<string>();
  for (const e of events) {
    const fate = fates.observe(e);
    if (fate) fateOf.set(e.id, fate);
    if (e.type === 'note_added' && e.data.messageTs) {
      flagged.add(e.data.messageTs);
      if (fate && deletedByState.has(e.id)) fate.deleted = true;
    } else if (e.type === 'message_edited' && !flagged.has(e.data.messageTs)) unplaced.add(e.id);
  }
  return (e) => textWithheld(e, fateOf.get(e.id))
    || (e.type === 'message_edited' && unplaced.has(e.id) && deletedBefore.has(e.data.messageTs));
}
