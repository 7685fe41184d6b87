/**
 * The customer-contact check with several customers attached, played through
 * the real `transition` and drafted by the real report functions: each
 * customer's own first contact against the call's deadline, the figure for
 * "every customer contacted", and the customer reports agreeing with both.
 */
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/domain/commands.ts';
import type { IncidentEvent } from '../../src/domain/events.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { draftCustomerReport, draftReport, reportFigures } from '../../src/domain/report/index.ts';
import { play as playUnder, T0, twoCustomerPolicy } from '../helpers/domain.ts';

const MIN = 60_000;
const POLICY: Policy = { ...twoCustomerPolicy, customerReports: { includeServiceCredit: false, showResponderNames: false } };
const iso = (min: number): string => new Date(T0.getTime() + min * MIN).toISOString();

/** The scripted commands under this file's policy (or another). */
const play = (steps: [number, Command][], policy: Policy = POLICY): IncidentEvent[] => playUnder(policy, steps);

const declare = (customers: string[]): Command => ({ type: 'declare', number: 7, title: 'Checkout fails', severity: 'SEV1', customers });
const contact = (customer?: string): Command => ({ type: 'record_customer_contact', ...(customer ? { customer } : {}), details: 'called' });
/** The summary's contact line and the lines under it. */
const contactLines = (md: string): string[] => {
  const all = md.split('\n');
  const i = all.findIndex((l) => l.startsWith('- **Customer first contacted:**'));
  const out = [all[i] as string];
  for (let j = i + 1; all[j]?.startsWith('  - '); j++) out.push(all[j] as string);
  return out;
};
const metricsRow = (md: string): string[] => md.split('\n').filter((l) => /^\| (Every customer|Customer) first contacted /.test(l));

describe('two customers, one of them never called', () => {
  // Acme called at 13:03; Globex never. The SEV1 call is due at 13:10.
  const events = play([[0, declare(['acme', 'globex'])], [3, contact('acme')], [30, { type: 'resolve' }]]);
  const md = draftReport(events, POLICY);

  it('states the check per customer, never "within the deadline" for both', () => {
    expect(contactLines(md)).toEqual([
      '- **Customer first contacted:** ⚠️ not every customer: no contact recorded with Globex',
      '  - Acme Corp: 13:03, 3m after declaration: within the 10m deadline (13:10)',
      '  - Globex: _Not recorded yet: run `/incident customer-contacted …`_ ⚠️ **missed** the 10m deadline (13:10)',
    ]);
  });

  it('does not give a time every customer was contacted by, in the figures or the metrics', () => {
    const f = reportFigures(events, POLICY);
    expect(f.contact.contactedMs).toBeUndefined();
    expect(f.contact.late).toBe(true);
    expect(f.contacts.map((c) => [c.customer, c.contactedMs, c.late])).toEqual([['acme', T0.getTime() + 3 * MIN, false], ['globex', undefined, true]]);
    expect(metricsRow(md)).toEqual(['| Every customer first contacted | — | — | — | _not reached: no contact recorded with Globex_ |']);
  });

  it('agrees with each customer report', () => {
    expect(draftCustomerReport(events, POLICY, 'acme')?.summary.firstContact).toBe('13:03');
    expect(draftCustomerReport(events, POLICY, 'globex')?.summary.firstContact).toBeUndefined();
  });
});

describe('two customers, both called, one late', () => {
  const events = play([[0, declare(['acme', 'globex'])], [3, contact('acme')], [14, contact('globex')], [30, { type: 'resolve' }]]);
  const md = draftReport(events, POLICY);

  it('marks the late call late and states when every customer had been called', () => {
    expect(contactLines(md)).toEqual([
      '- **Customer first contacted:** every customer by 13:14, 14m after declaration',
      '  - Acme Corp: 13:03, 3m after declaration: within the 10m deadline (13:10)',
      '  - Globex: 13:14, 14m after declaration: ⚠️ **4m past** the 10m deadline (13:10)',
    ]);
  });

  it("uses the last customer's first contact as the figure, in the summary and the metrics alike", () => {
    const f = reportFigures(events, POLICY);
    expect(f.contact).toMatchObject({ contactedMs: T0.getTime() + 14 * MIN, deadlineMs: T0.getTime() + 10 * MIN, late: true, required: true });
    expect(metricsRow(md)).toEqual(['| Every customer first contacted | 13:14 | 14m | 14m | the last of 2 customers, Globex: /incident customer-contacted by @UCOMMANDER |']);
  });

  it('agrees with each customer report', () => {
    expect(draftCustomerReport(events, POLICY, 'acme')?.summary.firstContact).toBe('13:03');
    expect(draftCustomerReport(events, POLICY, 'globex')?.summary.firstContact).toBe('13:14');
  });
});

