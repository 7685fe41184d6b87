/**
 * A corrected service-restored time, played through the real `transition`
 * and drafted by the real report: the impact window, SLA minutes and service
 * credit follow the correction (the time to contact does not move), and the
 * timeline shows each correction with the value it replaced.
 */
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/domain/commands.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { draftCustomerReport, draftReport, renderCustomerMarkdown, reportFigures } from '../../src/domain/report/index.ts';
import { asSlackUserId } from '../../src/domain/ids.ts';
import { play, T0, testPolicy } from '../helpers/domain.ts';

const MIN = 60_000;
/** Acme: 99.9 % over 30 days (a 43.2-minute budget), 10 % credit below it. */
const POLICY: Policy = { ...testPolicy, customerReports: { includeServiceCredit: true, showResponderNames: false } };
const iso = (min: number): string => new Date(T0.getTime() + min * MIN).toISOString();
const lines = (md: string, re: RegExp): string[] => md.split('\n').filter((l) => re.test(l));

// Declared at 13:00, Acme called at 13:07, resolved with /incident resolve at 14:00: 60 minutes of impact as logged.
const logged: [number, Command][] = [
  [0, { type: 'declare', number: 7, title: 'Checkout fails', severity: 'SEV1', customers: ['acme'], commanderId: asSlackUserId('UCOMMANDER') }],
  [7, { type: 'record_customer_contact', customer: 'acme', details: 'called Dana' }],
  [60, { type: 'resolve' }],
];
// The graphs show checkout working again at 13:40; later the team settles on 13:50.
const first = play(POLICY, [...logged, [70, { type: 'correct_time', key: 'restored', at: iso(40), reason: 'error graphs' }]]);
const second = play(POLICY, [...logged, [70, { type: 'correct_time', key: 'restored', at: iso(40), reason: 'error graphs' }], [80, { type: 'correct_time', key: 'restored', at: iso(50) }]]);

describe('a corrected service-restored time', () => {
  it('as logged: 60 minutes of impact, which earns a credit', () => {
    const events = play(POLICY, logged);
    expect(reportFigures(events, POLICY).impactMinutes).toBe(60);
    expect(draftCustomerReport(events, POLICY, 'acme')?.serviceCredit).toContain('service credit of 10 %');
  });

  it('ends the impact window at the corrected time: 40 minutes, within the agreement', () => {
    const f = reportFigures(first, POLICY);
    expect(f.impact.windows).toEqual([{ startMs: T0.getTime(), endMs: T0.getTime() + 40 * MIN }]);
    expect(f.impactMinutes).toBe(40);
    expect(f.toRestoreMs).toBe(40 * MIN);
    // No mitigation was recorded: the restoration stands in, corrected.
    expect(f.toMitigateMs).toBe(40 * MIN);
    // The time to contact does not depend on the restoration.
    expect(f.contact).toMatchObject({ contactedMs: T0.getTime() + 7 * MIN, late: false });
    const md = draftReport(first, POLICY);
    expect(md).toContain('**40m** from impact start to service restored');
    expect(md).toContain('- **SLA:** 40 minutes of impact.');
    expect(md).toContain('- **Customer first contacted:** 13:07, 7m after declaration');
    const r = draftCustomerReport(first, POLICY, 'acme');
    expect(r?.summary.window).toBe('13:00 – 13:40 (40 minutes)');
    expect(r?.summary.firstContact).toBe('13:07');
    expect(r?.serviceCredit).toContain('That is within your agreement, so no service credit is due.');
    expect(lines(renderCustomerMarkdown(r!), /Service was/)).toEqual(['- **13:40** Service was fully restored.']);
  });

  it('shows the old value on the timeline and beside the figure', () => {
    const md = draftReport(first, POLICY);
    expect(lines(md, /Time corrected:/)).toEqual([expect.stringMatching(/^- \*\*14:10\*\* \(14:10 UTC\) — Time corrected: service restored 13:40, was 14:00 \("error graphs"\) — /)]);
    expect(lines(md, /^\| Service restored \|/)).toEqual([expect.stringMatching(/^\| Service restored \| 13:40 \| 40m \| 40m \| corrected by .* \(was 14:00, no earlier restoration recorded: the resolution\) \|$/)]);
  });

  it('corrected again: the figures follow the second value and the timeline says what it replaced', () => {
    const f = reportFigures(second, POLICY);
    expect(f.impactMinutes).toBe(50);
    expect(f.impact.endMs).toBe(T0.getTime() + 50 * MIN);
    const md = draftReport(second, POLICY);
    expect(md).toContain('- **SLA:** 50 minutes of impact.');
    expect(lines(md, /Time corrected:/).map((l) => l.split(' — ')[1])).toEqual([
      'Time corrected: service restored 13:40, was 14:00 ("error graphs")',
      'Time corrected: service restored 13:50, was 13:40',
    ]);
    const r = draftCustomerReport(second, POLICY, 'acme');
    expect(r?.summary.window).toBe('13:00 – 13:50 (50 minutes)');
    expect(r?.serviceCredit).toContain('service credit of 10 %');
  });
});
