/**
 * Property: whatever happened, the summary's figures are the ones a reader
 * recomputes from the timeline section of the same report (impact, time to
 * acknowledge, time to mitigate, updates sent, promises kept and broken).
 * Random incidents on whole minutes, in UTC, within one day.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/domain/default-policy.ts';
import { formatDuration } from '../../src/domain/duration.ts';
import type { Actor, Status } from '../../src/domain/events.ts';
import { asPdIncidentId } from '../../src/domain/ids.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { draftReport } from '../../src/domain/report/index.ts';
import { LogBuilder, MIN, PEOPLE, sources } from '../fixtures/report/scripted-incident.ts';

const POLICY: Policy = { ...DEFAULT_POLICY, reportTimezone: 'UTC' };
const T0 = Date.parse('2024-05-14T06:00:00.000Z');
const PD_SOURCE = sources.pagerDuty('PDEVENT');

type Step =
  | { kind: 'update'; status: Exclude<Status, 'resolved' | 'closed'>; nextMin: number }
  | { kind: 'monitoring' }
  | { kind: 'pd_ack' }
  | { kind: 'slack_ack' }
  | { kind: 'pd_resolve' }
  | { kind: 'mitigated' }
  | { kind: 'correct'; key: 'restored' | 'mitigated' | 'impact_started'; backMin: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('update' as const), status: fc.constantFrom('investigating', 'identified', 'monitoring') as fc.Arbitrary<'investigating' | 'identified' | 'monitoring'>, nextMin: fc.integer({ min: 1, max: 45 }) }), weight: 4 },
  { arbitrary: fc.constant({ kind: 'monitoring' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'pd_ack' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'slack_ack' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'pd_resolve' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'mitigated' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('correct' as const), key: fc.constantFrom('restored', 'mitigated', 'impact_started') as fc.Arbitrary<'restored' | 'mitigated' | 'impact_started'>, backMin: fc.integer({ min: 0, max: 20 }) }), weight: 1 },
);

const scenario = fc.record({
  severity: fc.constantFrom('SEV1', 'SEV2', 'SEV3'),
  byPagerDuty: fc.boolean(),
  impactBeforeMin: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
  steps: fc.array(fc.tuple(fc.integer({ min: 1, max: 25 }), step), { maxLength: 14 }),
  resolveAfterMin: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer V> ? V : never;

function build(s: Scenario) {
  const b = new LogBuilder(T0);
  const declarer: Actor = s.byPagerDuty ? PEOPLE.pagerDuty : PEOPLE.mara;
  b.declare({ policy: POLICY, severity: s.severity, title: 'Random incident', actor: declarer, source: s.byPagerDuty ? PD_SOURCE : sources.command, ...(s.impactBeforeMin !== undefined ? { impactStartedAt: -s.impactBeforeMin * MIN } : {}) });
  let t = 0;
  let status: Status = 'investigating';
  for (const [gap, st] of s.steps) {
    t += gap * MIN;
    switch (st.kind) {
      case 'update':
        b.add('status_update_posted', t, { status: st.status, summary: `Update at ${t / MIN}`, nextUpdateAt: new Date(T0 + t + st.nextMin * MIN).toISOString(), relayedTo: [] }, PEOPLE.mara, sources.command);
        status = st.status;
        break;
      case 'monitoring':
        if (status !== 'monitoring') b.add('status_changed', t, { from: status, to: 'monitoring' }, PEOPLE.mara, sources.command);
        status = 'monitoring';
        break;
      case 'pd_ack':
        b.add('pagerduty_event', t, { eventType: 'incident.acknowledged', pdIncidentId: asPdIncidentId('Q2K9ZL4RTS'), summary: 'Acknowledged' }, { kind: 'pagerduty', name: 'Lea Okafor' }, PD_SOURCE);
        break;
      case 'slack_ack':
        b.add('acknowledged', t, {}, PEOPLE.jonas, sources.command);
        break;
      case 'pd_resolve':
        b.add('pagerduty_event', t, { eventType: 'incident.resolved', pdIncidentId: asPdIncidentId('Q2K9ZL4RTS'), summary: 'Resolved' }, { kind: 'pagerduty', name: 'Lea Okafor' }, PD_SOURCE);
        break;
      case 'mitigated':
        b.add('mitigated', t, {}, PEOPLE.mara, sources.command);
        break;
      case 'correct':
        b.add('time_corrected', t, { key: st.key, at: new Date(T0 + t - st.backMin * MIN).toISOString() }, PEOPLE.mara, sources.command);
        break;
    }
  }
  if (s.resolveAfterMin !== undefined) b.add('resolved', t + s.resolveAfterMin * MIN, {}, PEOPLE.mara, sources.command);
  return b.events;
}

/** Minutes since midnight of a timeline line's local time (`- **HH:MM** …`). */
const minuteOf = (line: string): number => {
  const m = /^- \*\*(\d\d):(\d\d)\*\*/.exec(line);
  if (!m) throw new Error(`not a timeline line: ${line}`);
  return Number(m[1]) * 60 + Number(m[2]);
};
const what = (line: string): string => line.split(' — ')[1] ?? '';
const who = (line: string): string => line.split(' — ')[2] ?? '';

