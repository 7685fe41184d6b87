/** The words of the reminders Kranz sends (in the incident channel, by DM, to the escalation target). */
import type { MessageSpec } from '../../../domain/effects.ts';
import { textKeeping, type Mrkdwn } from '../mrkdwn.ts';

type ReminderSpec = Extract<MessageSpec, { template: 'reminder' }>;

/**
 * A reminder row queued by an older Kranz carries its finished text, which
 * quotes the incident title. All of it becomes text again except the
 * mentions of the people the row names and the link to the incident's own
 * channel: nothing the title held can notify anyone.
 */
export function legacyReminderText(m: ReminderSpec, incidentChannelId: string | undefined): Mrkdwn {
  return textKeeping(m.text, { users: m.mention, channels: incidentChannelId ? [incidentChannelId] : [] });
}
