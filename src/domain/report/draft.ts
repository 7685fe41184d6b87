/**
 * Drafts the incident report as Markdown from the event log alone: pure and
 * deterministic (no clock, no host locale), linear in the number of events.
 */
import { KEY_TIMES, type IncidentEvent, type KeyTime } from '../events.ts';
import { human } from '../incident.ts';
import type { Policy } from '../policy.ts';
import { policyDrift, policyInForce } from '../policy-snapshot.ts';
import { createReportClock } from './clock.ts';
import { createContext, type RenderContext } from './context.ts';
import { gatherFacts } from './facts.ts';
import { KEY_TIME_LABELS, viaText } from './key-time-text.ts';
import type { ReportFigures } from './figures.ts';
import { escapeInline } from './markdown.ts';
import { renderMeasures, renderMetrics, renderRootCause } from './sections.ts';
import { TextSink } from './sink.ts';
import { renderSummary } from './summary.ts';
import { renderTimeline } from './timeline.ts';

/** Options for `draftReport`. */
export interface DraftReportOptions {
  /** IANA zone for the timeline; overrides `policy.reportTimezone`. */
  timezone?: string;
}

/** The section headings, in order; every report has all four plus the metrics. */
export const REPORT_SECTIONS = [
  '## Summary',
  '## Resolution and recovery timeline',
  '## Root cause',
  '## Corrective and preventive measures',
  '## Metrics',
] as const;

function headerLine(ctx: RenderContext): string {
  const { state, severities, declaredMs } = ctx.facts;
  const first = severities[0]?.severity ?? state.severity;
  const changes = severities.length - 1;
  const sev = changes < 1 ? escapeInline(first) : `${escapeInline(first)} → ${escapeInline(state.severity)}${changes > 1 ? ` (${changes} changes)` : ''}`;
  const at = (label: string, iso: string | undefined): string => {
    const ms = Date.parse(iso ?? '');
    return Number.isNaN(ms) ? '' : ` · **${label}:** ${ctx.time(ms)}`;
  };
  const d = ctx.stamp(declaredMs);
  return (
    `**Severity:** ${sev} · **Status:** ${escapeInline(state.status)} · **Declared:** ${d.dateLabel}, ${d.local}` +
    `${at('Resolved', state.times.resolvedAt)}${at('Closed', state.times.closedAt)} · **Times:** ${zoneLabel(ctx)}`
  );
}

function zoneLabel(ctx: RenderContext): string {
  const { entries, declaredMs } = ctx.facts;
  const offsets = [ctx.stamp(declaredMs).offset];
  for (const e of [entries[0], entries[entries.length - 1]]) {
    const o = e ? ctx.stamp(e.ms).offset : undefined;
    if (o && !offsets.includes(o)) offsets.push(o);
  }
  const zone = ctx.clock.invalidZone
    ? `UTC (the configured zone "${escapeInline(ctx.clock.invalidZone)}" is not a known time zone)`
    : ctx.clock.zone; // Canonical IANA names (letters, digits, `/_+-`) are safe as they are.
  return ctx.clock.zone === 'UTC' ? zone : `${zone} (${offsets.join(' / ')})`;
}

function footer(ctx: RenderContext): string[] {
  const { eventCount, lastMs, deletedNotes } = ctx.facts;
  const withheld = deletedNotes > 0;
  return [
    '---',
    '',
    `_Drafted by Kranz from ${eventCount} logged ${eventCount === 1 ? 'event' : 'events'}, the last activity at ${ctx.timeUtc(lastMs)}. ` +
      `Times are ${zoneLabel(ctx)} with UTC in brackets. Each timeline line cites its source: the Slack message, the PagerDuty event, or the Kranz event id.` +
      `${withheld ? ' Notes whose Slack message was deleted are cited, but their text is withheld.' : ''}_`,
  ];
}

/**
 * Drafts the incident report for an event log (in log order, as stored).
 * The same events, policy and options always give byte-identical Markdown.
 * Throws only when the log has no `declared` event (a caller bug).
 */
export function draftReport(events: readonly IncidentEvent[], current: Policy, opts: DraftReportOptions = {}): string {
  const facts = gatherFacts(events);
  // The incident is judged by the policy it ran under, not by today's.
  const policy = policyInForce(current, facts.state.policy);
  const clock = createReportClock(opts.timezone ?? policy.reportTimezone ?? 'UTC');
  const ctx = createContext(facts, policy, clock);
  const sink = new TextSink();
  sink.lines([`# ${human(facts.state)}: ${escapeInline(facts.state.title)}`, '', headerLine(ctx), '']);
  const drift = policyDrift(current, facts.state.policy, facts.customers);
  if (drift.length) {
    sink.lines([`_Drafted with the policy this incident ran under. The current policy differs: ${escapeInline(drift.join('; '))}._`, '']);
  }
  sink.lines(renderSummary(ctx));
  sink.lines(['', '## Resolution and recovery timeline', '']);
  renderTimeline(ctx, sink);
  sink.lines(['', ...renderRootCause(ctx), '', ...renderMeasures(ctx), '', ...renderMetrics(ctx), '', ...footer(ctx)]);
  return sink.text();
}

/** The metrics section alone (every key time with its source), e.g. for `/incident times`. */
export function keyTimesSection(events: readonly IncidentEvent[], current: Policy): string {
  const facts = gatherFacts(events);
  const policy = policyInForce(current, facts.state.policy);
  const ctx = createContext(facts, policy, createReportClock(policy.reportTimezone ?? 'UTC'));
  return renderMetrics(ctx).join('\n');
}

/** One key time as the report has it: its value (when recorded) and where it came from, in words. */
export interface KeyTimeRow {
  key: KeyTime;
  label: string;
  ms?: number;
  source: string;
}

/** Every key time with its value and source, for the form that corrects them (`/incident times`). */
export function keyTimeRows(events: readonly IncidentEvent[], current: Policy): KeyTimeRow[] {
  const facts = gatherFacts(events);
  const policy = policyInForce(current, facts.state.policy);
  const ctx = createContext(facts, policy, createReportClock(policy.reportTimezone ?? 'UTC'));
  return KEY_TIMES.map((key) => {
    const f = facts.times[key];
    return { key, label: KEY_TIME_LABELS[key], ...(f ? { ms: f.ms } : {}), source: f ? viaText(ctx, f) : 'not recorded' };
  });
}

/** The figures the report states (impact, times to acknowledge, mitigate and restore, promises), for callers that print them. */
export function reportFigures(events: readonly IncidentEvent[], current: Policy): ReportFigures {
  const facts = gatherFacts(events);
  const policy = policyInForce(current, facts.state.policy);
  return createContext(facts, policy, createReportClock('UTC')).figures;
}
