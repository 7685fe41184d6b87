/**
 * The incident report one customer may read: the four sections in their
 * terms (what they experienced, when, what we did, what we will change), in
 * their time zone, from what they may see: status updates as relayed to them,
 * the restoration, the root cause and the measures, each of which the
 * commander may edit or withhold. Never internal notes, Slack permalinks,
 * event ids, PagerDuty links, other customers' names or (unless policy allows)
 * responder names. Pure: the same events and policy give the same report.
 */
import type { CustomerReportPart, IncidentEvent } from '../events.ts';
import { human } from '../incident.ts';
import type { CustomerPolicy, Policy } from '../policy.ts';
import { policyInForce } from '../policy-snapshot.ts';
import { createReportClock, type ReportClock } from './clock.ts';
import { createContext } from './context.ts';
import type { ImpactSpan } from './figures.ts';
import { gatherFacts, type ReportFacts } from './facts.ts';
import { forCustomer } from './customer-text.ts';
import { escapeBlock, escapeInline } from './markdown.ts';
import { formatNumber, formatNumberDown, slaImpact } from './sla.ts';

/** One line of the customer's timeline. */
export interface CustomerTimelineItem {
  ms: number;
  /** Local `HH:MM` (with the date when not the first day). */
  time: string;
  text: string;
}

/** The customer report as data: what the web page and the renderers share. */
export interface CustomerReport {
  incident: string;
  customer: { id: string; name: string };
  /** IANA zone of every time in the report. */
  timezone: string;
  /** `Tuesday 14 May 2024`: the day impact began, in the customer's zone. */
  date: string;
  ongoing: boolean;
  summary: {
    /** What the customer experienced, in the words of the first update relayed to them (or as edited). */
    experienced?: string;
    /** `14:40 – 15:08 (28 minutes)`; after a reopen `13:00 – 13:30 and 14:30 – 14:35 (35 minutes)`. */
    window: string;
    startMs: number;
    endMs: number;
    /** The impact windows' total, without the time between a restoration and the reopen after it. */
    durationMs: number;
    /** The last update relayed to them: where things stand (or stood). */
    latest?: string;
    firstContact?: string;
    /** Our team, by display name, when policy allows naming them. */
    team?: string[];
  };
  timeline: CustomerTimelineItem[];
  rootCause?: string;
  measures: { prevent: string[]; failBetter: string[] };
  /** The service-credit statement, when policy says to include it. */
  serviceCredit?: string;
  /** Parts the commander withheld, so the reviewer sees what is left out. */
  withheld: CustomerReportPart[];
}

/** The section headings every customer report has, in order. */
export const CUSTOMER_REPORT_SECTIONS = [
  '## Summary',
  '## Resolution and recovery timeline',
  '## Root cause',
  '## Corrective and preventive measures',
] as const;

/** The customers a customer report can be drafted for: those attached to the incident, in order. */
export function reportCustomers(events: readonly IncidentEvent[]): string[] {
  return gatherFacts(events).customers;
}

interface Edits {
  text: Partial<Record<CustomerReportPart, string>>;
  withheld: Set<CustomerReportPart>;
}

function editsFor(events: readonly IncidentEvent[], customer: string): Edits {
  const edits: Edits = { text: {}, withheld: new Set() };
  for (const e of events) {
    if (e.type !== 'customer_report_edited' || (e.data.customer && e.data.customer !== customer)) continue;
    if (e.data.withheld) {
      edits.withheld.add(e.data.part);
      delete edits.text[e.data.part];
    } else {
      edits.withheld.delete(e.data.part);
      if (e.data.text !== undefined) edits.text[e.data.part] = e.data.text;
    }
  }
  return edits;
}

