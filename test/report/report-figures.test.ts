/**
 * The figures a vendor sends its customer the same day, played through the
 * real `transition` (as the commands would make them) and drafted by the real
 * report functions: impact over a reopen, corrected key times, the customer
 * contact deadline, the SLA wording and what customer-facing text may show.
 */
import { describe, expect, it } from 'vitest';
import { CALL_CUSTOMER_ITEM } from '../../src/domain/call-items.ts';
import type { Command } from '../../src/domain/commands.ts';
import type { IncidentEvent } from '../../src/domain/events.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { asPdIncidentId } from '../../src/domain/ids.ts';
import { draftCustomerReport, draftReport, keyTimeRows, renderCustomerMarkdown, reportFigures } from '../../src/domain/report/index.ts';
import { play, T0, testPolicy, twoCustomerPolicy } from '../helpers/domain.ts';

const MIN = 60_000;
/** The test policy with the service credit in customer reports. */
const POLICY: Policy = { ...testPolicy, customerReports: { includeServiceCredit: true, showResponderNames: false } };
const iso = (min: number): string => new Date(T0.getTime() + min * MIN).toISOString();

const declare = (o: Partial<Extract<Command, { type: 'declare' }>> = {}): Command => ({
  type: 'declare', number: 7, title: 'Checkout fails', severity: 'SEV1', customers: ['acme'], ...o,
});
const lines = (md: string, re: RegExp): string[] => md.split('\n').filter((l) => re.test(l));

describe('impact over a reopen', () => {
  // Declared 13:00, resolved 13:30, reopened 14:30, resolved again 14:35: 30 + 5 minutes, not 95.
  const events = play(POLICY, [
    [0, declare()], [30, { type: 'resolve' }], [90, { type: 'reopen', reason: 'errors are back' }], [95, { type: 'resolve' }],
  ]);

  it('counts the time between the restoration and the reopen as no impact', () => {
    const f = reportFigures(events, POLICY);
    expect(f.impactMinutes).toBe(35);
    expect(f.impact.windows).toEqual([{ startMs: T0.getTime(), endMs: T0.getTime() + 30 * MIN }, { startMs: T0.getTime() + 90 * MIN, endMs: T0.getTime() + 95 * MIN }]);
    // The first restoration is the first mitigation; time to restore stays impact start → the last restoration.
    expect(f.toMitigateMs).toBe(30 * MIN);
    expect(f.toRestoreMs).toBe(95 * MIN);
  });

  it('states the same sum, and both windows, everywhere the report states impact', () => {
    const md = draftReport(events, POLICY);
    expect(lines(md, /^- \*\*Impact:\*\*/)).toEqual([
      expect.stringContaining('- **Impact:** 13:00 → 13:30 and 14:30 → 14:35 (13:00 → 13:30 and 14:30 → 14:35 UTC), **35m** from impact start to service restored, then from the reopen to service restored again'),
    ]);
    expect(md).toContain('mitigated 30m after impact began');
    expect(md).toContain('- **SLA:** 35 minutes of impact.');
    expect(md).toContain('  - Acme Corp (99.9 % over 30 days): 81 % of the 43.2-minute error budget used; 30-day availability 99.918 % → no service credit');
    expect(md).toContain('Impact: **35m** (impact start → service restored, and reopened → restored again).');
    // The timeline shows where the first window ended and the second began.
    expect(lines(md, / — ⏱ /).map((l) => l.split(' — ')[0] + ' ' + l.split(' — ')[1]?.split(':')[0])).toEqual([
      '- **13:30** (13:30 UTC) ⏱ Service restored', '- **14:30** (14:30 UTC) ⏱ Customer impact resumed', '- **14:35** (14:35 UTC) ⏱ Service restored',
    ]);
  });

  it('gives the customer the same windows, minutes and credit', () => {
    const r = draftCustomerReport(events, POLICY, 'acme');
    expect(r?.summary.window).toBe('13:00 – 13:30 and 14:30 – 14:35 (35 minutes)');
    expect(r?.summary.durationMs).toBe(35 * MIN);
    expect(r?.serviceCredit).toContain("this incident's 35 minutes of impact");
    expect(r?.serviceCredit).not.toContain('service credit of');
    const md = renderCustomerMarkdown(r!);
    expect(lines(md, /^- \*\*1[34]:\d\d\*\* /)).toEqual([
      '- **13:00** The service began to be affected.',
      '- **13:30** Service was restored.',
      '- **14:30** The problem returned and the service was affected again.',
      '- **14:35** Service was fully restored.',
    ]);
  });

  it('keeps an ongoing second window open to the last activity', () => {
    const open = play(POLICY, [[0, declare()], [30, { type: 'resolve' }], [90, { type: 'reopen' }], [100, { type: 'add_note', text: 'still failing', via: 'command' }]]);
    const f = reportFigures(open, POLICY);
    expect(f.impact.ongoing).toBe(true);
    expect(f.impactMinutes).toBe(40);
  });
});

