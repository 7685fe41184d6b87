/**
 * What one intake pass hands over for many PagerDuty incidents
 * (app/ingest-pagerduty-runs.ts), on a real PostgreSQL: runs on incidents
 * Kranz has go together in one transaction; runs that open nothing (a
 * service that does not auto-open, one Kranz does not know) are settled
 * together; a trigger of an auto-open service still declares.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPagerDutyEvent, type PagerDutyEventInput } from '../../src/app/ingest-pagerduty-event.ts';
import { ingestPagerDutyRuns } from '../../src/app/ingest-pagerduty-runs.ts';
import type { AppDeps, Store } from '../../src/app/ports.ts';
import { asPdIncidentId, asPdServiceId } from '../../src/domain/ids.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';
import { T0, testPolicy } from '../helpers/domain.ts';

const service = (id: string, autoOpen: boolean) => ({ serviceId: asPdServiceId(id), autoOpen, severityByPriority: {}, severityByUrgency: { high: 'SEV1', low: 'SEV3' }, customers: [] });
const policy: Policy = { ...testPolicy, pagerduty: { ...testPolicy.pagerduty, services: [service('PAUTO', true), service('PMANUAL', false)] } };

let h: AppHarness;
let deps: AppDeps;
let transactions = 0;
beforeAll(async () => {
  h = await appHarness(policy);
  const store: Store = { transaction: (fn, o) => { transactions++; return h.deps.store.transaction(fn, o); }, reads: h.deps.store.reads };
  deps = { ...h.deps, store };
});
afterAll(async () => h.close());

let n = 0;
/** An event of PagerDuty incident `pd`; reference-only types (notes) name no service, as PagerDuty sends them. */
function ev(pd: string, type: string, serviceId?: string, extra: Partial<PagerDutyEventInput> = {}): PagerDutyEventInput {
  n++;
  return {
    eventId: `01RUNS${n}`, eventType: `incident.${type}`, known: true, occurredAt: new Date(T0.getTime() + n * 1_000).toISOString(),
    pdIncidentId: asPdIncidentId(pd), ...(serviceId ? { serviceId: asPdServiceId(serviceId) } : {}), title: `Incident ${pd}`, urgency: 'high', ...extra,
  };
}

const count = async (sql: string, params: unknown[] = []): Promise<number> => Number((await h.pool.query<{ n: string }>(`select count(*)::text as n from ${sql}`, params)).rows[0]?.n);

describe('PagerDuty runs of one pass', () => {
  it('applies the runs of thirty incidents Kranz has in one transaction, each in order', async () => {
    const pds = Array.from({ length: 30 }, (_, i) => `QRUNA${i}`);
    for (const pd of pds) expect((await ingestPagerDutyEvent(deps, ev(pd, 'triggered', 'PAUTO'))).result).toBe('declared');
    const runs = pds.map((pd) => [ev(pd, 'acknowledged', 'PAUTO'), ev(pd, 'annotated', undefined, { noteContent: `note on ${pd}` }), ev(pd, 'priority_updated', 'PAUTO', { priority: { name: 'P1' } })]);
    transactions = 0;
    const results = await ingestPagerDutyRuns(deps, runs);
    expect(results.map((r) => r.map((x) => x.result))).toEqual(pds.map(() => ['recorded', 'recorded', 'recorded']));
    // One lookup of the links, one transaction for all thirty incidents.
    expect(transactions).toBe(2);
    const order = await h.pool.query<{ type: string }>(
      `select e.type from incident_events e join pagerduty_links l on l.incident_id = e.incident_id where l.pd_incident_id = $1 order by e.seq`, [pds[7]]);
    expect(order.rows.map((r) => r.type).slice(-3)).toEqual(['pagerduty_event', 'note_added', 'pagerduty_event']);
    // Applied again (the request was retried): duplicates, nothing written twice.
    const again = await ingestPagerDutyRuns(deps, runs);
    expect(again.flat().every((r) => r.result === 'duplicate')).toBe(true);
  });

  it('settles runs that open nothing together, and remembers ignored triggers for the events after them', async () => {
    const manual = Array.from({ length: 20 }, (_, i) => `QRUNM${i}`);
    const runs = [
      // A trigger of a service that does not auto-open, and a note that came with it in the same pass.
      ...manual.map((pd) => [ev(pd, 'triggered', 'PMANUAL')]),
      ...manual.map((pd) => [ev(pd, 'annotated', undefined, { noteContent: 'looking' })]),
      [ev('QRUNUNKNOWN', 'triggered', 'PNOTCONFIGURED')],
      [{ ...ev('QRUNX', 'acknowledged', 'PAUTO'), eventType: 'incident.workflow.started', known: false }],
    ];
    transactions = 0;
    const results = await ingestPagerDutyRuns(deps, runs);
    const flat = results.flat();
    expect(flat.every((r) => r.result === 'ignored')).toBe(true);
    expect(transactions).toBe(2);
    const reasons = flat.map((r) => (r.result === 'ignored' ? r.reason : ''));
    expect(reasons[0]).toBe('service PMANUAL does not auto-open incidents');
    expect(reasons[20]).toMatch(/its trigger was ignored: service PMANUAL does not auto-open/);
    expect(reasons[40]).toBe('service PNOTCONFIGURED is not configured in Kranz');
    expect(reasons[41]).toMatch(/not one Kranz acts on/);
    expect(await count('pagerduty_ignored where pd_incident_id = any($1)', [[...manual, 'QRUNUNKNOWN']])).toBe(21);
    // A later pass: the note of an ignored incident is settled at once, not kept waiting for a trigger.
    const later = await ingestPagerDutyRuns(deps, [[ev(manual[3]!, 'annotated', undefined, { noteContent: 'still looking' })]]);
    expect(later[0]![0]).toMatchObject({ result: 'ignored', reason: expect.stringMatching(/its trigger was ignored/) });
  });

  it('declares from an auto-open trigger; an event that overtook its trigger waits (unlinked); nothing else is held back', async () => {
    const results = await ingestPagerDutyRuns(deps, [
      [ev('QRUNNEW', 'triggered', 'PAUTO')],
      [ev('QRUNLATE', 'annotated', undefined, { noteContent: 'before the trigger' })],
      [ev('QRUNM0', 'acknowledged', 'PMANUAL')],
    ]);
    expect(results.map((r) => r.map((x) => x.result))).toEqual([['declared'], ['unlinked'], ['ignored']]);
  });
});
