import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatConfigIssues } from '../../src/config/issues.ts';
import { loadPolicy, parsePolicy, policyFromData } from '../../src/config/load-policy.ts';
import { DEFAULT_POLICY } from '../../src/domain/default-policy.ts';
import { findSeverity } from '../../src/domain/policy.ts';
import type { Policy } from '../../src/domain/policy.ts';

const MIN = 60_000;
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/config/${name}`, import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../kranz.example.yml', import.meta.url));

function policyOf(yaml: string): Policy {
  const r = parsePolicy(yaml);
  if (!r.ok) throw new Error(formatConfigIssues(r.errors, 'test.yml'));
  return r.policy;
}

describe('no config file', () => {
  it('gives the built-in policy', async () => {
    expect(await loadPolicy(undefined)).toEqual({ ok: true, policy: DEFAULT_POLICY });
    expect(await loadPolicy('  ')).toEqual({ ok: true, policy: DEFAULT_POLICY });
  });

  it('treats an empty or comment-only file as "no changes"', () => {
    expect(policyOf('')).toEqual(DEFAULT_POLICY);
    expect(policyOf('# nothing yet\n')).toEqual(DEFAULT_POLICY);
  });

  it('reports a missing file without a line number', async () => {
    const r = await loadPolicy(fixture('does-not-exist.yml'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.message).toMatch(/no such file/);
    expect(r.errors[0]?.line).toBeUndefined();
  });
});

describe('kranz.example.yml', () => {
  it('loads without errors and yields the documented policy', async () => {
    const r = await loadPolicy(EXAMPLE);
    if (!r.ok) throw new Error(formatConfigIssues(r.errors, 'kranz.example.yml'));
    const p = r.policy;
    expect(p.severities.map((s) => s.key)).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV4']);
    expect(p.defaultSeverity).toBe('SEV2');
    const sev1 = findSeverity(p, 'SEV1');
    expect(sev1).toMatchObject({ updateCadenceMs: 20 * MIN, customerContactDeadlineMs: 10 * MIN, escalationGraceMs: 5 * MIN, reviewDue: { days: 3, business: false } });
    expect(sev1?.checklist.at(-1)).toEqual({ id: 'notify-execs', title: 'Notify internal stakeholders and executives', dueWithinMs: 30 * MIN });
    expect(findSeverity(p, 'SEV2')?.reviewDue).toEqual({ days: 5, business: true });
    expect(findSeverity(p, 'SEV3')?.updateCadenceMs).toBe(60 * MIN);
    expect(findSeverity(p, 'SEV3')?.quietHours).toEqual({ start: '22:00', end: '07:00', timezone: 'Europe/Berlin' });
    expect(findSeverity(p, 'SEV4')).toMatchObject({ customerImpacting: false, quietHours: { start: '20:00', end: '08:00', timezone: 'Europe/Berlin' } });
    expect(findSeverity(p, 'SEV1')?.quietHours).toBeUndefined();
    expect(p.reportTimezone).toBe('Europe/Berlin');
    expect(p.archiveOnClose).toBe(true);
    expect(p.reminders).toEqual({ noActivityMs: 120 * MIN, resolvedNotClosedMs: 24 * 60 * MIN, escalationTarget: { kind: 'channel', id: 'C0ONCALLMGR' } });

    expect(p.customers.map((c) => [c.id, c.name])).toEqual([
      ['acme', 'Acme Corp'],
      ['globex', 'Globex'],
    ]);
    const acme = p.customers[0];
    expect(acme?.mainContact).toEqual({ name: 'Jane Doe', phone: '+1 555 0100', email: 'jane.doe@acme.example' });
    expect(acme?.slackChannel).toBe('C0ACMEINC01');
    expect(acme?.sla).toEqual({ targetPercent: 99.9, periodDays: 30 });
    expect(acme?.serviceCredits).toEqual([
      { belowPercent: 99.9, creditPercent: 10 },
      { belowPercent: 99, creditPercent: 25 },
      { belowPercent: 95, creditPercent: 50 },
    ]);
    expect(p.customers[1]?.sla).toEqual({ targetPercent: 99.9, periodDays: 30 });

    expect(p.pagerduty.services).toEqual([
      {
        serviceId: 'PCHKOUT',
        autoOpen: true,
        severityByPriority: { P1: 'SEV1', P2: 'SEV2', P3: 'SEV3' },
        severityByUrgency: { high: 'SEV2', low: 'SEV4' },
        customers: ['acme', 'globex'],
        escalationPolicyId: 'PESCAL1',
      },
    ]);
    expect(p.pagerduty).toMatchObject({ autoResolve: false, resolveInPagerDuty: true, mirrorUpdatesAs: 'note', legacyV2: { enabled: false } });
  });
});

describe('overlay on the defaults', () => {
  it('changes only the keys the file sets', async () => {
    const r = await loadPolicy(fixture('minimal.yml'));
    if (!r.ok) throw new Error(formatConfigIssues(r.errors, 'minimal.yml'));
    const base1 = DEFAULT_POLICY.severities[0];
    expect(r.policy.severities[0]).toEqual({ ...base1, updateCadenceMs: 15 * MIN });
    expect(r.policy.severities.slice(1)).toEqual(DEFAULT_POLICY.severities.slice(1));
    expect({ ...r.policy, severities: [], reportTimezone: '' }).toEqual({ ...DEFAULT_POLICY, severities: [], reportTimezone: '' });
    expect(r.policy.reportTimezone).toBe('Europe/Berlin');
  });

  it('adds new severities, removes disabled ones and matches names ignoring case', () => {
    const p = policyOf(`
