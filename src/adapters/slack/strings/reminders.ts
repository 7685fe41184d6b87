/**
 * The words of the reminders Kranz sends: in the incident channel, by DM to
 * the commander, to the escalation target. The domain decides what is due,
 * for whom and how late (`ReminderFacts`); this says it.
 */
import { formatDuration } from '../../../domain/duration.ts';
import type { MessageSpec, ReminderFacts } from '../../../domain/effects.ts';
import { channelLink, joinMd, md, mention, textKeeping, type Mrkdwn } from '../mrkdwn.ts';

type ReminderSpec = Extract<MessageSpec, { template: 'reminder' }>;

/** The text of a reminder: from its facts, or (a row an older Kranz queued) its finished text made safe. */
export function reminderText(m: ReminderSpec, incidentChannelId: string | undefined): Mrkdwn {
  if (m.facts) return reminderFactsText(m.facts, m.mention);
  return legacyReminderText(m, incidentChannelId);
}

/**
 * A reminder row queued by an older Kranz carries its finished text, which
 * quotes the incident title. All of it becomes text again except the
 * mentions of the people the row names and the link to the incident's own
 * channel: nothing the title held can notify anyone.
 */
export function legacyReminderText(m: ReminderSpec, incidentChannelId: string | undefined): Mrkdwn {
  return textKeeping(m.text ?? '', { users: m.mention, channels: incidentChannelId ? [incidentChannelId] : [] });
}

/** `20 min`, or `4h` for long ones. */
function minutes(ms: number): string {
  return ms < 3_600_000 ? `${Math.round(ms / 60_000)} min` : formatDuration(ms);
}

/** `4 min`, `2h 40m`; under a minute reads `moments`. */
function ago(ms: number): string {
  return ms < 60_000 ? 'moments' : minutes(ms);
}

/** `overdue by 4 min`, or `due now` within the first minute. */
function late(ms: number): string {
  return ms < 60_000 ? 'due now' : `overdue by ${minutes(ms)}`;
}

/** The words for one reminder step. `mention` are the people it names (tagged at the start of level-1 lines). */
export function reminderFactsText(f: ReminderFacts, mentioned: readonly string[]): Mrkdwn {
  const inc = `INC-${f.incident}`;
  const tagged = mentioned.length ? md`${joinMd(mentioned.map(mention), ' ')}: ` : undefined;
  const tagOrPlease = tagged ?? md`Please `;
  const where = f.channelId ? channelLink(f.channelId) : md`the ${inc} channel`;
  const commander = f.commander ? mention(f.commander) : undefined;
  switch (f.kind) {
    case 'status_update':
    case 'customer_contact': {
      const update = f.kind === 'status_update';
      const sevText = `${f.severity}, every ${minutes(f.updateCadenceMs)}`;
      const callWho = f.callWho ?? "Call the customer's main contact";
      if (f.level === 1) {
        return update
          ? md`:alarm_clock: Status update ${late(f.overdueMs)} for ${inc} (${sevText}). ${tagOrPlease}post one with \`/incident update\`.`
          : md`:telephone_receiver: Customer call ${late(f.overdueMs)} for ${inc} (${f.severity}): ${callWho}. ${tagOrPlease}call now, then tick it off on the checklist.`;
      }
      if (f.level === 2) {
        return update
          ? md`:rotating_light: ${inc} (${f.severity}) is ${late(f.overdueMs)} for a status update and the reminder in ${where} went unanswered. You are the commander: post one with \`/incident update\`, or snooze it with \`/incident snooze 15m\`.`
          : md`:rotating_light: ${inc} (${f.severity}): the customer still has not been called, ${ago(f.overdueMs)} past the deadline. You are the commander: make sure someone calls now (${callWho}).`;
      }
      if (f.private) {
        // Outside its channel a private incident has a number, not a title or a channel.
        const stepIn = commander ? md`Please step in: ask ${commander} to add you to its channel.` : md`Please step in: ask one of its channel's members to add you.`;
        return update
          ? md`:sos: Escalation: a private incident (${inc}, ${sevText}) needs a status update: none for ${ago(f.overdueMs)} past due. ${stepIn}`
          : md`:sos: Escalation: a private incident (${inc}, ${f.severity}) needs its customer called: nobody has, ${ago(f.overdueMs)} past the deadline. ${stepIn}`;
      }
      if (update) {
        const who = commander ? md`The commander ${commander} was reminded in the channel${f.commanderDmed ? ' and by DM' : ''}. ` : md`It has no commander. `;
        return md`:sos: Escalation: ${inc} "${f.title ?? ''}" (${sevText}) has had no status update for ${ago(f.overdueMs)} past due. ${who}Please step in: ${where}.`;
      }
      const who = commander ? md`Commander: ${commander}. ` : md`It has no commander. `;
      return md`:sos: Escalation: nobody has called the customer for ${inc} "${f.title ?? ''}" (${f.severity}), ${ago(f.overdueMs)} past the deadline. ${who}Please step in: ${where}.`;
    }
    case 'checklist_item':
      return md`:ballot_box_with_check: "${f.itemTitle ?? ''}" is ${late(f.overdueMs)} for ${inc}. ${tagOrPlease}do it, then tick it off on the checklist.`;
    case 'no_activity':
      return md`:zzz: ${inc} has been quiet for ${formatDuration(f.quietMs ?? 0)}: no updates, notes or changes. ${tagged ?? md``}Is it still being worked on? Post an update with \`/incident update\`, or \`/incident resolve\` if it is over.`;
    case 'resolved_not_closed':
      return md`:broom: ${inc} was resolved ${formatDuration(f.resolvedForMs ?? 0)} ago and is still not closed. ${tagOrPlease}record the root cause and actions, then \`/incident close\` to draft the report.`;
    case 'review_due':
      if (f.private) return md`:memo: The review of the report of a private incident (${inc}) is due today. ${f.commander ? 'You were the commander: ' : ''}please review it with the team and file the follow-up actions.`;
      return md`:memo: The review of the ${inc} report ("${f.title ?? ''}") is due today. ${f.commander ? 'You were the commander: ' : ''}please review it with the team and file the follow-up actions.`;
    default:
      // A kind a newer Kranz queued: still say what it is about.
      return md`:bell: ${f.kind.replace(/_/g, ' ')} reminder for ${inc}. ${tagOrPlease}have a look.`;
  }
}
