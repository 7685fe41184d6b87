/**
 * Which events carry note text that must not be shown: a note whose Slack
 * message was deleted later, the edits of such a note, and every deletion's
 * copy of the deleted text. A deleted message may have been deleted for a
 * reason (a secret, a wrong name): the log keeps it, what people read does
 * not. The report's timeline applies the same rule to the whole log in its
 * own pass (`report/facts.ts`, the note's `fate`); this form serves readers
 * that see a slice of the log (a page of the API, the events a live page
 * has not shown yet) and so also read the projection's notes, which know
 * every deletion up to when the state was read.
 */
import type { IncidentEvent } from './events.ts';
import type { TimelineNote } from './incident.ts';

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
