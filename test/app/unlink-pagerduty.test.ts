/**
 * Unlinking a PagerDuty incident (app/unlink-pagerduty.ts) on a real
 * PostgreSQL: the `pagerduty_links` row goes, the `pagerduty_unlinked` event
 * is recorded and the PagerDuty incident is marked ignored, in one
 * transaction; a retried request applies once. Its later events, through
 * both intake paths, are settled at once as ignored (not left waiting for a
 * trigger), a trigger sent again opens nothing, and an event routed before
 * the unlink but applied after it is not recorded. Refused, recording
 * nothing: one not linked here, a person the policy does not let link.
 * Linking it again clears the mark, and its events land again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyInBatch } from '../../src/app/apply-batch.ts';
import { declareIncident } from '../../src/app/declare-incident.ts';
import { ingestPagerDutyEvent, pagerDutyItem, resultOf, type PagerDutyEventInput } from '../../src/app/ingest-pagerduty-event.ts';
import { ingestPagerDutyRuns } from '../../src/app/ingest-pagerduty-runs.ts';
import { linkPagerDutyIncident } from '../../src/app/link-pagerduty.ts';
import { unlinkPagerDutyIncident } from '../../src/app/unlink-pagerduty.ts';
import { asPdIncidentId, asPdServiceId, asSlackChannelId, asSlackUserId, type IncidentId } from '../../src/domain/ids.ts';
import { DEFAULT_PERMISSIONS } from '../../src/domain/permissions-policy.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';
import { T0, testPolicy } from '../helpers/domain.ts';

const service = (id: string, autoOpen: boolean) => ({ serviceId: asPdServiceId(id), autoOpen, severityByPriority: {}, severityByUrgency: { high: 'SEV1', low: 'SEV3' }, customers: [] });
const policy: Policy = { ...testPolicy, customers: [], pagerduty: { ...testPolicy.pagerduty, services: [service('PAUTO', true), service('PMANUAL', false)] } };
const AUTO = asPdServiceId('PAUTO');

const DANA = asSlackUserId('UDANA');
let h: AppHarness;
beforeAll(async () => {
  h = await appHarness(policy);
});
afterAll(async () => h.close());

let keys = 0;
const meta = (userId = DANA) => ({ actor: { kind: 'user' as const, userId }, source: { kind: 'slack' as const, channelId: asSlackChannelId('CINC') }, idempotencyKey: `unlink-test-${++keys}` });

const q = async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => (await h.pool.query<T>(sql, params)).rows;
const linkRow = async (pd: string) => (await q<{ incident_id: string }>('select incident_id from pagerduty_links where pd_incident_id = $1', [pd]))[0]?.incident_id;
const ignoredAs = async (pd: string) => (await q<{ reason: string }>('select reason from pagerduty_ignored where pd_incident_id = $1', [pd]))[0]?.reason;
/** The channel notices of unlinks queued for the incident, oldest first (`template` left out). */
const unlinkNotices = async (id: string) => (await q<{ message: Record<string, unknown> }>(
  "select payload->'message' as message from outbox where incident_id = $1 and op = 'post' and payload->'message'->>'template' = 'pagerduty_unlinked' order by id", [id],
)).map(({ message: { template: _t, ...rest } }) => rest);
const eventTypes = async (id: string) => (await q<{ type: string }>('select type from incident_events where incident_id = $1 order by seq', [id])).map((r) => r.type);

let n = 0;
function ev(pd: string, type: string, extra: Partial<PagerDutyEventInput> = {}): PagerDutyEventInput {
  n++;
  return { eventId: `01UNLINK${n}`, eventType: `incident.${type}`, known: true, occurredAt: new Date(T0.getTime() + n * 1_000).toISOString(), pdIncidentId: asPdIncidentId(pd), ...extra };
}

/** An incident PagerDuty's trigger opened (auto-open service): linked automatically. */
async function paged(pd: string): Promise<IncidentId> {
  const r = await ingestPagerDutyEvent(h.deps, ev(pd, 'triggered', { serviceId: AUTO, title: `Paged ${pd}`, pdIncidentNumber: 700 + n }));
  if (r.result !== 'declared') throw new Error(JSON.stringify(r));
  return r.incidentId as IncidentId;
}

async function declared(title: string): Promise<{ id: IncidentId; number: number }> {
  const d = await declareIncident(h.deps, { title, severity: 'SEV2', commanderId: DANA }, meta());
  if (!d.ok) throw new Error(JSON.stringify(d.error));
  return { id: d.incidentId, number: d.state.number };
}