describe('contacts that name no customer, and corrections', () => {
  it('counts a contact naming no customer as a contact with each', () => {
    const events = play([[0, declare(['acme', 'globex'])], [5, contact()], [8, contact('globex')], [30, { type: 'resolve' }]]);
    expect(contactLines(draftReport(events, POLICY))).toEqual([
      '- **Customer first contacted:** every customer by 13:05, 5m after declaration',
      '  - Acme Corp: 13:05, 5m after declaration: within the 10m deadline (13:10)',
      '  - Globex: 13:05, 5m after declaration: within the 10m deadline (13:10)',
    ]);
    expect(draftCustomerReport(events, POLICY, 'globex')?.summary.firstContact).toBe('13:05');
  });

  it("moves only the corrected customer's contact, as the customer reports do", () => {
    // Acme called at 13:04 but logged at 13:12; Globex called at 13:08.
    const events = play([
      [0, declare(['acme', 'globex'])], [8, contact('globex')], [12, contact('acme')], [30, { type: 'resolve' }],
      [40, { type: 'correct_time', key: 'customer_contacted', at: iso(4), reason: 'called before logging' }],
    ]);
    // The correction corrects the first contact logged (Globex's at 13:08), as `/incident times` shows it.
    const md = draftReport(events, POLICY);
    expect(contactLines(md)).toEqual([
      '- **Customer first contacted:** every customer by 13:12, 12m after declaration',
      '  - Acme Corp: 13:12, 12m after declaration: ⚠️ **2m past** the 10m deadline (13:10)',
      '  - Globex: 13:04, 4m after declaration: within the 10m deadline (13:10)',
    ]);
    expect(draftCustomerReport(events, POLICY, 'acme')?.summary.firstContact).toBe('13:12');
    expect(draftCustomerReport(events, POLICY, 'globex')?.summary.firstContact).toBe('13:04');
  });

  it('gives a correction with no contact logged to no one of two customers', () => {
    const events = play([[0, declare(['acme', 'globex'])], [30, { type: 'resolve' }], [40, { type: 'correct_time', key: 'customer_contacted', at: iso(4) }]]);
    expect(contactLines(draftReport(events, POLICY))[0]).toBe('- **Customer first contacted:** ⚠️ not every customer: no contact recorded with Acme Corp, Globex');
    expect(reportFigures(events, POLICY).contacts.every((c) => c.contactedMs === undefined)).toBe(true);
  });
});

describe('one customer, or none', () => {
  it('keeps the single line and the key time as they were', () => {
    const events = play([[0, declare(['acme'])], [6, contact('acme')], [30, { type: 'resolve' }]]);
    const md = draftReport(events, POLICY);
    expect(contactLines(md)).toEqual(['- **Customer first contacted:** 13:06, 6m after declaration: within the 10m deadline (13:10)']);
    expect(metricsRow(md)).toEqual(['| Customer first contacted | 13:06 | 6m | 6m | /incident customer-contacted by @UCOMMANDER |']);
    expect(reportFigures(events, POLICY).contacts).toEqual([]);
  });

  it('keeps the line of an incident with no customer', () => {
    const md = draftReport(play([[0, declare([])], [30, { type: 'resolve' }]]), POLICY);
    expect(contactLines(md)).toEqual(['- **Customer first contacted:** _Not recorded yet: run `/incident customer-contacted …`_ ⚠️ **missed** the 10m deadline (13:10)']);
    expect(metricsRow(md)).toEqual(['| Customer first contacted | — | — | — | _not recorded_ |']);
  });
});