function section(report: string, heading: string): string[] {
  const lines = report.split('\n');
  const start = lines.indexOf(heading);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith('## '));
  return (end < 0 ? rest : rest.slice(0, end)).filter((l) => l.startsWith('- **'));
}

/** The figures as a reader recomputes them from the timeline alone (plus the policy's cadence). */
function fromTimeline(lines: string[], severity: string) {
  const find = (prefix: string): string | undefined => lines.find((l) => what(l).startsWith(prefix));
  const declared = find('Incident declared') as string;
  const declaredMin = minuteOf(declared);
  const byPd = who(declared) === 'PagerDuty';
  const start = find('⏱ Customer impact began');
  const startMin = start ? minuteOf(start) : declaredMin;
  const restored = find('⏱ Service restored');
  const mitigated = find('⏱ Mitigated');
  const acked = find('⏱ Acknowledged');
  const detected = find('⏱ Problem detected');
  const detectedMin = detected ? minuteOf(detected) : declaredMin;
  const ackMin = acked ? minuteOf(acked) : byPd ? undefined : declaredMin;
  const resolved = find('Resolved');
  const updates = lines.filter((l) => what(l).startsWith('Status update ('));
  const cadence = (POLICY.severities.find((x) => x.key === severity)?.updateCadenceMs ?? 0) / MIN;
  const lastMin = Math.max(...lines.filter((l) => !what(l).startsWith('⏱')).map(minuteOf));
  const promises: { made: number; due: number; byUpdate: boolean }[] = [{ made: declaredMin, due: declaredMin + cadence, byUpdate: false }];
  for (const u of updates) {
    if (what(u).startsWith('Status update (resolved)')) continue;
    const due = /next update due (\d\d):(\d\d)/.exec(what(u));
    if (due) promises.push({ made: minuteOf(u), due: Number(due[1]) * 60 + Number(due[2]), byUpdate: true });
  }
  const resolvedMin = resolved ? minuteOf(resolved) : undefined;
  let kept = 0;
  let broken = 0;
  for (const p of promises) {
    const next = updates.map(minuteOf).find((m) => (p.byUpdate ? m > p.made : m >= p.made));
    if (next !== undefined && (resolvedMin === undefined || next <= resolvedMin || next <= p.due)) {
      if (next > p.due) broken++;
      else kept++;
    } else if (resolvedMin !== undefined) {
      if (resolvedMin > p.due) broken++;
    } else if (lastMin > p.due) broken++;
  }
  const restoredMin = restored ? minuteOf(restored) : undefined;
  return {
    impact: restoredMin === undefined ? undefined : Math.max(0, restoredMin - startMin),
    mitigate: mitigated ? minuteOf(mitigated) - startMin : restoredMin !== undefined ? restoredMin - startMin : undefined,
    acknowledge: ackMin === undefined ? undefined : ackMin - detectedMin,
    updates: updates.length,
    kept,
    broken,
  };
}

describe('the summary never contradicts the timeline', () => {
  it('holds for random incidents', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const report = draftReport(build(s), POLICY);
        const lines = section(report, '## Resolution and recovery timeline');
        const r = fromTimeline(lines, s.severity);
        const summary = report.split('## Resolution and recovery timeline')[0] as string;
        const dur = (min: number): string => formatDuration(min * MIN);
        if (r.impact !== undefined) expect(summary).toContain(`**${dur(r.impact)}** from impact start to service restored`);
        else expect(summary).toMatch(/\*\*Impact:\*\* from .*\*\*ongoing\*\*/);
        if (r.mitigate !== undefined) expect(summary).toContain(`mitigated ${dur(Math.max(0, r.mitigate))} after impact began`);
        if (r.acknowledge !== undefined) expect(summary).toContain(`acknowledged ${dur(Math.max(0, r.acknowledge))} after detection`);
        if (r.updates) expect(summary).toContain(`- **Status updates:** ${r.updates} sent`);
        const measured = r.kept + r.broken;
        if (measured) expect(summary).toContain(`- **Update promises:** ${r.kept} of ${measured} kept${r.broken ? `, ⚠️ ${r.broken} broken` : ''}`);
        else expect(summary).not.toContain('**Update promises:**');
      }),
      { numRuns: 300, seed: 1207 },
    );
  });
});
