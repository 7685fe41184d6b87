/** Reminders the scheduler sent: recorded as events, delivered as Slack posts. */
import type { HandlerGroup } from './context.ts';

export const reminderHandlers: HandlerGroup<'record_reminder'> = {
  record_reminder(command, _state, step) {
    const { to } = command;
    // The log names the recipient by id, or `incident` for the incident's own channel.
    const recipient = to.kind === 'incident' ? 'incident' : to.id;
    const recipientName = to.kind === 'user' ? step.env.names?.[to.id] : undefined;
    step.emit('reminder_sent', { reminder: command.reminder, level: command.level, dueAt: command.dueAt, recipient, ...(recipientName ? { recipientName } : {}) });
    step.fx({
      kind: 'slack.post', to,
      message: { template: 'reminder', reminder: command.reminder, level: command.level, mention: command.mention, facts: command.facts },
    });
    return undefined;
  },
};
