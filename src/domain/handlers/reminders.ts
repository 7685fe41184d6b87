/** Reminders the scheduler sent: recorded as events, delivered as Slack posts. */
import type { ChannelRef } from '../effects.ts';
import type { HandlerGroup } from './context.ts';

/** A recipient is a Slack user (U…/W…), a channel, or `incident` for the incident's own channel. */
function recipientRef(recipient: string): ChannelRef {
  if (recipient.startsWith('U') || recipient.startsWith('W')) return { kind: 'user', id: recipient };
  return recipient === 'incident' ? { kind: 'incident' } : { kind: 'channel', id: recipient };
}

export const reminderHandlers: HandlerGroup<'record_reminder'> = {
  record_reminder(command, _state, step) {
    step.emit('reminder_sent', { reminder: command.reminder, level: command.level, dueAt: command.dueAt, recipient: command.recipient });
    step.fx({
      kind: 'slack.post', to: recipientRef(command.recipient),
      message: { template: 'reminder', reminder: command.reminder, level: command.level, mention: command.mention, text: command.text },
    });
    return undefined;
  },
};