describe('the service-credit statement', () => {
  const policy: Policy = { ...twoCustomerPolicy, customerReports: { includeServiceCredit: true, showResponderNames: false } };
  const credit = (p: Policy, customer: string, minutes: number): string | undefined =>
    draftCustomerReport(play(p, [[0, declare({ customers: [customer] })], [minutes, { type: 'resolve' }]]), p, customer)?.serviceCredit;

  it('says the target was missed when no credit tier applies, never that it was within the agreement', () => {
    // Globex: 99.5 % over 30 days (216 minutes), no credit tiers; 300 minutes leave 99.305 %.
    const text = credit(policy, 'globex', 300);
    expect(text).toContain('leave availability for the period at 99.305 %');
    expect(text).toContain('That misses the 99.5 % availability target; no service credit tier in your agreement applies at that level, so no service credit is due.');
    expect(text).not.toContain('within your agreement');
  });

  it('says the same when the only tiers start further below the target', () => {
    const p: Policy = { ...policy, customers: [{ ...(policy.customers[0] as Policy['customers'][number]), serviceCredits: [{ belowPercent: 99, creditPercent: 10 }] }] };
    const text = credit(p, 'acme', 100); // 99.768 %: below 99.9, above 99
    expect(text).toContain('That misses the 99.9 % availability target; no service credit tier');
  });

  it('is within the agreement exactly at the target, and earns the tier below it', () => {
    expect(credit(policy, 'acme', 43.2)).toContain('That is within your agreement, so no service credit is due.');
    expect(credit(policy, 'acme', 50)).toContain('This qualifies for a service credit of 10 % of your monthly fee');
  });
});

