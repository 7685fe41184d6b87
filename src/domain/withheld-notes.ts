/**
 * Which events carry note text that must not be shown: a note whose Slack
 * message was deleted later, the edits of such a note, and every deletion's
 * copy of the deleted text. A deleted message may have been deleted for a
 * reason (a secret, a wrong name): the log keeps it, what people read does
 * not. `NoteFates` follows the rule over the log in order: the report's
 * timeline applies it to the whole log (`report/facts.ts` keeps each line's
 * fate). `withheldNoteText` serves readers that see a slice of the log (a
 * page of the API, the events a live page has not shown yet) and so also
 * reads the projection's notes, which know every deletion up to when the
 * state was read.
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
 * again after its deletion starts afresh. What the report counts and shows
 * reads the fates after the last event, once every deletion is known.
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
 * `notes`, the incident state's notes. As in the report, an edit or deletion
 * belongs to the latest note of its message before it; when that note is
 * outside the slice, the state's notes decide, and an edit whose note cannot
 * be told apart (a message flagged again after its deletion) is withheld.
 */
export function withheldNoteText(notes: readonly TimelineNote[], events: readonly IncidentEvent[]): WithheldText {
  const deleted = new Set<string>();
  const byTs = new Map<string, TimelineNote[]>();
  for (const note of notes) {
    if (note.deleted) deleted.add(note.eventId);
    if (!note.messageTs) continue;
    const same = byTs.get(note.messageTs);
    if (same) same.push(note);
    else byTs.set(note.messageTs, [note]);
  }
  // A note in the slice, by message: what its later edits and deletion belong to.
  const current = new Map<string, string>();
  const editOf = new Map<string, string>();
  for (const e of events) {
    if (e.type === 'note_added' && e.data.messageTs) current.set(e.data.messageTs, e.id);
    else if (e.type === 'message_edited') {
      const note = current.get(e.data.messageTs);
      if (note) editOf.set(e.id, note);
    } else if (e.type === 'message_deleted') {
      const note = current.get(e.data.messageTs);
      // A deletion the state read before the slice may not know yet.
      if (note) deleted.add(note);
      else for (const n of byTs.get(e.data.messageTs) ?? []) deleted.add(n.eventId);
      current.delete(e.data.messageTs);
    }
  }
  const everDeleted = (ts: string): boolean => (byTs.get(ts) ?? []).some((n) => deleted.has(n.eventId));
  return (e) => {
    switch (e.type) {
      case 'message_deleted':
        return true;
      case 'note_added':
        return deleted.has(e.id);
      case 'message_edited': {
        const note = editOf.get(e.id);
        // Its note is before the slice: withheld when any note of its message was deleted.
        return note !== undefined ? deleted.has(note) : everDeleted(e.data.messageTs);
      }
      default:
        return false;
    }
  };
}
