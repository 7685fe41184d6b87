/**
 * Properties every drafted report keeps, whatever the incident: structure,
 * citations, determinism, time zones, SLA arithmetic and escaping.
 */
import { describe, expect, it } from 'vitest';
import type { IncidentEvent } from '../../src/domain/events.ts';
import {
  createReportClock, draftReport, escapeInline, PLACEHOLDERS, REPORT_SECTIONS, slaImpact, formatNumber, formatNumberDown,
} from '../../src/domain/report/index.ts';
import { parseIsoMs } from '../../src/domain/report/iso.ts';
import { ACME, LogBuilder, MIN, PEOPLE, REPORT_POLICY, permalink, scriptedSev1, slackTs, sources, T0 } from '../fixtures/report/scripted-incident.ts';

const HEADINGS = REPORT_SECTIONS;

function declaredOnly(): IncidentEvent[] {
  const b = new LogBuilder();
  b.declare({ policy: REPORT_POLICY, severity: 'SEV2', title: 'Search is slow' });
  return b.events;
}

/** Lines of a `##` section up to the next `##` heading (`###` sub-headings stay inside). */
function section(report: string, heading: string): string[] {
  const lines = report.split('\n');
  const start = lines.indexOf(heading);
  expect(start, `missing ${heading}`).toBeGreaterThanOrEqual(0);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => /^## /.test(l));
  return end < 0 ? rest : rest.slice(0, end);
}

function citationsOf(events: readonly IncidentEvent[]): { ids: Set<string>; links: Set<string>; pd: Set<string> } {
  const ids = new Set<string>();
  const links = new Set<string>();
  const pd = new Set<string>();
  for (const e of events) {
    ids.add(e.id);
    if (e.source.kind === 'slack' && e.source.permalink) links.add(e.source.permalink);
    if (e.source.kind === 'pagerduty') pd.add(e.source.eventId);
    if (e.type === 'note_added' && e.data.permalink) links.add(e.data.permalink);
  }
  return { ids, links, pd };
}

/** Checks the citation at the end of a timeline line against the input; returns which kind it was. */
function citedKind(line: string, c: ReturnType<typeof citationsOf>): 'permalink' | 'event' | 'pagerduty' | undefined {
  const last = line.slice(line.lastIndexOf(' — ') + 3);
  let m = /^\[event ([0-9a-f]{8})\]\((\S+)\)$/.exec(last);
  if (m && c.links.has(m[2] ?? '') && [...c.ids].some((id) => id.startsWith(m?.[1] ?? '-'))) return 'permalink';
  m = /^`event (\S+)`$/.exec(last);
  if (m && c.ids.has(m[1] ?? '')) return 'event';
  m = /^(?:\[PagerDuty event (\S+)\]\(https:\/\/\S+\)|`PagerDuty event (\S+)`)$/.exec(last);
  if (m && c.pd.has(m[1] ?? m[2] ?? '')) return 'pagerduty';
  return undefined;
}

