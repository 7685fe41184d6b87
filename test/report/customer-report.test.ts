/**
 * The customer report, per format, against golden files. Rewrite them with
 * `UPDATE_GOLDEN=1 npx vitest run test/report/customer-report` and read the diff.
 * The pinned checks below make sure a careless rewrite cannot bless a report
 * that leaks what a customer may not see.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderReportPage } from '../../src/adapters/html/report-page.ts';
import { asSlackChannelId } from '../../src/domain/ids.ts';
import type { CustomerPolicy, Policy } from '../../src/domain/policy.ts';
import { CUSTOMER_REPORT_SECTIONS, draftCustomerReport, renderCustomerMarkdown } from '../../src/domain/report/customer.ts';
import { ACME, LogBuilder, PEOPLE, REPORT_POLICY, scriptedSev1, sources, T0, MIN } from '../fixtures/report/scripted-incident.ts';

const GLOBEX: CustomerPolicy = {
  id: 'globex', name: 'Globex', mainContact: { name: 'Hank Scorpio' }, slackChannel: asSlackChannelId('C0GLOBEX'),
  sla: { targetPercent: 99.5, periodDays: 30 }, serviceCredits: [{ belowPercent: 99.5, creditPercent: 5 }],
};
/** Acme reads its report in New York time; Globex is attached too and must not appear in Acme's. */
const POLICY: Policy = {
  ...REPORT_POLICY,
  customers: [{ ...ACME, timezone: 'America/New_York' }, GLOBEX],
  customerReports: { includeServiceCredit: true, showResponderNames: false },
};

function incident() {
  const { events } = scriptedSev1();
  // Replay the scripted SEV1 with a second customer attached and an update that names it.
  const b = new LogBuilder();
  for (const e of events) b.events.push(e);
  b.add('customer_attached', 6 * MIN, { customer: 'globex', via: 'command', policy: GLOBEX }, PEOPLE.mara, sources.command);
  b.add('status_update_posted', 20 * MIN, {
    status: 'identified', summary: 'Found it: a bad release. Globex and others are affected; <@U02MARA> is rolling it back (see https://acme-ops.pagerduty.com/incidents/Q2K9ZL4RTS).',
    nextUpdateAt: new Date(T0 + 40 * MIN).toISOString(), relayedTo: [ACME.slackChannel!, GLOBEX.slackChannel!],
  }, PEOPLE.mara, sources.command);
  b.add('note_added', 21 * MIN, { text: 'INTERNAL: the on-call runbook was out of date', via: 'command' }, PEOPLE.lea, sources.command);
  b.events.sort((x, y) => Date.parse(x.occurredAt) - Date.parse(y.occurredAt));
  return b.events;
}

const golden = (name: string): string => fileURLToPath(new URL(`../fixtures/report/${name}`, import.meta.url));

function matchGolden(name: string, text: string): void {
  const path = golden(name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, text);
  expect(existsSync(path), `missing ${path}; run with UPDATE_GOLDEN=1`).toBe(true);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

/** What no customer report may contain, whatever the format. */
function expectNothingInternal(text: string): void {
  expect(text).not.toMatch(/\bevent [0-9a-f]{8}/);
  expect(text).not.toMatch(/<@|@U0|\bU0[0-9A-Z]{4,}/);
  expect(text).not.toMatch(/globex|scorpio/i);
  expect(text).not.toContain('pagerduty.com');
  expect(text).not.toContain('slack.com');
  expect(text).not.toContain('INTERNAL');
  expect(text).not.toContain('Mara Voss'); // responder names are off by policy
  expect(text).not.toContain('error budget');
}

describe('customer report', () => {
  const events = incident();
  const report = draftCustomerReport(events, POLICY, 'acme');
  if (!report) throw new Error('acme has no report');
  const markdown = renderCustomerMarkdown(report);

  it('Markdown matches its golden file', () => {
    matchGolden('customer-acme.golden.md', markdown);
  });

  it('HTML is a standalone printable page matching its golden file', () => {
    const html = renderReportPage(markdown, `Incident report for ${report.customer.name}`);
    matchGolden('customer-acme.golden.html', html);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/<script|<link|src=/i);
    for (const h of ['Summary', 'Resolution and recovery timeline', 'Root cause', 'Corrective and preventive measures']) expect(html).toContain(`<h2>${h}</h2>`);
    expectNothingInternal(html);
  });

  it('has the four sections, in order, and nothing internal', () => {
    const at = CUSTOMER_REPORT_SECTIONS.map((h) => markdown.split('\n').indexOf(h));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expectNothingInternal(markdown);
    expect(markdown).toContain('another customer');
  });

  it("writes times in the customer's zone", () => {
    // Impact 12:40 UTC is 08:40 in New York (EDT); restored 13:30 UTC is 09:30.
    expect(report.timezone).toBe('America/New_York');
    expect(markdown).toContain('**When:** 08:40 – 09:30 (50 minutes)');
    expect(markdown).toContain('_Reference INC-42. All times are America/New_York._');
  });

  it("states the service credit from the customer's SLA when policy says so, and not otherwise", () => {
    expect(report.serviceCredit).toContain('10 % of your monthly fee');
    const without = draftCustomerReport(events, { ...POLICY, customerReports: { includeServiceCredit: false, showResponderNames: false } }, 'acme');
    // The snapshot in the declared event decides, not today's policy: this log has none, so today's applies.
    expect(without?.serviceCredit).toBeUndefined();
  });

  it('honours the commander withholding or editing a part', () => {
    const b = new LogBuilder();
    for (const e of events) b.events.push(e);
    b.add('customer_report_edited', 60 * MIN, { customer: 'acme', part: 'root_cause', withheld: true }, PEOPLE.mara, sources.command);
    b.add('customer_report_edited', 61 * MIN, { part: 'summary', text: 'Card payments failed for some of your shoppers.' }, PEOPLE.mara, sources.command);
    const r = draftCustomerReport(b.events, POLICY, 'acme');
    expect(r?.rootCause).toBeUndefined();
    expect(r?.withheld).toEqual(['root_cause']);
    expect(renderCustomerMarkdown(r!)).toContain('**What you experienced:** Card payments failed for some of your shoppers.');
  });

  it('is not drafted for a customer the incident does not concern', () => {
    expect(draftCustomerReport(events, { ...POLICY, customers: [...POLICY.customers, { ...GLOBEX, id: 'initech', name: 'Initech' }] }, 'initech')).toBeUndefined();
  });
});