/** Drafts the customer report for `customerId`; undefined when that customer is not attached to the incident. */
export function draftCustomerReport(events: readonly IncidentEvent[], current: Policy, customerId: string): CustomerReport | undefined {
  const facts = gatherFacts(events);
  const policy = policyInForce(current, facts.state.policy);
  const customer = policy.customers.find((c) => c.id === customerId);
  if (!customer || !facts.customers.includes(customerId)) return undefined;
  const clock = createReportClock(customer.timezone ?? policy.reportTimezone ?? 'UTC');
  const ctx = createContext(facts, policy, clock);
  const rules = policy.customerReports ?? { includeServiceCredit: false, showResponderNames: false };
  const others = policy.customers.filter((c) => c.id !== customerId);
  const clean = (text: string): string => forCustomer(text, facts, others, rules.showResponderNames);
  const edits = editsFor(events, customerId);
  const f = ctx.figures;
  const w = f.impact;
  const firstDay = clock.stamp(w.startMs).dateKey;
  const at = (ms: number): string => {
    const s = clock.stamp(ms);
    return s.dateKey === firstDay ? s.local : `${s.shortDate} ${s.local}`;
  };

  // Status updates as relayed to this customer: to their channel, or (no channel) while they were attached.
  const attached = attachedSpans(events, customerId);
  const relayed = facts.updateEvents.filter((u) => {
    const ch = customer.slackChannel;
    if (ch) return u.event.data.relayedTo.includes(ch);
    return !facts.state.private && attached.some(([from, to]) => u.ms >= from && u.ms <= to);
  });

  const timeline: CustomerTimelineItem[] = [];
  const push = (ms: number, text: string): void => {
    timeline.push({ ms, time: at(ms), text });
  };
  push(w.startMs, 'The service began to be affected.');
  // A reopened incident: each restoration the reopen undid, and the return of the problem.
  for (let i = 1; i < w.windows.length; i++) {
    push((w.windows[i - 1] as ImpactSpan).endMs, 'Service was restored.');
    push((w.windows[i] as ImpactSpan).startMs, 'The problem returned and the service was affected again.');
  }
  const contact = f.firstContacts.get(customerId)?.ms;
  if (contact !== undefined) push(contact, `We contacted ${customer.mainContact.name} at ${customer.name}.`);
  if (!edits.withheld.has('updates')) for (const u of relayed) push(u.ms, `Update (${statusWords(u.event.data.status)}): ${clean(u.event.data.summary)}`);
  if (f.toMitigateMs !== undefined && facts.times.mitigated && facts.times.mitigated.via !== 'restoration') push(facts.times.mitigated.ms, 'The impact was mitigated; we kept monitoring.');
  if (!w.ongoing) push(w.endMs, 'Service was fully restored.');
  timeline.sort((a, b) => a.ms - b.ms);

  const spans = w.windows.map((x, i) => `${at(x.startMs)} – ${w.ongoing && i === w.windows.length - 1 ? 'ongoing' : at(x.endMs)}`);
  const firstUpdate = relayed[0]?.event.data.summary;
  const lastUpdate = relayed.at(-1)?.event.data.summary;
  const experienced = edits.withheld.has('summary') ? undefined : edits.text.summary ?? (firstUpdate ? clean(firstUpdate) : undefined);
  const rootCauseText = edits.withheld.has('root_cause') ? undefined : edits.text.root_cause ?? facts.rootCause?.data.text;
  const measures = edits.withheld.has('measures')
    ? { prevent: [], failBetter: [] }
    : edits.text.measures !== undefined
      ? { prevent: edits.text.measures.split(/\r?\n/).map((l) => l.replace(/^[-*]\s*/, '').trim()).filter(Boolean), failBetter: [] }
      : {
          prevent: facts.actions.filter((a) => a.data.kind === 'prevent').map((a) => clean(a.data.text)),
          failBetter: facts.actions.filter((a) => a.data.kind !== 'prevent').map((a) => clean(a.data.text)),
        };
  const team = rules.showResponderNames ? teamNames(facts, ctx.person) : undefined;

  return {
    incident: human(facts.state),
    customer: { id: customer.id, name: customer.name },
    timezone: clock.zone,
    date: clock.stamp(w.startMs).dateLabel,
    ongoing: w.ongoing,
    summary: {
      ...(experienced ? { experienced } : {}),
      window: `${spans.length > 1 ? `${spans.slice(0, -1).join(', ')} and ${spans.at(-1)}` : spans[0]} (${impactText(f.impactMinutes, true)}${w.ongoing ? ' so far' : ''})`,
      startMs: w.startMs,
      endMs: w.endMs,
      durationMs: w.durationMs,
      ...(lastUpdate && relayed.length > 1 && !edits.withheld.has('updates') ? { latest: clean(lastUpdate) } : {}),
      ...(contact !== undefined ? { firstContact: at(contact) } : {}),
      ...(team && team.length ? { team } : {}),
    },
    timeline,
    ...(rootCauseText ? { rootCause: clean(rootCauseText) } : {}),
    measures,
    ...(rules.includeServiceCredit ? { serviceCredit: creditStatement(customer, f.impactMinutes, w.ongoing) } : {}),
    withheld: [...edits.withheld],
  };
}

function statusWords(s: string): string {
  return s === 'monitoring' ? 'fix in place, monitoring' : s;
}

const tenths = (x: number): number => Math.round(x * 10) / 10;

/**
 * Impact as the customer report states it, by one rule wherever it does (the
 * window and the service credit): minutes rounded to one decimal, the
 * precision of the SLA figures beside them, so 28 min 40 s is 28.7 minutes in
 * both places. The window adds hours once there is one (`1 hour 5.5 minutes`,
 * 65.5 minutes in the credit); the SLA arithmetic itself uses the exact figure.
 */
