/** What the web view says about events, times and durations: plain text, escaped by the templates. */
import { formatDuration } from '../../domain/duration.ts';
import type { Actor, IncidentEvent } from '../../domain/events.ts';

export function actorName(a: Actor): string {
  if (a.kind === 'user') return a.name ? `@${a.name}` : a.userId;
  if (a.kind === 'pagerduty') return a.name ? `PagerDuty (${a.name})` : 'PagerDuty';
  return 'Kranz';
}

const ROLE_WORDS: Record<string, string> = { commander: 'commander', customer_liaison: 'customer liaison', scribe: 'scribe', communications: 'communications lead', subject_expert: 'subject expert' };

export function roleWord(role: string): string {
  return ROLE_WORDS[role] ?? role;
}

/** What a note's line says instead of its text once its Slack message was deleted (see `domain/withheld-notes.ts`). */
export const WITHHELD = { note_added: 'Note: text withheld, its Slack message was deleted later', message_edited: 'Note edited: text withheld, its Slack message was deleted later' } as const;

/** One line of the timeline for an event; `withheld` when the event's note text must not be shown. */
export function describeEvent(e: IncidentEvent, withheld = false): string {
  if (withheld && (e.type === 'note_added' || e.type === 'message_edited')) return WITHHELD[e.type];
  switch (e.type) {
    case 'declared': return `Declared ${e.data.severity}: ${e.data.title}${e.data.description ? ` (${e.data.description})` : ''}`;
    case 'channel_created': return `Channel #${e.data.channelName} created`;
    case 'member_joined': return `${e.data.userId} joined the channel`;
    case 'severity_changed': return `Severity ${e.data.from} → ${e.data.to}${e.data.reason ? `: ${e.data.reason}` : ''}`;
    case 'status_changed': return `Status ${e.data.from} → ${e.data.to}`;
    case 'role_assigned': return `${e.data.userId} is ${roleWord(e.data.role)}`;
    case 'checklist_item_done': return `Checklist: ${e.data.title} done`;
    case 'status_update_posted': return `Status update (${e.data.status}): ${e.data.summary} · next update by ${shortTime(e.data.nextUpdateAt)}`;
    case 'customer_update_published': return e.data.channel === 'statuspage' ? `Status page ${e.data.action === 'create' ? 'incident created' : e.data.action === 'resolve' ? 'incident resolved' : 'updated'}${e.data.url ? `: ${e.data.url}` : ''}` : `Status update emailed to ${e.data.to ?? 'a customer contact'}`;
    case 'customer_update_failed': return `${e.data.channel === 'statuspage' ? 'Status page' : 'Customer email'} refused: ${e.data.reason}`;
    case 'customer_contacted': return `Customer contacted${e.data.customer ? ` (${e.data.customer})` : ''}: ${e.data.via === 'checklist' ? 'their call ticked on the checklist' : e.data.details}`;
    case 'note_added': return `Note: ${e.data.text}`;
    case 'message_edited': return `Note edited: ${e.data.text}`;
    case 'message_deleted': return 'A note\'s Slack message was deleted (text withheld)';
    case 'pagerduty_linked': return `Linked to PagerDuty incident ${e.data.pdIncidentNumber ?? e.data.pdIncidentId}`;
    case 'pagerduty_unlinked': return `Unlinked from PagerDuty incident ${e.data.pdIncidentNumber ?? e.data.pdIncidentId}`;
    case 'pagerduty_event': return `PagerDuty ${e.data.eventType.replace(/^incident\./, '')}: ${e.data.summary}`;
    case 'reminder_sent': return `Reminder sent (${e.data.reminder.replace(/_/g, ' ')}, level ${e.data.level})`;
    case 'root_cause_recorded': return `Root cause: ${e.data.text}`;
    case 'action_item_added': return `Action (${e.data.kind === 'prevent' ? 'prevent it' : 'fail better'}): ${e.data.text}`;
    case 'resolved': return `Resolved${e.data.summary ? `: ${e.data.summary}` : ''}`;
    case 'closed': return 'Closed';
    case 'reopened': return `Reopened${e.data.reason ? `: ${e.data.reason}` : ''}`;
    case 'report_drafted': return `Report drafted (${e.data.length} characters)`;
    case 'acknowledged': return 'Acknowledged';
    case 'mitigated': return 'Impact mitigated';
    case 'time_corrected': return `Time corrected: ${e.data.key} set to ${utcTime(e.data.at)}${e.data.previous ? ` (was ${utcTime(e.data.previous)})` : ''}${e.data.reason ? `: ${e.data.reason}` : ''}`;
    case 'customer_attached': return `Customer ${e.data.customer} attached`;
    case 'customer_detached': return `Customer ${e.data.customer} detached`;
    case 'customer_report_drafted': return `Customer report for ${e.data.customer} drafted`;
    case 'customer_report_edited': return `Customer report${e.data.customer ? ` for ${e.data.customer}` : ''}: ${e.data.part} ${e.data.withheld ? 'withheld' : 'edited'}`;
    case 'customer_report_sent': return `Customer report sent to ${e.data.customer} (${e.data.via})`;
  }
}

/** `2026-03-10 14:05:09 UTC`. */
export function utcTime(iso: string | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '—';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function shortTime(iso: string | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '—' : `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

/** `12m` from `from` to `to`, or `—` when either is missing. */
export function between(from: string | undefined, to: string | undefined): string {
  const a = Date.parse(from ?? '');
  const b = Date.parse(to ?? '');
  return Number.isNaN(a) || Number.isNaN(b) ? '—' : formatDuration(b - a);
}
