/**
 * The timeline: notes (flagged messages keep their Slack ts, so a second flag
 * or an edit finds them), edits and deletions, the root cause and actions.
 */
import { domainError } from '../errors.ts';
import type { HandlerGroup } from './context.ts';

type Timeline = 'add_note' | 'edit_message' | 'delete_message' | 'record_root_cause' | 'add_action_item';

export const timelineHandlers: HandlerGroup<Timeline> = {
  add_note(command, state, step) {
    if (command.messageTs) {
      const notes = state.notes.filter((n) => n.messageTs === command.messageTs);
      // One note per message: a second pin or 📌 of a message on the timeline adds nothing.
      if (notes.some((n) => !n.deleted)) return undefined;
      // Its note's message was deleted in Slack, for good: a flag that still names it (a 📌 that arrived late, a
      // pin Slack still lists) carries the deleted text, which must not come back as a new note.
      if (notes.length > 0) return domainError('note.message_deleted', { messageTs: command.messageTs });
    }
    step.emit('note_added', {
      text: command.text.trim(), via: command.via,
      ...(command.authorId ? { authorId: command.authorId } : {}),
      ...(command.authorId && step.env.names?.[command.authorId] ? { authorName: step.env.names[command.authorId] } : {}),
      ...(command.messageTs ? { messageTs: command.messageTs } : {}),
      ...(command.permalink ? { permalink: command.permalink } : {}),
    });
    return undefined;
  },

  edit_message(command, state, step) {
    const note = state.notes.find((n) => n.messageTs === command.messageTs && !n.deleted);
    // Unflagged messages live in the channel log only.
    if (!note || note.text === command.text) return undefined;
    step.emit('message_edited', { messageTs: command.messageTs, text: command.text, previousText: note.text });
    return undefined;
  },

  delete_message(command, state, step) {
    const note = state.notes.find((n) => n.messageTs === command.messageTs && !n.deleted);
    if (!note) return undefined;
    step.emit('message_deleted', { messageTs: command.messageTs, previousText: note.text });
    return undefined;
  },

  record_root_cause(command, _state, step) {
    step.emit('root_cause_recorded', { text: command.text.trim() });
    return undefined;
  },

  add_action_item(command, _state, step) {
    step.emit('action_item_added', { kind: command.kind, text: command.text.trim() });
    return undefined;
  },
};