describe('unlinking a PagerDuty incident', () => {
  it('deletes the link, records the event and marks the PagerDuty incident ignored, once for a retried request', async () => {
    const id = await paged('PUNL1');
    // A paged incident has no commander yet: Dana steers it as an admin.
    const admin = { ...h.deps, policy: { ...policy, permissions: { admins: [DANA], allow: DEFAULT_PERMISSIONS.allow } } };
    const m = meta();
    const r = await unlinkPagerDutyIncident(admin, { id }, asPdIncidentId('PUNL1'), m);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.duplicate).toBe(false);
    expect(await linkRow('PUNL1')).toBeUndefined();
    expect(await ignoredAs('PUNL1')).toBe('unlinked');
    const events = await q<{ data: Record<string, unknown>; actor: Record<string, unknown> }>("select data, actor from incident_events where incident_id = $1 and type = 'pagerduty_unlinked'", [id]);
    expect(events).toEqual([{ data: { pdIncidentId: 'PUNL1', pdIncidentNumber: expect.any(Number) }, actor: { kind: 'user', userId: DANA } }]);
    expect((await h.deps.store.reads.findIncident({ id }))?.pagerDutyIncidents).toEqual([]);
    // Queued with them: the summary refreshed and the channel told who unlinked which.
    expect(await unlinkNotices(id)).toEqual([{ pdIncidentId: 'PUNL1', pdIncidentNumber: expect.any(Number), by: DANA }]);

    const again = await unlinkPagerDutyIncident(admin, { id }, asPdIncidentId('PUNL1'), m);
    expect(again.ok && again.duplicate).toBe(true);
    expect((await eventTypes(id)).filter((t) => t === 'pagerduty_unlinked')).toHaveLength(1);
    expect(await unlinkNotices(id)).toHaveLength(1);

    // Its later events are settled at once, through both intake paths; a trigger sent again opens nothing.
    const incidents = (await q('select 1 from incidents')).length;
    const alone = await ingestPagerDutyEvent(h.deps, ev('PUNL1', 'acknowledged', { serviceId: AUTO }));
    expect(alone).toEqual({ result: 'ignored', reason: 'PagerDuty PUNL1 was unlinked from its Kranz incident (incident.acknowledged)' });
    const runs = await ingestPagerDutyRuns(h.deps, [[ev('PUNL1', 'annotated', { noteContent: 'after the unlink' }), ev('PUNL1', 'resolved')], [ev('PUNL1', 'triggered', { serviceId: AUTO })]]);
    expect(runs.flat().map((r) => r.result)).toEqual(['ignored', 'ignored', 'ignored']);
    expect(await ingestPagerDutyEvent(h.deps, ev('PUNL1', 'triggered', { serviceId: AUTO }))).toMatchObject({ result: 'ignored' });
    expect((await q('select 1 from incidents')).length).toBe(incidents);
    expect((await eventTypes(id)).at(-1)).toBe('pagerduty_unlinked');
  });

  it('an event routed to the incident before the unlink and applied after it is not recorded', async () => {
    const inc = await declared('Routed before the unlink');
    expect((await linkPagerDutyIncident(h.deps, { id: inc.id }, asPdIncidentId('PUNL2'), meta())).ok).toBe(true);
    expect((await unlinkPagerDutyIncident(h.deps, { id: inc.id }, asPdIncidentId('PUNL2'), meta())).ok).toBe(true);
    const outcomes = await applyInBatch(h.deps, { id: inc.id }, pagerDutyItem(h.deps, ev('PUNL2', 'acknowledged')));
    expect(resultOf(inc.id, outcomes)).toMatchObject({ result: 'ignored' });
    expect((await eventTypes(inc.id)).at(-1)).toBe('pagerduty_unlinked');
  });

  it('refuses one not linked here, recording nothing (not even the key or a mark)', async () => {
    const inc = await declared('Nothing linked');
    const m = meta();
    const r = await unlinkPagerDutyIncident(h.deps, { id: inc.id }, asPdIncidentId('PNEVER1'), m);
    expect(r).toEqual({ ok: false, error: { code: 'pagerduty.not_linked', params: { number: inc.number, pdIncidentId: 'PNEVER1' } } });
    expect(await eventTypes(inc.id)).not.toContain('pagerduty_unlinked');
    expect((await q('select 1 from command_keys where key = $1', [m.idempotencyKey])).length).toBe(0);
    expect(await ignoredAs('PNEVER1')).toBeUndefined();
    expect(await unlinkNotices(inc.id)).toEqual([]);
    // Linked to another incident is not linked here: that link stays.
    const other = await declared('Holds the link');
    expect((await linkPagerDutyIncident(h.deps, { id: other.id }, asPdIncidentId('PELSE1'), meta())).ok).toBe(true);
    expect(await unlinkPagerDutyIncident(h.deps, { id: inc.id }, asPdIncidentId('PELSE1'), meta())).toMatchObject({ ok: false, error: { code: 'pagerduty.not_linked' } });
    expect(await linkRow('PELSE1')).toBe(other.id);
  });

  it('refuses a person the policy does not let link, leaving the link', async () => {
    const inc = await declared('Stranger unlinks');
    expect((await linkPagerDutyIncident(h.deps, { id: inc.id }, asPdIncidentId('PUNL3'), meta())).ok).toBe(true);
    const r = await unlinkPagerDutyIncident(h.deps, { id: inc.id }, asPdIncidentId('PUNL3'), meta(asSlackUserId('USTRANGER')));
    expect(!r.ok && r.error).toMatchObject({ code: 'permission.denied', params: { action: 'link_pagerduty' } });
    expect(await linkRow('PUNL3')).toBe(inc.id);
    expect(await ignoredAs('PUNL3')).toBeUndefined();
  });

  it('links again after an unlink: the mark is cleared and its events land again', async () => {
    const inc = await declared('Linked, unlinked, linked');
    expect((await linkPagerDutyIncident(h.deps, { id: inc.id }, asPdIncidentId('PUNL4'), meta())).ok).toBe(true);
    expect((await unlinkPagerDutyIncident(h.deps, { id: inc.id }, asPdIncidentId('PUNL4'), meta())).ok).toBe(true);
    expect(await ignoredAs('PUNL4')).toBe('unlinked');
    const relinked = await linkPagerDutyIncident(h.deps, { id: inc.id }, asPdIncidentId('PUNL4'), meta());
    expect(relinked.ok && !relinked.duplicate).toBe(true);
    expect(await linkRow('PUNL4')).toBe(inc.id);
    expect(await ignoredAs('PUNL4')).toBeUndefined();
    expect(await ingestPagerDutyEvent(h.deps, ev('PUNL4', 'acknowledged'))).toEqual({ result: 'recorded', incidentId: inc.id });
    expect((await eventTypes(inc.id)).slice(-4)).toEqual(['pagerduty_linked', 'pagerduty_unlinked', 'pagerduty_linked', 'pagerduty_event']);
  });
});