describe('a corrected resolution', () => {
  const pdResolve: Command = { type: 'record_pagerduty_event', eventType: 'incident.resolved', pdIncidentId: asPdIncidentId('PQ1'), facts: {} };
  const row = (events: IncidentEvent[], key: string) => keyTimeRows(events, POLICY).find((r) => r.key === key);

  it('moves the restoration derived from it, and the impact with it', () => {
    // Resolved with /incident resolve at 13:28; the team says it was really resolved at 13:20.
    const events = play(POLICY, [[0, declare()], [28, { type: 'resolve' }], [60, { type: 'correct_time', key: 'resolved', at: iso(20) }]]);
    expect(row(events, 'resolved')?.ms).toBe(T0.getTime() + 20 * MIN);
    expect(row(events, 'restored')).toMatchObject({ ms: T0.getTime() + 20 * MIN, source: 'no earlier restoration recorded: the resolution' });
    const f = reportFigures(events, POLICY);
    expect(f.impact.endMs).toBe(T0.getTime() + 20 * MIN);
    expect(f.impactMinutes).toBe(20);
    expect(f.toRestoreMs).toBe(20 * MIN);
    expect(draftReport(events, POLICY)).toContain('**20m** from impact start to service restored');
    expect(draftCustomerReport(events, POLICY, 'acme')?.summary.window).toBe('13:00 – 13:20 (20 minutes)');
  });

  it('leaves a restoration PagerDuty reported before it where it was', () => {
    const events = play(POLICY, [[0, declare()], [15, pdResolve], [28, { type: 'resolve' }], [60, { type: 'correct_time', key: 'resolved', at: iso(20) }]]);
    expect(row(events, 'restored')).toMatchObject({ ms: T0.getTime() + 15 * MIN, source: 'PagerDuty resolve (source time)' });
  });

  it('never leaves the restoration after it: a PagerDuty resolve later than the corrected resolution is its echo', () => {
    const events = play(POLICY, [[0, declare()], [25, pdResolve], [28, { type: 'resolve' }], [60, { type: 'correct_time', key: 'resolved', at: iso(20) }]]);
    expect(row(events, 'restored')?.ms).toBe(T0.getTime() + 20 * MIN);
  });

  it('before a reopen, ends the first impact window', () => {
    const events = play(POLICY, [
      [0, declare()], [30, { type: 'resolve' }], [40, { type: 'correct_time', key: 'resolved', at: iso(25) }], [90, { type: 'reopen' }], [95, { type: 'resolve' }],
    ]);
    expect(reportFigures(events, POLICY).impactMinutes).toBe(30);
  });
});

describe("the generic call item ticked", () => {
  it('is the first customer contact the report times', () => {
    // No customer named: the checklist asks for the generic call, ticked at 13:04.
    const events = play(twoCustomerPolicy, [[0, declare({ customers: [] })], [4, { type: 'check_item', itemId: CALL_CUSTOMER_ITEM }], [30, { type: 'resolve' }]]);
    expect(keyTimeRows(events, twoCustomerPolicy).find((r) => r.key === 'customer_contacted')?.ms).toBe(T0.getTime() + 4 * MIN);
    expect(draftReport(events, twoCustomerPolicy)).toContain('- **Customer first contacted:** 13:04, 4m after declaration');
  });
});

describe('a declaration corrected twice', () => {
  it("says the second correction's was is the first correction's time, not the declaration as logged", () => {
    // Declared 13:00; corrected to 12:50, then to 12:55.
    const events = play(POLICY, [
      [0, declare()], [10, { type: 'correct_time', key: 'declared', at: iso(-10) }], [20, { type: 'correct_time', key: 'declared', at: iso(-5), reason: 'bridge log' }],
    ]);
    const corrections = events.filter((e) => e.type === 'time_corrected').map((e) => e.data);
    expect(corrections).toEqual([
      expect.objectContaining({ key: 'declared', at: iso(-10), previous: iso(0) }),
      expect.objectContaining({ key: 'declared', at: iso(-5), previous: iso(-10) }),
    ]);
    const said = lines(draftReport(events, POLICY), /Time corrected: declared/);
    expect(said).toHaveLength(2);
    expect(said[1]).toMatch(/declared 12:55, was 12:50 /);
  });
});

