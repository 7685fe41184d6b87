/** The answer to `/incident snooze` and the Snooze button. */
import type { SnoozeOutcome } from '../../../app/snooze-reminder.ts';
import { formatLocalTime } from '../../../domain/business-days.ts';
import { formatDuration } from '../../../domain/duration.ts';
import { REMINDER_LABELS } from '../../../domain/reminders.ts';
import { md, type Mrkdwn } from '../mrkdwn.ts';

/** What a snooze did, in the reader's words; `timezone` is the policy's report timezone. */
export function snoozedText(o: Extract<SnoozeOutcome, { ok: true }>, timezone: string): Mrkdwn {
  const inc = `INC-${o.number}`;
  const label = REMINDER_LABELS[o.kind];
  if (o.duplicate) return md`That snooze for ${inc} was already applied.`;
  const until = new Date(o.until);
  if (o.firstDueAt && Date.parse(o.firstDueAt) >= until.getTime()) {
    return md`The ${label} reminder for ${inc} is not due before ${formatLocalTime(new Date(o.firstDueAt), timezone)} anyway, so snoozing changes nothing.`;
  }
  return md`Snoozed the ${label} reminder${o.reminders.length > 1 ? 's' : ''} for ${inc} for ${formatDuration(o.durationMs)}, until ${formatLocalTime(until, timezone)}.`;
}