severities:
  sev1: { update_cadence: 1h30m }
  SEV4: { enabled: false }
  SEV5:
    label: Cosmetic
    update_cadence: 1d
    customer_contact_deadline: 2h
    customer_impacting: false
    review_due: 2 business days
pagerduty:
  services:
    - id: PWEB001
      severity_by_urgency: { high: sev1 }
`);
    expect(p.severities.map((s) => s.key)).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV5']);
    expect(findSeverity(p, 'SEV1')?.updateCadenceMs).toBe(90 * MIN);
    expect(findSeverity(p, 'SEV5')).toEqual({
      key: 'SEV5',
      label: 'Cosmetic',
      customerImpacting: false,
      updateCadenceMs: 24 * 60 * MIN,
      customerContactDeadlineMs: 120 * MIN,
      checklist: [],
      escalationGraceMs: 10 * MIN,
      reviewDue: { days: 2, business: true },
    });
    // Mapped names come back in their canonical spelling; low urgency falls back to the last severity.
    expect(p.pagerduty.services[0]?.severityByUrgency).toEqual({ high: 'SEV1', low: 'SEV5' });
  });

  it('reads friendly values: percentages, periods, review deadlines, quiet-hours zone from report_timezone', () => {
    const p = policyOf(`
report_timezone: america/new_york
severities:
  SEV3:
    review_due: 3 days
    quiet_hours: { start: "7:30", end: "06:00" }
    checklist:
      - title: Page the database team
customers:
  - name: Initech Ltd
    main_contact: { name: Bill }
    sla: { target: "99.5%", period: quarterly }
    service_credits: [{ below: "99%", credit: 5 }, { below: 99.5, credit: 2 }]
pagerduty:
  services: [{ id: PWEB001, customers: [initech ltd] }]
`);
    expect(p.reportTimezone).toBe('America/New_York');
    expect(findSeverity(p, 'SEV3')).toMatchObject({
      reviewDue: { days: 3, business: false },
      quietHours: { start: '07:30', end: '06:00', timezone: 'America/New_York' },
      checklist: [{ id: 'page-the-database-team', title: 'Page the database team' }],
    });
    expect(p.customers[0]).toMatchObject({ id: 'initech-ltd', sla: { targetPercent: 99.5, periodDays: 90 } });
    expect(p.customers[0]?.serviceCredits.map((t) => t.belowPercent)).toEqual([99.5, 99]);
    expect(p.pagerduty.services[0]?.customers).toEqual(['initech-ltd']);
  });

  it('follows YAML anchors and merge keys', () => {
    const p = policyOf(`
severities:
  SEV3:
    quiet_hours: &night { start: "22:00", end: "07:00", timezone: UTC }
  SEV4:
    quiet_hours:
      <<: *night
      end: "09:00"
`);
    expect(findSeverity(p, 'SEV3')?.quietHours).toEqual({ start: '22:00', end: '07:00', timezone: 'UTC' });
    expect(findSeverity(p, 'SEV4')?.quietHours).toEqual({ start: '22:00', end: '09:00', timezone: 'UTC' });
  });

  it('validates plain data too (no positions)', () => {
    const r = policyFromData({ reminders: { no_activity: '45m' } });
    expect(r.ok && r.policy.reminders.noActivityMs).toBe(45 * MIN);
    const bad = policyFromData({ reminders: { no_activity: 45 } });
    expect(bad).toEqual({ ok: false, errors: [{ path: 'reminders.no_activity', message: '45 is not a duration (use 30s, 15m, 2h)' }] });
  });
});
