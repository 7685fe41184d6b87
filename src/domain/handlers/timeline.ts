/**
 * The timeline: notes (flagged messages keep their Slack ts, so a second flag
 * or an edit finds them), edits and deletions, the root cause and actions.
 */
import type { HandlerGroup } from './context.ts';

type Timeline = 'add_note' | 'edit_message' | 'delete_message' | 'record_root_cause' | 'add_action_item';

export const timelineHandlers: HandlerGroup<Timeline> = {
  add_note(command, state, step) {
    if (command.messageTs && state.notes.some((n) => n.messageTs === command.messageTs && !n.deleted)) return undefined;
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
