/**
 * Live-log lines for what Kranz records without saying so in Slack: notes
 * (📌, PagerDuty, `/incident note`), the customer call, roles, the root
 * cause and actions, and the incident's opening and end. Everything else on
 * the timeline already shows as a Slack or PagerDuty call.
 */
import type { EventPayloads, EventType } from '../../domain/events.ts';
import type { Policy } from '../../domain/policy.ts';
import { findCustomer, findSeverity } from '../../domain/policy.ts';

/** One stored event, as the live log reads it. */
export interface LoggedEvent {
  seq: number;
  type: EventType;
  occurredAt: string;
  data: unknown;
}

/** Helpers the descriptions need from the live log. */
export interface EventWords {
  policy: Policy;
  /** A Slack user's first name. */
  person(userId: string): string;
  /** Quoted, cleaned and cut message text. */
  quote(text: string): string;
  /** Local `HH:MM` of an ISO time. */
  time(iso: string): string;
  /** When the incident was declared (ISO) and at which severity, once known. */
  declared: { at: string; severity: string } | undefined;
}

const ROLE_WORDS: Record<string, string> = {
  commander: 'commander', customer_liaison: 'customer liaison', scribe: 'scribe', communications: 'communications lead', subject_expert: 'subject expert',
};

const minutes = (from: string, to: string): number => Math.round((Date.parse(to) - Date.parse(from)) / 60_000);

/** The line for `e`, or undefined when a Slack or PagerDuty line already tells it. */
export function describeEvent(e: LoggedEvent, w: EventWords): string | undefined {
  const d = e.data as EventPayloads[EventType];
  switch (e.type) {
    case 'declared': {
      const x = d as EventPayloads['declared'];
      const customers = x.customers.map((c) => findCustomer(w.policy, c)?.name ?? c);
      return `opened INC-${x.number} at ${x.severity}${customers.length ? `, affecting ${customers.join(', ')}` : ''}`;
    }
    case 'role_assigned': {
      const x = d as EventPayloads['role_assigned'];
      return `recorded ${w.person(x.userId)} as ${ROLE_WORDS[x.role] ?? x.role}`;
    }
    case 'customer_contacted': {
      const x = d as EventPayloads['customer_contacted'];
      if (!w.declared) return `recorded the customer call: ${w.quote(x.details)}`;
      const sev = findSeverity(w.policy, w.declared.severity);
      const deadline = sev ? ` (the deadline is ${sev.customerContactDeadlineMs / 60_000} min)` : '';
      return `recorded the customer call, ${minutes(w.declared.at, e.occurredAt)} min after the page${deadline}, and ticked it on the checklist`;
    }
    case 'note_added': {
      const x = d as EventPayloads['note_added'];
      const who = x.authorId ? `${w.person(x.authorId)}'s message` : 'the message';
      if (x.via === 'reaction' || x.via === 'pin' || x.via === 'shortcut') return `put ${who} on the timeline at its own time (${w.time(e.occurredAt)}): ${w.quote(x.text)}`;
      if (x.via === 'pagerduty') return `put the PagerDuty note on the timeline: ${w.quote(x.text)}`;
      return `added the note to the timeline: ${w.quote(x.text)}`;
    }
    case 'root_cause_recorded':
      return `recorded the root cause for the report: ${w.quote((d as EventPayloads['root_cause_recorded']).text)}`;
    case 'action_item_added': {
      const x = d as EventPayloads['action_item_added'];
      return `added a "${x.kind === 'prevent' ? 'prevent it' : 'fail better'}" action for the report: ${w.quote(x.text)}`;
    }
    case 'time_corrected': {
      const x = d as EventPayloads['time_corrected'];
      const was = x.previous ? ` (was ${w.time(x.previous)})` : '';
      return `corrected the ${x.key.replace(/_/g, ' ')} time to ${w.time(x.at)}${was}; the report measures from it`;
    }
    case 'resolved':
      return w.declared ? `marked it resolved, ${minutes(w.declared.at, e.occurredAt)} min after the page` : 'marked it resolved';
    case 'closed':
      return 'closed it and drafted the report from the timeline';
    default:
      return undefined;
  }
}
