/**
 * The words for every refusal a responder can meet in Slack. The domain and
 * the use cases return a code and its facts; this is the one place they
 * become a sentence. The switch is exhaustive: a new code does not compile
 * until it has words here.
 */
import type { AppError, NotFoundParams } from '../../../app/apply-command.ts';
import type { LinkRefusal } from '../../../app/link-pagerduty.ts';
import type { SnoozeError } from '../../../app/snooze-reminder.ts';
import { ROLES } from '../../../domain/events.ts';
import { REMINDER_LABELS } from '../../../domain/reminders.ts';
import { assertNever } from '../../../lib/result.ts';
import { md, mention, type Mrkdwn } from '../mrkdwn.ts';
import { permissionDeniedText, permissionUnverifiedText } from './permissions.ts';
import { wordlessRefusal } from './customer-updates.ts';

const inc = (n: number): string => `INC-${n}`;
const roleWord = (r: string): string => r.replace(/_/g, '-');
/** A PagerDuty incident as people know it: its number when known, with its id. */
const pdLabel = (p: { pdIncidentId: string; pdIncidentNumber?: number }): string => (p.pdIncidentNumber === undefined ? p.pdIncidentId : `#${p.pdIncidentNumber} (${p.pdIncidentId})`);

export function errorText(e: AppError | SnoozeError | LinkRefusal): Mrkdwn {
  switch (e.code) {
    case 'incident.not_found': return notFoundText(e.params);
    case 'incident.not_declared': return md`No incident here. Declare one with \`/incident declare\`.`;
    case 'incident.already_declared': return md`${inc(e.params.number)} is already declared.`;
    case 'incident.closed': return md`${inc(e.params.number)} is closed. Reopen it with \`/incident reopen\` first.`;
    case 'incident.not_closed': return md`${inc(e.params.number)} is still open.`;
    case 'incident.already_resolved': return md`${inc(e.params.number)} is already resolved. Close it with \`/incident close\`.`;
    case 'incident.not_resolved': return md`${inc(e.params.number)} is not resolved yet. Run \`/incident resolve\` first.`;
    case 'severity.unknown': return md`Unknown severity "${e.params.given}". Use one of ${e.params.known.join(', ')}.`;
    case 'severity.unchanged': return md`${inc(e.params.number)} is already ${e.params.severity}.`;
    case 'status.invalid':
      return md`Status must be one of ${e.params.allowed.join(', ')}${e.params.closingCommands ? md`; use \`resolve\` or \`close\` for the rest` : md``}.`;
    case 'role.unknown': return md`Unknown role "${e.params.given}". Roles: ${ROLES.map(roleWord).join(', ')}.`;
    case 'role.not_member': return md`${mention(e.params.userId)} is not in this incident channel yet. Invite them first, then assign the role.`;
    case 'checklist.unknown_item': return md`There is no checklist item "${e.params.itemId}".`;
    case 'checklist.already_done': return md`"${e.params.title}" was already done by ${e.params.doneBy ? mention(e.params.doneBy) : 'someone'}.`;
    case 'input.empty': return md`The ${e.params.field} cannot be empty.`;
    case 'input.too_long': return md`The ${e.params.field} is ${e.params.length} characters; keep it under ${e.params.max}.`;
    case 'customer.unknown':
      return e.params.known
        ? md`Unknown customer "${e.params.given}". Known: ${e.params.known.join(', ') || 'none configured'}.`
        : md`Unknown customer "${e.params.given}".`;
    case 'note.unknown_message': return md`That message is not on the incident timeline.`;
    case 'note.message_deleted': return md`That message was deleted in Slack, so it is not added to the incident timeline.`;
    case 'page.not_linked':
      return md`${inc(e.params.number)} has no PagerDuty incident to add a responder to. Link one with \`/incident link ${'<PagerDuty incident id or URL>'}\`, or page a service: \`/incident page ${'<service> <message>'}\`.`;
    case 'pagerduty.already_linked':
      return md`PagerDuty incident ${pdLabel(e.params)} is already linked to ${inc(e.params.number)}; nothing changed.`;
    case 'pagerduty.not_linked':
      return md`PagerDuty incident ${e.params.pdIncidentId} is not linked to ${inc(e.params.number)}, so there is nothing to unlink; nothing changed. The incident's summary message in this channel names the ones linked.`;
    case 'pagerduty.linked_elsewhere':
      return md`PagerDuty incident ${e.params.pdIncidentId} is already linked to ${inc(e.params.number)}, and its events go there: a PagerDuty incident belongs to one Kranz incident. Nothing changed.`;
    case 'pagerduty.unknown_incident':
      return md`PagerDuty has no incident ${e.params.pdIncidentId}. Check the id (the last part of the incident's URL in PagerDuty) or paste the URL. Nothing changed.`;
    case 'customer.already_attached': return md`${e.params.name} is already attached to ${inc(e.params.number)}.`;
    case 'customer.not_attached': return md`"${e.params.given}" is not attached to ${inc(e.params.number)}.`;
    case 'customer.no_email': return e.params.missing === 'address'
      ? md`${e.params.name} has no email address configured (\`customers[].main_contact.email\`, \`notify_emails\`), so there is nobody to email it to.`
      : md`Kranz has no mail server (\`SMTP_URL\`, \`KRANZ_MAIL_FROM\`), so it cannot send email.`;
    case 'customer_update.no_words': return md`${wordlessRefusal(e.params.parts)}`;
    case 'customer.no_channel': return md`${e.params.name} has no Slack channel configured (\`customers[].slack_channel\`), so there is nowhere to send it.`;
    case 'incident.already_acknowledged': return md`${inc(e.params.number)} was already acknowledged.`;
    case 'time.invalid': return md`"${e.params.given}" is not a time. Use HH:MM (in the report time zone), e.g. \`14:32\`.`;
    case 'time.in_future': return md`That time is in the future.`;
    case 'permission.denied': return permissionDeniedText(e.params);
    case 'permission.unverified': return permissionUnverifiedText(e.params);
    case 'reminder.unknown_kind': return md`Unknown reminder "${e.params.given}". Snooze one of: update, customer, checklist, activity, close, review.`;
    case 'reminder.bad_duration': return md`Snooze for a duration between 1m and 24h, e.g. \`/incident snooze 30m\`.`;
    case 'reminder.none': return md`${inc(e.params.number)} has no pending ${REMINDER_LABELS[e.params.kind]} reminder to snooze.`;
    default: return assertNever(e, 'error code');
  }
}

function notFoundText(p: NotFoundParams): Mrkdwn {
  if (p.purpose === 'timeline') return md`This channel is not an incident channel, so there is no timeline to add to.`;
  if (p.purpose === 'replay') return md`This request was already handled.`;
  if (p.ref && 'channelId' in p.ref) return md`This channel is not an incident channel. Run it in the incident's channel, or \`/incident list\` to find it.`;
  if (p.ref && 'number' in p.ref) return md`There is no ${inc(p.ref.number)}.`;
  return md`No such incident.`;
}
