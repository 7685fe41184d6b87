/**
 * The replay from the issue, through the real use cases on a real Postgres:
 * PagerDuty triggers at T (auto-open service, so the incident is declared from
 * the page), acknowledges at T+3, a status update moves it to monitoring at
 * T+20, PagerDuty resolves at T+28 (its source time; the webhook arrives late,
 * at T+44), `/incident resolve` at T+45, close. Default policy: PagerDuty's
 * resolve does not resolve the Kranz incident. The report must say impact 28
 * minutes, mitigation 20, MTTA 3, and compute the SLA credit from 28.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/app/apply-command.ts';
import { closeIncident } from '../../src/app/close-incident.ts';
import { ingestPagerDutyEvent, type PagerDutyEventInput } from '../../src/app/ingest-pagerduty-event.ts';
import { asIncidentId, asPdIncidentId, asPdServiceId, asSlackChannelId, asSlackUserId } from '../../src/domain/ids.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { slaImpact } from '../../src/domain/report/index.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';
import { T0, testPolicy } from '../helpers/domain.ts';

const MIN = 60_000;
const at = (min: number): Date => new Date(T0.getTime() + min * MIN);
const policy: Policy = {
  ...testPolicy,
  pagerduty: {
    ...testPolicy.pagerduty,
    autoResolve: false,
    services: [{ serviceId: asPdServiceId('PCHECKOUT'), autoOpen: true, severityByPriority: {}, severityByUrgency: { high: 'SEV1', low: 'SEV3' }, customers: ['acme'] }],
  },
};

let h: AppHarness;
let report = '';
beforeAll(async () => {
  h = await appHarness(policy);
  const pd = (type: string, min: number, extra: Partial<PagerDutyEventInput> = {}): PagerDutyEventInput => ({
    eventId: `01PD${type.toUpperCase().replace(/\W/g, '')}${min}`, eventType: `incident.${type}`, known: true, occurredAt: at(min).toISOString(),
    pdIncidentId: asPdIncidentId('Q1REPLAY'), pdIncidentNumber: 77, serviceId: asPdServiceId('PCHECKOUT'), urgency: 'high', title: 'Checkout returns 502s', ...extra,
  });
  h.clock.set(at(0));
  const declared = await ingestPagerDutyEvent(h.deps, pd('triggered', 0));
  expect(declared.result).toBe('declared');
  const incidentId = asIncidentId((declared as { incidentId: string }).incidentId);
  h.clock.set(at(3));
  await ingestPagerDutyEvent(h.deps, pd('acknowledged', 3, { agentName: 'Mara Voss' }));
  const DANA = asSlackUserId('UDANA');
  const dana = { kind: 'user' as const, userId: DANA, name: 'Dana Commander' };
  const meta = (key: string) => ({ actor: dana, source: { kind: 'slack' as const, channelId: asSlackChannelId('CINC') }, idempotencyKey: key });
  h.clock.set(at(5));
  expect((await applyCommand(h.deps, { id: incidentId }, { type: 'assign_role', role: 'commander', userId: DANA }, meta('role'))).ok).toBe(false); // not a member yet
  expect((await applyCommand(h.deps, { id: incidentId }, { type: 'member_joined', userId: DANA }, meta('join'))).ok).toBe(true);
  expect((await applyCommand(h.deps, { id: incidentId }, { type: 'assign_role', role: 'commander', userId: DANA }, meta('role2'))).ok).toBe(true);
  h.clock.set(at(20));
  expect((await applyCommand(h.deps, { id: incidentId }, { type: 'post_status_update', status: 'monitoring', summary: 'Rolled back; watching error rates.' }, meta('update'))).ok).toBe(true);
  // PagerDuty resolved at T+28; the webhook reaches Kranz only at T+44.
  h.clock.set(at(44));
  await ingestPagerDutyEvent(h.deps, pd('resolved', 28, { agentName: 'Mara Voss' }));
  h.clock.set(at(45));
  expect((await applyCommand(h.deps, { id: incidentId }, { type: 'resolve' }, meta('resolve'))).ok).toBe(true);
  h.clock.set(at(50));
  const closed = await closeIncident(h.deps, { id: incidentId }, meta('close'));
  expect(closed.ok).toBe(true);
  report = closed.markdown ?? '';
});
afterAll(async () => h?.close());

describe('replay: PagerDuty trigger, ack, monitoring, late resolve, resolve, close', () => {
  it('ends the impact at PagerDuty\'s resolve: 28 minutes, not 45', () => {
    expect(report).toMatch(/- \*\*Impact:\*\* \d\d:\d\d → \d\d:\d\d \(.*\), \*\*28m\*\* from impact start to service restored/);
    expect(report).toContain('| Service restored |');
    expect(report).toMatch(/\| Service restored \| [^|]+ \| 28m \| 28m \| PagerDuty resolve \(source time\) \|/);
    expect(report).toMatch(/\| Resolved \| [^|]+ \| 45m \| 45m \| \/incident resolve \|/);
  });

  it('measures mitigation from the update that moved it to monitoring: 20 minutes', () => {
    expect(report).toContain('mitigated 20m after impact began');
    expect(report).toMatch(/\| Mitigated \| [^|]+ \| 20m \| 20m \| status update → monitoring by Dana Commander \|/);
  });

  it("takes time to acknowledge from PagerDuty's acknowledgement: 3 minutes, not the commander's naming", () => {
    expect(report).toContain('acknowledged 3m after detection');
    expect(report).toMatch(/\| Acknowledged \| [^|]+ \| 3m \| 3m \| PagerDuty acknowledgement by Mara Voss via PagerDuty \|/);
    expect(report).toMatch(/\| Commander named \| [^|]+ \| 5m \| 5m \| role assigned by Dana Commander \|/);
  });

  it('computes the SLA credit from the 28 minutes', () => {
    const acme = policy.customers[0]!;
    const r = slaImpact(28, acme.sla, acme.serviceCredits);
    expect(report).toContain('- **SLA:** 28 minutes of impact.');
    expect(report).toContain(`${r.consumedPercent.toFixed(1)} % of the 43.2-minute error budget used`);
    // 28 of 43.2 budget minutes: under the 99.9 % target, so no credit (45 minutes would have earned 10 %).
    expect(r.creditPercent).toBe(0);
    expect(slaImpact(45, acme.sla, acme.serviceCredits).creditPercent).toBe(10);
    expect(report).toContain('no service credit');
  });

  it('shows people by display name, never by Slack id', () => {
    expect(report).toContain('Commander: Dana Commander');
    expect(report).not.toMatch(/@UDANA|<@/);
  });
});