describe('a corrected customer contact', () => {
  const policy: Policy = { ...twoCustomerPolicy, customerReports: { includeServiceCredit: true, showResponderNames: false } };
  const contactLine = (r: ReturnType<typeof draftCustomerReport>) => r?.timeline.find((t) => t.text.startsWith('We contacted'));

  it('is the time the customer report states, as the internal report does', () => {
    // Called at 13:03, logged at 13:07, corrected later.
    const events = play(POLICY, [
      [0, declare()], [7, { type: 'record_customer_contact', customer: 'acme', details: 'called Dana' }], [30, { type: 'resolve' }],
      [60, { type: 'correct_time', key: 'customer_contacted', at: iso(3), reason: 'called before logging' }],
    ]);
    expect(draftReport(events, POLICY)).toContain('- **Customer first contacted:** 13:03, 3m after declaration');
    const r = draftCustomerReport(events, POLICY, 'acme');
    expect(r?.summary.firstContact).toBe('13:03');
    expect(contactLine(r)).toMatchObject({ ms: T0.getTime() + 3 * MIN, time: '13:03' });
  });

  it("does not become another customer's contact", () => {
    const events = play(policy, [
      [0, declare({ customers: ['acme', 'globex'] })], [7, { type: 'record_customer_contact', customer: 'acme', details: 'called Dana' }],
      [30, { type: 'resolve' }], [60, { type: 'correct_time', key: 'customer_contacted', at: iso(3) }],
    ]);
    expect(draftCustomerReport(events, policy, 'acme')?.summary.firstContact).toBe('13:03');
    expect(draftCustomerReport(events, policy, 'globex')?.summary.firstContact).toBeUndefined();
  });

  it("is the only customer's contact when none was logged, and no one's when there are two", () => {
    const steps = (customers: string[]): [number, Command][] => [
      [0, declare({ customers })], [30, { type: 'resolve' }], [60, { type: 'correct_time', key: 'customer_contacted', at: iso(4) }],
    ];
    expect(draftCustomerReport(play(policy, steps(['acme'])), policy, 'acme')?.summary.firstContact).toBe('13:04');
    expect(draftCustomerReport(play(policy, steps(['acme', 'globex'])), policy, 'acme')?.summary.firstContact).toBeUndefined();
  });
});

describe('the contact deadline of a customer attached later', () => {
  // SEV4 expects no customer call; attaching one adds the call to the checklist, due 4h after the declaration.
  const policy: Policy = { ...twoCustomerPolicy, customerReports: { includeServiceCredit: true, showResponderNames: false } };
  const contactLine = (steps: [number, Command][]): string[] =>
    lines(draftReport(play(policy, [[0, declare({ severity: 'SEV4', customers: [] })], [5, { type: 'attach_customer', customer: 'acme', via: 'command' }], ...steps]), policy), /^- \*\*Customer first contacted:/);

  it('judges a missing contact against the checklist item attaching the customer added', () => {
    expect(contactLine([[600, { type: 'resolve' }]])).toEqual([
      '- **Customer first contacted:** _Not recorded yet: run `/incident customer-contacted …`_ ⚠️ **missed** the 4h deadline (17:00)',
    ]);
  });

  it("judges a contact against it too, not against the declared severity's deadline", () => {
    // Raised to SEV3 before the customer was attached: the call added then is due within SEV3's hour.
    const events = play(policy, [
      [0, declare({ severity: 'SEV4', customers: [] })], [2, { type: 'change_severity', severity: 'SEV3' }],
      [5, { type: 'attach_customer', customer: 'acme', via: 'command' }], [90, { type: 'record_customer_contact', customer: 'acme', details: 'called' }], [120, { type: 'resolve' }],
    ]);
    expect(lines(draftReport(events, policy), /^- \*\*Customer first contacted:/)).toEqual([
      '- **Customer first contacted:** 14:30, 1h 30m after declaration: ⚠️ **30m past** the 1h deadline (14:00)',
    ]);
  });
});

describe('customer-facing text', () => {
  const acme = testPolicy.customers[0] as Policy['customers'][number];
  const other = (id: string, name: string): Policy['customers'][number] => ({ ...acme, id, name });
  const policy: Policy = { ...POLICY, customers: [acme, other('bank', 'Bank'), other('orsted', 'Ørsted')] };
  const experienced = (summary: string): string | undefined =>
    draftCustomerReport(play(policy, [[0, declare()], [5, { type: 'post_status_update', status: 'investigating', summary }], [20, { type: 'resolve' }]]), policy, 'acme')?.summary.experienced;

  it('keeps upper-case words that are not Slack user ids', () => {
    expect(experienced('Checkout returns 503 UNAVAILABLE and UNAUTHORIZED errors from the WAREHOUSE service.'))
      .toBe('Checkout returns 503 UNAVAILABLE and UNAUTHORIZED errors from the WAREHOUSE service.');
  });

  it('hides Slack user ids, mentioned or bare', () => {
    expect(experienced('Seen by <@U0123ABCD>, U0123ABCDE and W2468ACE1X.')).toBe('Seen by our team, our team and our team.');
  });

  it("replaces other customers' names as whole words only, in any case and script", () => {
    expect(experienced('The banking gateway is slow for Bank and BANK; bank-side retries fail.')).toBe(
      'The banking gateway is slow for another customer and another customer; another customer-side retries fail.',
    );
    expect(experienced("Ørsted's traffic, not Ørstedværket's, is affected.")).toBe("another customer's traffic, not Ørstedværket's, is affected.");
  });
});

