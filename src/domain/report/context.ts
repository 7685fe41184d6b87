/**
 * Rendering helpers shared by the report's sections: people, times, channels,
 * customers and severities, each looked up in O(1) from maps built once.
 */
import type { Actor, Role } from '../events.ts';
import type { CustomerPolicy, Policy, SeverityPolicy } from '../policy.ts';
import type { MinuteStamp, ReportClock } from './clock.ts';
import type { ReportFacts } from './facts.ts';
import { computeFigures, type ReportFigures } from './figures.ts';
import { escapeInline } from './markdown.ts';

/** Human names of the roles, as a support lead would write them. */
export const ROLE_LABELS: Record<Role, string> = {
  commander: 'Commander',
  customer_liaison: 'Customer liaison',
  scribe: 'Scribe',
  communications: 'Communications lead',
  subject_expert: 'Subject-matter expert',
};

/** What every section renderer gets. */
export interface RenderContext {
  facts: ReportFacts;
  /** Every figure the report states, computed once so no section can disagree with another. */
  figures: ReportFigures;
  policy: Policy;
  clock: ReportClock;
  severity(key: string): SeverityPolicy | undefined;
  customer(id: string): CustomerPolicy | undefined;
  /** A Slack user as text: the name when known, else `@U123`. */
  person(userId: string): string;
  /** A Slack user as the report shows them everywhere: the display name (the id only when no name was recorded). */
  personFull(userId: string): string;
  actor(actor: Actor): string;
  /** A Slack channel id as text: a customer's channel, the stakeholder channel, or `#C123`. */
  channel(id: string): string;
  /** Local time, with the date when it is not the declaration day: `15:02` or `15 May 2024 09:10`. */
  time(ms: number): string;
  /** `time(ms)` with UTC beside it: `15:02 (13:02 UTC)`. */
  timeUtc(ms: number): string;
  stamp(ms: number): MinuteStamp;
}

/** Builds the context for one report. */
export function createContext(facts: ReportFacts, policy: Policy, clock: ReportClock): RenderContext {
  const severities = new Map<string, SeverityPolicy>();
  for (const s of policy.severities) if (!severities.has(s.key.toUpperCase())) severities.set(s.key.toUpperCase(), s);
  const customers = new Map<string, CustomerPolicy>();
  const channels = new Map<string, string>();
  for (const c of policy.customers) {
    if (!customers.has(c.id)) customers.set(c.id, c);
    if (c.slackChannel && !channels.has(c.slackChannel)) channels.set(c.slackChannel, `${escapeInline(c.name)}'s channel`);
  }
  if (policy.stakeholderChannel && !channels.has(policy.stakeholderChannel)) channels.set(policy.stakeholderChannel, 'the stakeholder channel');
  const declaredDay = clock.stamp(facts.declaredMs).dateKey;

  // A handful of people appear on most of 100k lines: render each once.
  const people = new Map<string, string>();
  const person = (userId: string): string => {
    let text = people.get(userId);
    if (text === undefined) {
      const name = facts.names.get(userId);
      text = name ? escapeInline(name) : `@${escapeInline(userId)}`;
      people.set(userId, text);
    }
    return text;
  };
  const time = (ms: number): string => {
    const s = clock.stamp(ms);
    return s.dateKey === declaredDay ? s.local : `${s.shortDate} ${s.local}`;
  };

  const severity = (key: string): SeverityPolicy | undefined => severities.get(key.trim().toUpperCase());
  return {
    facts,
    figures: computeFigures(facts, severity),
    policy,
    clock,
    severity,
    customer: (id) => customers.get(id),
    person,
    personFull: person,
    actor: (a) => {
      if (a.kind === 'user') return person(a.userId);
      if (a.kind === 'pagerduty') return a.name ? `${escapeInline(a.name)} via PagerDuty` : 'PagerDuty';
      return 'Kranz';
    },
    channel: (id) => channels.get(id) ?? (id === 'incident' ? 'the incident channel' : `#${escapeInline(id)}`),
    time,
    timeUtc: (ms) => `${time(ms)} (${clock.stamp(ms).utc} UTC)`,
    stamp: clock.stamp,
  };
}

/** A customer by the name policy gives it, else its id. */
export function customerName(ctx: RenderContext, id: string): string {
  return escapeInline(ctx.customer(id)?.name ?? id);
}