describe('a customer attached after the declaration', () => {
  // Acme at the declaration (called 13:03, due 13:10); Globex attached at 14:00 and called at 14:07.
  const events = play([[0, declare(['acme'])], [3, contact('acme')], [60, { type: 'attach_customer', customer: 'globex', via: 'command' }], [67, contact('globex')], [90, { type: 'resolve' }]]);
  const md = draftReport(events, POLICY);

  it('is given the time to call from when it was attached, not the deadline set before it was known', () => {
    const lines = contactLines(md);
    expect(lines[1]).toContain('Acme Corp: 13:03');
    expect(lines[1]).toContain('within the 10m deadline (13:10)');
    expect(lines[2]).toContain('Globex: 14:07');
    expect(lines[2]).toContain('(14:10)');
    expect(lines[2]).not.toContain('⚠️');
    expect(lines[0]).not.toContain('⚠️');
    expect(reportFigures(events, POLICY).contact.late).toBe(false);
  });
});

describe("two customers, one's call item ticked", () => {
  // Acme's call item ticked at 13:03; Globex's never. Both are due at 13:10.
  const events = play([[0, declare(['acme', 'globex'])], [3, { type: 'check_item', itemId: 'call-customer:acme' }], [30, { type: 'resolve' }]]);
  const md = draftReport(events, POLICY);

  it('gives a first contact to the customer called only', () => {
    const f = reportFigures(events, POLICY);
    expect(f.contacts.map((c) => [c.customer, c.contactedMs, c.late])).toEqual([['acme', T0.getTime() + 3 * MIN, false], ['globex', undefined, true]]);
    expect(f.contact.contactedMs).toBeUndefined();
    expect(contactLines(md)).toEqual([
      '- **Customer first contacted:** ⚠️ not every customer: no contact recorded with Globex',
      '  - Acme Corp: 13:03, 3m after declaration: within the 10m deadline (13:10)',
      '  - Globex: _Not recorded yet: run `/incident customer-contacted …`_ ⚠️ **missed** the 10m deadline (13:10)',
    ]);
    expect(draftCustomerReport(events, POLICY, 'acme')?.summary.firstContact).toBe('13:03');
    expect(draftCustomerReport(events, POLICY, 'globex')?.summary.firstContact).toBeUndefined();
  });

  it('says in the timeline and the metrics that the call was ticked on the checklist, and by whom', () => {
    expect(md).toContain('Customer contacted (Acme Corp): their call ticked on the checklist');
    const one = play([[0, declare(['acme'])], [4, { type: 'check_item', itemId: 'call-customer:acme' }], [30, { type: 'resolve' }]]);
    expect(metricsRow(draftReport(one, POLICY))).toEqual(['| Customer first contacted | 13:04 | 4m | 4m | call ticked on the checklist by @UCOMMANDER |']);
  });
});

describe("each customer's deadline is their call item's", () => {
  it("holds a customer attached before the declaration's deadline to it, as their item did", () => {
    // Globex attached at 13:04, while the 13:10 deadline was ahead: their item was due 13:10; called at 13:12.
    const events = play([[0, declare(['acme'])], [2, contact('acme')], [4, { type: 'attach_customer', customer: 'globex', via: 'command' }], [12, contact('globex')], [30, { type: 'resolve' }]]);
    expect(reportFigures(events, POLICY).contacts.map((c) => [c.customer, c.deadlineMs, c.late])).toEqual([
      ['acme', T0.getTime() + 10 * MIN, false], ['globex', T0.getTime() + 10 * MIN, true],
    ]);
  });

  it('follows a corrected declaration, as the items did', () => {
    // Declared 13:00, corrected to 12:55 while both calls were open: both due 13:05. Acme called 13:03, Globex 13:08.
    const events = play([
      [0, declare(['acme', 'globex'])], [1, { type: 'correct_time', key: 'declared', at: iso(-5) }], [3, contact('acme')], [8, contact('globex')], [30, { type: 'resolve' }],
    ]);
    expect(reportFigures(events, POLICY).contacts.map((c) => [c.customer, c.deadlineMs, c.late])).toEqual([
      ['acme', T0.getTime() + 5 * MIN, false], ['globex', T0.getTime() + 5 * MIN, true],
    ]);
  });
});