describe('report structure', () => {
  it('has every section, in order, for an incident with only a declared event', () => {
    const report = draftReport(declaredOnly(), REPORT_POLICY);
    const positions = HEADINGS.map((h) => report.split('\n').indexOf(h));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(section(report, '## Root cause')).toContain(PLACEHOLDERS.rootCause);
    expect(section(report, '## Corrective and preventive measures')).toEqual(expect.arrayContaining([PLACEHOLDERS.prevent, PLACEHOLDERS.failBetter]));
    expect(report).toContain('_None sent yet: run `/incident update`_');
    expect(report).toContain('**ongoing**');
    expect(section(report, '## Metrics')).toContain('| Service restored | — | — | — | _not recorded_ |');
  });

  it('has every section, in order, for a fully populated incident', () => {
    const { events, policy } = scriptedSev1();
    const report = draftReport(events, policy);
    const lines = report.split('\n');
    const positions = HEADINGS.map((h) => lines.indexOf(h));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(lines.filter((l) => /^## /.test(l))).toEqual([...HEADINGS]);
    expect(report).not.toContain('Not recorded yet');
    expect(report).not.toContain('None recorded yet');
  });
});

describe('timeline citations', () => {
  it('ends every timeline line with a citation of an input event, permalink or PagerDuty event', () => {
    const { events, policy } = scriptedSev1();
    const lines = section(draftReport(events, policy), '## Resolution and recovery timeline').filter((l) => l.startsWith('- '));
    const c = citationsOf(events);
    const kinds = lines.map((l) => citedKind(l, c));
    expect(kinds.filter((k) => k === undefined)).toEqual([]);
    // All three kinds occur in the scripted incident, so each branch above is exercised.
    expect(new Set(kinds)).toEqual(new Set(['permalink', 'event', 'pagerduty']));
    // Every event but joins and report drafts has a line, plus one per key time: impact start, detection,
    // acknowledgement (PagerDuty), mitigation (status → monitoring) and restoration (PagerDuty resolve).
    const skipped = events.filter((e) => e.type === 'member_joined' || e.type === 'report_drafted').length;
    expect(lines).toHaveLength(events.length - skipped + 5);
    expect(lines.filter((l) => l.includes(' — ⏱ ')).map((l) => l.split(' — ')[1]?.split(':')[0])).toEqual([
      '⏱ Customer impact began', '⏱ Problem detected', '⏱ Acknowledged', '⏱ Mitigated', '⏱ Service restored',
    ]);
  });

  it('orders lines by time, then log order, whatever order the log holds them in', () => {
    const b = new LogBuilder();
    b.declare({ policy: REPORT_POLICY, severity: 'SEV2', title: 'Queue backlog' });
    b.add('status_changed', 5 * MIN, { from: 'investigating', to: 'identified' }, PEOPLE.mara, sources.command);
    const ts = slackTs(T0 + 2 * MIN);
    // Flagged after the status change but sent before it: the timeline puts it first.
    b.add('note_added', 2 * MIN, { text: 'Backlog at 40k', via: 'pin', messageTs: ts, permalink: permalink(ts) }, PEOPLE.mara, sources.message(ts));
    b.add('checklist_item_done', 5 * MIN, { itemId: 'assess-impact', title: 'Assess customer impact and the affected customers' }, PEOPLE.mara, sources.command);
    const lines = section(draftReport(b.events, REPORT_POLICY), '## Resolution and recovery timeline').filter((l) => l.startsWith('- '));
    expect(lines.map((l) => l.split(' — ')[1]?.split(':')[0]?.split(' (')[0])).toEqual([
      'Incident declared as SEV2', 'Note', 'Status changed investigating → identified', 'Checklist item done',
    ]);
  });
});

describe('determinism', () => {
  it('gives byte-identical output for the same events, and for a deep copy of them', () => {
    const { events, policy } = scriptedSev1();
    const first = draftReport(events, policy);
    expect(draftReport(events, policy)).toBe(first);
    expect(draftReport(structuredClone(events), structuredClone(policy))).toBe(first);
  });

  it('gives the same output when a shuffled log is sorted back by time', () => {
    const { events, policy } = scriptedSev1();
    // Distinct times make the sort total, so any shuffle sorts back to the same log.
    const distinct = events.map((e, i) => ({ ...e, occurredAt: new Date(T0 + i * 1000).toISOString() })) as IncidentEvent[];
    const shuffled = [...distinct].reverse();
    const sorted = [...shuffled].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    expect(draftReport(sorted, policy)).toBe(draftReport(distinct, policy));
  });
});

describe('time zones', () => {
  it('shows local time with UTC beside it, from policy or from the option', () => {
    const events = declaredOnly();
    const berlin = draftReport(events, REPORT_POLICY);
    expect(berlin).toContain('- **15:02** (13:02 UTC) — Incident declared as SEV2');
    expect(berlin).toContain('**Times:** Europe/Berlin (UTC+02:00)');
    const ny = draftReport(events, REPORT_POLICY, { timezone: 'America/New_York' });
    expect(ny).toContain('- **09:02** (13:02 UTC) — Incident declared as SEV2');
    expect(ny).toContain('**Times:** America/New_York (UTC-04:00)');
  });

  it('falls back to UTC, and says so, for an unknown zone', () => {
    const report = draftReport(declaredOnly(), REPORT_POLICY, { timezone: 'Mars/Olympus_Mons' });
    expect(report).toContain('- **13:02** (13:02 UTC)');
    expect(report).toContain('the configured zone "Mars/Olympus\\_Mons" is not a known time zone');
  });

  it('matches Intl minute by minute across DST changes, including half-hour ones', () => {
    const cases: [string, string][] = [
      ['Europe/Berlin', '2024-10-27T00:00:00Z'], ['Europe/Berlin', '2024-03-31T00:00:00Z'],
      ['America/New_York', '2024-11-03T05:00:00Z'], ['Australia/Lord_Howe', '2024-10-05T14:00:00Z'],
      ['Asia/Kathmandu', '2024-01-01T00:00:00Z'], ['Pacific/Chatham', '2024-04-06T13:00:00Z'],
    ];
    for (const [zone, from] of cases) {
      const clock = createReportClock(zone);
      const intl = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
      const start = Date.parse(from);
      for (let m = 0; m < 180; m++) {
        const ms = start + m * MIN + 17_000;
        expect(clock.stamp(ms).local, `${zone} ${new Date(ms).toISOString()}`).toBe(intl.format(ms));
      }
    }
  });

  it('names both offsets when the incident spans a DST change', () => {
    const b = new LogBuilder(Date.parse('2024-10-27T00:30:00Z'));
    b.declare({ policy: REPORT_POLICY, severity: 'SEV3', title: 'Night batch failed' });
    b.add('resolved', 60 * MIN, {}, PEOPLE.mara, sources.command);
    const report = draftReport(b.events, REPORT_POLICY);
    expect(report).toContain('Europe/Berlin (UTC+02:00 / UTC+01:00)');
    expect(report).toContain('- **02:30** (00:30 UTC) — Incident declared');
    expect(report).toContain('- **02:30** (01:30 UTC) — Resolved');
  });
});

describe('SLA and service credits', () => {
  const sla = ACME.sla;
  const credits = ACME.serviceCredits;

  it('computes the hand-checked case: 50 minutes against 99.9 % over 30 days', () => {
    const r = slaImpact(50, sla, credits);
    expect(r.budgetMinutes).toBeCloseTo(43.2, 9);
    expect(formatNumber(r.consumedPercent, 1)).toBe('115.7');
    expect(formatNumberDown(r.availabilityPercent, 3)).toBe('99.884');
    expect(r.creditPercent).toBe(10);
  });

  it('picks the highest tier below which availability falls, and none at the boundary', () => {
    expect(slaImpact(500, sla, credits).creditPercent).toBe(25); // 98.84 %
    expect(slaImpact(40, sla, credits).creditPercent).toBe(0); // 99.907 %
    expect(slaImpact(43.2, sla, credits)).toMatchObject({ availabilityPercent: 99.9, creditPercent: 0 }); // exactly at target
    expect(slaImpact(0, sla, credits)).toMatchObject({ consumedPercent: 0, availabilityPercent: 100, creditPercent: 0 });
  });

  it('puts the arithmetic in the report for each affected customer', () => {
    const b = new LogBuilder();
    b.declare({ policy: REPORT_POLICY, severity: 'SEV1', title: 'API down', customers: ['acme'], impactStartedAt: -20 * MIN });
    b.add('resolved', 30 * MIN, {}, PEOPLE.mara, sources.command);
    const report = draftReport(b.events, REPORT_POLICY);
    expect(report).toContain('- **SLA:** 50 minutes of impact.');
    expect(report).toContain('  - Acme Corp (99.9 % over 30 days): ⚠️ 115.7 % of the 43.2-minute error budget used; 30-day availability 99.884 % → **10 % service credit**');
  });
});

describe('escaping user text', () => {
  it('keeps a hostile note, title and root cause from breaking the structure', () => {
    const b = new LogBuilder();
    b.declare({ policy: REPORT_POLICY, severity: 'SEV2', title: 'Title\n## Root cause\n<script>' });
    const hostile = '# HACKED\n## Root cause\n| a | b |\n- [x](javascript:alert(1)) **bold** `code` 1. item';
    const ts = slackTs(T0 + MIN);
    b.add('note_added', MIN, { text: hostile, via: 'command', messageTs: ts }, PEOPLE.mara, sources.command);
    b.add('root_cause_recorded', 2 * MIN, { text: '## Fake heading\n    indented code\n> quote\n---' }, PEOPLE.mara, sources.command);
    b.add('action_item_added', 3 * MIN, { kind: 'prevent', text: '1. ordered\n# heading' }, PEOPLE.mara, sources.command);
    const report = draftReport(b.events, REPORT_POLICY);
    const lines = report.split('\n');
    expect(lines.filter((l) => /^#{1,6} /.test(l) && !l.startsWith('### ') && !l.startsWith('# INC-42'))).toEqual([...HEADINGS]);
    expect(lines.filter((l) => l.startsWith('|'))).toHaveLength(12); // the metrics table only: header, rule, ten key times
    expect(lines.some((l) => /^( {4}|>|---$|-{3,}$)/.test(l) && l !== '---')).toBe(false);
    expect(report).not.toContain('<script>');
    expect(report).not.toMatch(/[^\\]\]\(javascript:/);
    expect(report).toContain('"\\# HACKED / ## Root cause / \\| a \\| b \\| / - \\[x\\](javascript:alert(1)) \\*\\*bold\\*\\* \\`code\\` 1. item"');
    expect(section(report, '### Prevent a recurrence')).toContain('- 1\\. ordered / # heading _(Mara Voss, 15:05)_');
  });

  it('escapes inline specials and leading block markers', () => {
    expect(escapeInline('# a *b* _c_ <d> [e](f) | ~g~')).toBe('\\# a \\*b\\* \\_c\\_ \\<d\\> \\[e\\](f) \\| \\~g\\~');
    expect(escapeInline('line one\r\n\n  line two')).toBe('line one / line two');
    expect(escapeInline('12) twelve')).toBe('12\\) twelve');
    expect(escapeInline('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});

describe('large incidents', () => {
  it('cites every line of a multi-day incident with thousands of notes, the same way twice', () => {
    const b = new LogBuilder();
    b.declare({ policy: REPORT_POLICY, severity: 'SEV3', title: 'Slow exports' });
    const notes = 3_000;
    for (let i = 1; i <= notes; i++) {
      const ms = i * 97_000; // until Friday 23:52 in Berlin
      const ts = slackTs(T0 + ms, i);
      b.add('note_added', ms, { text: `Observation ${i}`, via: 'pin', messageTs: ts, permalink: permalink(ts) }, PEOPLE.lea, sources.message(ts));
    }
    const report = draftReport(b.events, REPORT_POLICY);
    expect(draftReport(b.events, REPORT_POLICY)).toBe(report);
    const timeline = section(report, '## Resolution and recovery timeline');
    const lines = timeline.filter((l) => l.startsWith('- '));
    expect(lines).toHaveLength(notes + 1);
    const c = citationsOf(b.events);
    expect(lines.filter((l) => citedKind(l, c) === undefined)).toEqual([]);
    expect(timeline.filter((l) => l.startsWith('### '))).toEqual([
      '### Tuesday 14 May 2024', '### Wednesday 15 May 2024', '### Thursday 16 May 2024', '### Friday 17 May 2024',
    ]);
    // Lines keep their order across the sink's chunk boundaries.
    const numbers = lines.slice(1).map((l) => Number(/"Observation (\d+)"/.exec(l)?.[1]));
    expect(numbers).toEqual(Array.from({ length: notes }, (_, i) => i + 1));
  });
});

describe('reading event times', () => {
  it('agrees with Date.parse on canonical, short, odd and invalid strings', () => {
    const samples = [
      '2024-05-14T13:02:00.000Z', '2024-05-14T13:02:00Z', '2024-02-29T23:59:59.999Z', '2023-02-29T00:00:00.000Z',
      '2024-04-31T00:00:00.000Z', '2024-05-14T24:00:00.000Z', '2024-13-01T00:00:00.000Z', '0050-01-01T00:00:00.000Z',
      '2024-05-14T13:02:00.000+02:00', '2024-05-14 13:02:00Z', '2024-05-14T1a:02:00.000Z', '2024-05-14', 'not a date', '',
    ];
    for (const s of samples) expect(parseIsoMs(s), s).toEqual(Date.parse(s));
  });
});