describe('a corrected declaration', () => {
  // Declared with /incident at 13:00; the team says it was really declared at 12:55.
  const steps = (o: Partial<Extract<Command, { type: 'declare' }>> = {}): [number, Command][] => [
    [0, declare(o)], [7, { type: 'record_customer_contact', customer: 'acme', details: 'called Dana' }],
    [10, { type: 'post_status_update', status: 'investigating', summary: 'Looking', nextUpdateInMs: 20 * MIN }], [30, { type: 'resolve' }],
    [60, { type: 'correct_time', key: 'declared', at: iso(-5) }],
  ];

  it('is the declaration time everywhere the report measures from it', () => {
    const md = draftReport(play(POLICY, steps()), POLICY);
    expect(md).toContain('· **Declared:** Monday 2 Mar 2026, 12:55 ·');
    expect(md).toContain('- **Customer first contacted:** 13:07, 12m after declaration');
    expect(md).toContain('- **Status updates:** 1 sent; longest gap 15m (declaration → 13:10)');
    expect(md).toContain('| Measure | Reached at | From impact start (12:55) | From declaration (12:55) | Source |');
    expect(md).toContain('| Declared | 12:55 | 0s | 0s | corrected by @UCOMMANDER (was 13:00, the declaration) |');
    // The times that were the declaration's follow it: the declaration stood in for them.
    expect(md).toContain('| Impact started | 12:55 | 0s | 0s | not recorded: the declaration stands in |');
    expect(md).toContain('| Detected | 12:55 | 0s | 0s | the declaration |');
    expect(md).toContain('| Acknowledged | 12:55 | 0s | 0s | declared by a person |');
    expect(md).toContain('**35m** from impact start to service restored');
    expect(md).toMatch(/- \*\*12:55\*\* \(12:55 UTC\) — ⏱ Declared: corrected by @UCOMMANDER/);
  });

  it('leaves a time recorded at the declaration where it was', () => {
    const md = draftReport(play(POLICY, steps({ impactStartedAt: iso(-20) })), POLICY);
    expect(md).toContain('| Impact started | 12:40 | 0s | 15m before | recorded at declaration |');
    expect(md).toContain('**50m** from impact start to service restored');
  });
});

describe('minutes in a customer report', () => {
  const report = (minutes: number) => draftCustomerReport(play(POLICY, [[0, declare()], [minutes, { type: 'resolve' }]]), POLICY, 'acme');

  it('are stated by one rule in the window and the service credit', () => {
    const r = report(28 + 40 / 60); // 28 min 40 s
    expect(r?.summary.window).toBe('13:00 – 13:28 (28.7 minutes)');
    expect(r?.serviceCredit).toContain("this incident's 28.7 minutes of impact");
  });

  it('keep hours in the window and the same total in the credit', () => {
    const r = report(65.5);
    expect(r?.summary.window).toBe('13:00 – 14:05 (1 hour 5.5 minutes)');
    expect(r?.serviceCredit).toContain("this incident's 65.5 minutes of impact");
    expect(report(50)?.summary.window).toBe('13:00 – 13:50 (50 minutes)');
    expect(report(0.5)?.summary.window).toBe('13:00 – 13:00 (0.5 minutes)');
  });
});