function impactText(minutes: number, hours: boolean): string {
  const total = tenths(minutes);
  const h = hours ? Math.floor(total / 60) : 0;
  const m = tenths(total - h * 60);
  const part = (n: number, unit: string): string => `${formatNumber(n, 1)} ${unit}${n === 1 ? '' : 's'}`;
  return [h ? part(h, 'hour') : '', m || !h ? part(m, 'minute') : ''].filter(Boolean).join(' ');
}

function attachedSpans(events: readonly IncidentEvent[], customer: string): [number, number][] {
  const spans: [number, number][] = [];
  let from: number | undefined;
  for (const e of events) {
    const ms = Date.parse(e.occurredAt);
    const on = (e.type === 'declared' && e.data.customers.includes(customer)) || (e.type === 'customer_attached' && e.data.customer === customer);
    if (on && from === undefined) from = ms;
    if (e.type === 'customer_detached' && e.data.customer === customer && from !== undefined) {
      spans.push([from, ms]);
      from = undefined;
    }
  }
  if (from !== undefined) spans.push([from, Infinity]);
  return spans;
}

function teamNames(facts: ReportFacts, person: (id: string) => string): string[] {
  const ids = new Set<string>();
  for (const id of Object.values(facts.state.roles)) if (id) ids.add(id);
  // Only people whose names were recorded: an id is never shown to a customer.
  return [...ids].filter((id) => facts.names.has(id)).map(person);
}

function creditStatement(c: CustomerPolicy, impactMinutes: number, ongoing: boolean): string {
  const r = slaImpact(impactMinutes, c.sla, c.serviceCredits);
  const sla = `${formatNumber(c.sla.targetPercent, 4)} % availability over ${formatNumber(c.sla.periodDays, 2)} days`;
  const avail = `${formatNumberDown(r.availabilityPercent, 3)} %`;
  const head = `Under your service level agreement (${sla}), this incident's ${impactText(impactMinutes, false)} of impact${ongoing ? ' so far' : ''} leave availability for the period at ${avail}, counting this incident alone.`;
  if (r.creditPercent > 0) return `${head} This qualifies for a service credit of ${formatNumber(r.creditPercent, 2)} % of your monthly fee, which we will apply without you having to ask.`;
  // A missed target is said as missed even when the agreement's tiers give no credit for it (none, or only further down).
  if (r.breached) return `${head} That misses the ${formatNumber(c.sla.targetPercent, 4)} % availability target; no service credit tier in your agreement applies at that level, so no service credit is due.`;
  return `${head} That is within your agreement, so no service credit is due.`;
}

/** The customer report as Markdown. */
export function renderCustomerMarkdown(r: CustomerReport): string {
  const L: string[] = [];
  L.push(`# Incident report for ${escapeInline(r.customer.name)}: ${escapeInline(r.date)}`, '');
  L.push(`_Reference ${r.incident}. All times are ${r.timezone}._`, '');
  L.push('## Summary', '');
  if (r.summary.experienced) L.push(`**What you experienced:** ${escapeInline(r.summary.experienced)}`, '');
  L.push(`**When:** ${escapeInline(r.summary.window)}${r.ongoing ? '. The incident is still open.' : ''}`, '');
  if (r.summary.latest) L.push(`**Where it stands:** ${escapeInline(r.summary.latest)}`, '');
  if (r.summary.firstContact) L.push(`**We contacted you:** ${r.summary.firstContact}`, '');
  if (r.summary.team) L.push(`**Our team:** ${r.summary.team.join(', ')}`, '');
  if (r.serviceCredit) L.push(`**Service credit:** ${escapeInline(r.serviceCredit)}`, '');
  L.push('## Resolution and recovery timeline', '');
  for (const t of r.timeline) L.push(`- **${t.time}** ${escapeInline(t.text)}`);
  L.push('', '## Root cause', '');
  L.push(r.rootCause ? escapeBlock(r.rootCause) : '_Our analysis of the root cause is still in progress; we will share it with you as soon as it is complete._');
  L.push('', '## Corrective and preventive measures', '');
  const list = (items: string[], none: string): string[] => (items.length ? items.map((i) => `- ${escapeInline(i)}`) : [none]);
  L.push('### Preventing a recurrence', '', ...list(r.measures.prevent, '_To follow once our review is complete._'));
  L.push('', '### Detecting and recovering faster', '', ...list(r.measures.failBetter, '_To follow once our review is complete._'));
  L.push('');
  return `${L.join('\n')}`;
}
