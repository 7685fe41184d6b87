/**
 * Linking a PagerDuty incident by hand (app/link-pagerduty.ts) on a real
 * PostgreSQL: the `pagerduty_links` row and the `pagerduty_linked` event
 * commit together or not at all; one PagerDuty incident belongs to one Kranz
 * incident, even when two links (or a link and the trigger) race; PagerDuty's
 * answer fills the details, refuses an id it does not know, and its silence
 * does not lose the link. A link PagerDuty confirmed queues the invite of its
 * service's on-call with the event; one it could not confirm invites nobody. Once linked, PagerDuty's events land on the
 * incident, through both intake paths, even when its trigger was ignored.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/app/apply-command.ts';
import { declareIncident } from '../../src/app/declare-incident.ts';
import { ingestPagerDutyEvent, type PagerDutyEventInput } from '../../src/app/ingest-pagerduty-event.ts';
import { ingestPagerDutyRuns } from '../../src/app/ingest-pagerduty-runs.ts';
import { linkPagerDutyIncident } from '../../src/app/link-pagerduty.ts';
import type { AppDeps, PagerDutyIncidentLookup, Store, UnitOfWork } from '../../src/app/ports.ts';
import { asPdIncidentId, asPdServiceId, asSlackChannelId, asSlackUserId, type IncidentId, type PdIncidentId } from '../../src/domain/ids.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';
import { T0, testPolicy } from '../helpers/domain.ts';

const service = (id: string, autoOpen: boolean) => ({ serviceId: asPdServiceId(id), autoOpen, severityByPriority: {}, severityByUrgency: { high: 'SEV1', low: 'SEV3' }, customers: [] });
const policy: Policy = { ...testPolicy, customers: [], pagerduty: { ...testPolicy.pagerduty, services: [service('PAUTO', true), service('PMANUAL', false)] } };

const DANA = asSlackUserId('UDANA');
let h: AppHarness;
/** What the PagerDuty port answers, per PagerDuty incident id (absent: not found). */
let pagerDuty: Map<string, PagerDutyIncidentLookup>;
let asked: string[];
let deps: AppDeps;

beforeAll(async () => {
  h = await appHarness(policy);
});
afterAll(async () => h.close());
beforeEach(() => {
  pagerDuty = new Map();
  asked = [];
  deps = {
    ...h.deps,
    pagerDuty: {
      lookUp: async (id) => {
        asked.push(id);
        return pagerDuty.get(id) ?? { kind: 'not_found' };
      },
    },
  };
});

let keys = 0;
const meta = (userId = DANA) => ({ actor: { kind: 'user' as const, userId }, source: { kind: 'slack' as const, channelId: asSlackChannelId('CINC') }, idempotencyKey: `link-test-${++keys}` });

/** A hand-declared incident with Dana as commander. */
async function declared(title: string): Promise<{ id: IncidentId; number: number }> {
  const d = await declareIncident(h.deps, { title, severity: 'SEV2', commanderId: DANA }, meta());
  if (!d.ok) throw new Error(JSON.stringify(d.error));
  return { id: d.incidentId, number: d.state.number };
}

const found = (number: number, title = 'Checkout 5xx', serviceId = 'PMANUAL'): PagerDutyIncidentLookup => ({
  kind: 'found', incident: { number, title, url: `https://acme.pagerduty.com/incidents/P${number}`, serviceId: asPdServiceId(serviceId) },
});

const q = async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => (await h.pool.query<T>(sql, params)).rows;
const linkRow = async (pd: string) => (await q<{ incident_id: string }>('select incident_id from pagerduty_links where pd_incident_id = $1', [pd]))[0]?.incident_id;
/** The on-call invites queued for the incident. */
const inviteRows = async (id: string) => q<{ payload: unknown; order_key: string }>("select payload, order_key from outbox where incident_id = $1 and op = 'invite_oncall' order by id", [id]);
const eventTypes = async (id: string) => (await q<{ type: string }>('select type from incident_events where incident_id = $1 order by seq', [id])).map((r) => r.type);

let n = 0;
function ev(pd: string, type: string, extra: Partial<PagerDutyEventInput> = {}): PagerDutyEventInput {
  n++;
  return { eventId: `01LINK${n}`, eventType: `incident.${type}`, known: true, occurredAt: new Date(T0.getTime() + n * 1_000).toISOString(), pdIncidentId: asPdIncidentId(pd), ...extra };
}

describe('linking a PagerDuty incident by hand', () => {
  it('writes the link row and the event in one transaction, with the details PagerDuty gave', async () => {
    const inc = await declared('Checkout errors');
    pagerDuty.set('PLINK1', found(4711, 'Checkout 5xx above 2%'));
    const o = await linkPagerDutyIncident(deps, { channelId: asSlackChannelId('CNOINCIDENT') }, asPdIncidentId('PLINK1'), meta());
    // Named by a channel no incident has: nothing to link to, nothing asked of PagerDuty.
    expect(o).toMatchObject({ ok: false, error: { code: 'incident.not_found' } });
    expect(asked).toEqual([]);

    const r = await linkPagerDutyIncident(deps, { id: inc.id }, asPdIncidentId('PLINK1'), meta());
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.duplicate).toBe(false);
    expect(r.check).toEqual(found(4711, 'Checkout 5xx above 2%'));
    expect(await linkRow('PLINK1')).toBe(inc.id);
    const events = await q<{ type: string; data: Record<string, unknown>; actor: Record<string, unknown> }>("select type, data, actor from incident_events where incident_id = $1 and type = 'pagerduty_linked'", [inc.id]);
    expect(events).toEqual([{ type: 'pagerduty_linked', data: { pdIncidentId: 'PLINK1', pdIncidentNumber: 4711, url: 'https://acme.pagerduty.com/incidents/P4711', serviceId: 'PMANUAL' }, actor: { kind: 'user', userId: DANA } }]);
    const stored = await h.deps.store.reads.findIncident({ id: inc.id });
    expect(stored?.pagerDutyIncidents).toEqual([{ id: 'PLINK1', number: 4711, url: 'https://acme.pagerduty.com/incidents/P4711', serviceId: 'PMANUAL' }]);
    // Queued with them: the channel hears it, and the pinned summary shows it.
    const outbox = await q<{ op: string; payload: { message?: { template: string; title?: string; by?: string } } }>(
      "select op, payload from outbox where incident_id = $1 and (op = 'refresh_slot' or payload->'message'->>'template' = 'pagerduty_linked') order by id", [inc.id]);
    expect(outbox.map((o) => [o.op, o.payload.message?.title, o.payload.message?.by])).toEqual([['refresh_slot', undefined, undefined], ['post', 'Checkout 5xx above 2%', DANA]]);
    // And the on-call of the service PagerDuty named is invited, in the channel's order (after the notice).
    expect(await inviteRows(inc.id)).toEqual([{ payload: { kind: 'pagerduty.invite_oncall', serviceId: 'PMANUAL' }, order_key: `slack:incident:${inc.id}` }]);
  });

  it('answers a retried request as done, without asking PagerDuty again', async () => {
    const inc = await declared('Search slow');
    pagerDuty.set('PLINK2', found(12));
    const m = meta();
    const first = await linkPagerDutyIncident(deps, { id: inc.id }, asPdIncidentId('PLINK2'), m);
    const again = await linkPagerDutyIncident(deps, { id: inc.id }, asPdIncidentId('PLINK2'), m);
    expect(first.ok && !first.duplicate).toBe(true);
    expect(again.ok && again.duplicate).toBe(true);
    expect(asked).toEqual(['PLINK2']);
    expect((await eventTypes(inc.id)).filter((t) => t === 'pagerduty_linked')).toHaveLength(1);
    expect(await inviteRows(inc.id)).toHaveLength(1);
  });

  it('refuses linking the same one again as a no-op, and one linked to another incident, naming it; neither asks PagerDuty', async () => {
    const a = await declared('Payments down');
    const b = await declared('Payments still down');
    pagerDuty.set('PLINK3', found(13));
    expect((await linkPagerDutyIncident(deps, { id: a.id }, asPdIncidentId('PLINK3'), meta())).ok).toBe(true);
    asked = [];
    const twice = await linkPagerDutyIncident(deps, { id: a.id }, asPdIncidentId('PLINK3'), meta());
    expect(twice).toEqual({ ok: false, error: { code: 'pagerduty.already_linked', params: { number: a.number, pdIncidentId: 'PLINK3', pdIncidentNumber: 13 } } });
    const elsewhere = await linkPagerDutyIncident(deps, { id: b.id }, asPdIncidentId('PLINK3'), meta());
    expect(elsewhere).toEqual({ ok: false, error: { code: 'pagerduty.linked_elsewhere', params: { pdIncidentId: 'PLINK3', number: a.number } } });
    expect(asked).toEqual([]);
    expect(await linkRow('PLINK3')).toBe(a.id);
    expect(await eventTypes(b.id)).not.toContain('pagerduty_linked');
    // A refused link claims no command key: nothing of it stays.
    expect((await q('select 1 from command_keys where incident_id = $1', [b.id])).length).toBe(1);
  });

  it('refuses an id PagerDuty does not know, and links by id when PagerDuty cannot answer or is not configured', async () => {
    const inc = await declared('Queue backlog');
    const unknown = await linkPagerDutyIncident(deps, { id: inc.id }, asPdIncidentId('PNOSUCH'), meta());
    expect(unknown).toEqual({ ok: false, error: { code: 'pagerduty.unknown_incident', params: { pdIncidentId: 'PNOSUCH' } } });
    expect(await linkRow('PNOSUCH')).toBeUndefined();

    pagerDuty.set('PDOWN1', { kind: 'unavailable', reason: 'PagerDuty unavailable (HTTP 503): down' });
    const down = await linkPagerDutyIncident(deps, { id: inc.id }, asPdIncidentId('PDOWN1'), meta());
    expect(down.ok && down.check).toEqual({ kind: 'unavailable', reason: 'PagerDuty unavailable (HTTP 503): down' });
    expect(await linkRow('PDOWN1')).toBe(inc.id);

    // A port that throws counts as no answer too.
    const throwing = await linkPagerDutyIncident({ ...deps, pagerDuty: { lookUp: async () => { throw new Error('socket hang up'); } } }, { id: inc.id }, asPdIncidentId('PDOWN2'), meta());
    expect(throwing.ok && throwing.check).toEqual({ kind: 'unavailable', reason: 'socket hang up' });

    const { pagerDuty: _none, ...withoutPd } = deps;
    const unchecked = await linkPagerDutyIncident(withoutPd, { id: inc.id }, asPdIncidentId('PNOTOKEN'), meta());
    expect(unchecked.ok && unchecked.check).toEqual({ kind: 'unchecked' });
    const stored = await h.deps.store.reads.findIncident({ id: inc.id });
    expect(stored?.pagerDutyIncidents.map((p) => p.id)).toEqual(['PDOWN1', 'PDOWN2', 'PNOTOKEN']);
    expect(stored?.pagerDutyIncidents.every((p) => p.number === undefined && p.url === undefined)).toBe(true);
    // PagerDuty could not say whose incident it is: nobody is invited.
    expect(await inviteRows(inc.id)).toEqual([]);
  });

  it('invites nobody into a private incident, nor into one resolved', async () => {
    const secret = await declareIncident(h.deps, { title: 'Credential leak', severity: 'SEV2', commanderId: DANA, private: true }, meta());
    if (!secret.ok) throw new Error(JSON.stringify(secret.error));
    pagerDuty.set('PPRIV1', found(31));
    expect((await linkPagerDutyIncident(deps, { id: secret.incidentId }, asPdIncidentId('PPRIV1'), meta())).ok).toBe(true);
    expect(await inviteRows(secret.incidentId)).toEqual([]);

    const over = await declared('Was slow yesterday');
    const resolved = await applyCommand(h.deps, { id: over.id }, { type: 'resolve' }, meta());
    expect(resolved.ok).toBe(true);
    pagerDuty.set('PDONE1', found(32));
    expect((await linkPagerDutyIncident(deps, { id: over.id }, asPdIncidentId('PDONE1'), meta())).ok).toBe(true);
    expect(await linkRow('PDONE1')).toBe(over.id);
    expect(await inviteRows(over.id)).toEqual([]);
  });

  it('refuses a person the policy does not let link, asking PagerDuty nothing', async () => {
    const inc = await declared('Login loops');
    pagerDuty.set('PLINK4', found(14));
    const r = await linkPagerDutyIncident(deps, { id: inc.id }, asPdIncidentId('PLINK4'), meta(asSlackUserId('USTRANGER')));
    expect(!r.ok && r.error.code).toBe('permission.denied');
    expect(asked).toEqual([]);
    expect(await linkRow('PLINK4')).toBeUndefined();
  });

  it('two incidents linking the same PagerDuty incident at once: one gets it, the other is refused naming it', async () => {
    const incs = await Promise.all(['Race A', 'Race B', 'Race C'].map(declared));
    pagerDuty.set('PRACE1', found(99));
    const results = await Promise.all(incs.map((i) => linkPagerDutyIncident(deps, { id: i.id }, asPdIncidentId('PRACE1'), meta())));
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const winner = incs.find((i) => winners[0]?.ok && i.id === winners[0].incidentId)!;
    for (const r of results.filter((x) => !x.ok)) expect(r).toEqual({ ok: false, error: { code: 'pagerduty.linked_elsewhere', params: { pdIncidentId: 'PRACE1', number: winner.number } } });
    expect(await linkRow('PRACE1')).toBe(winner.id);
    const linkedEvents = await q("select incident_id from incident_events where type = 'pagerduty_linked' and data->>'pdIncidentId' = 'PRACE1'");
    expect(linkedEvents).toEqual([{ incident_id: winner.id }]);
    // The refused links' invites rolled back with them.
    expect((await q("select incident_id from outbox where op = 'invite_oncall' and incident_id = any($1)", [incs.map((i) => i.id)]))).toEqual([{ incident_id: winner.id }]);
  });

  it('a trigger declaring while someone links the same PagerDuty incident by hand joins the linked incident, opening none', async () => {
    const inc = await declared('Linked by hand first');
    const pd = asPdIncidentId('PRACE2');
    // The trigger read no link (it came just before the hand link committed); its own insert then meets the link.
    pagerDuty.set(pd, found(100, 'Paged', 'PAUTO'));
    expect((await linkPagerDutyIncident(deps, { id: inc.id }, pd, meta())).ok).toBe(true);
    const blind: Store = {
      reads: h.deps.store.reads,
      transaction: (fn, o) => h.deps.store.transaction((uow) => fn(withBlindLookup(uow, pd)), o),
    };
    const before = (await q('select 1 from incidents')).length;
    const d = await declareIncident({ ...h.deps, store: blind }, { title: 'Paged', severity: 'SEV1', pagerDuty: { pdIncidentId: pd } }, {
      actor: { kind: 'pagerduty' }, source: { kind: 'pagerduty', eventId: 'E1', pdIncidentId: pd }, idempotencyKey: `pd:incident:${pd}`,
    });
    expect(d).toMatchObject({ ok: true, incidentId: inc.id, duplicate: true });
    expect((await q('select 1 from incidents')).length).toBe(before);
    expect((await q('select 1 from command_keys where key = $1', [`pd:incident:${pd}`])).length).toBe(0);
    expect(await linkRow(pd)).toBe(inc.id);
  });
});

describe('PagerDuty events after a link', () => {
  it('land on the linked incident, though the trigger was ignored: the link wins over the mark', async () => {
    const inc = await declared('Disk filling on db-3');
    const pd = 'PIGN01';
    // The trigger came from a service that does not auto-open: ignored, and remembered; so are the events after it.
    expect((await ingestPagerDutyEvent(h.deps, ev(pd, 'triggered', { serviceId: asPdServiceId('PMANUAL'), title: 'Disk filling' }))).result).toBe('ignored');
    expect((await q('select 1 from pagerduty_ignored where pd_incident_id = $1', [pd])).length).toBe(1);
    expect((await ingestPagerDutyEvent(h.deps, ev(pd, 'annotated', { noteContent: 'before the link' }))).result).toBe('ignored');

    pagerDuty.set(pd, found(501, 'Disk filling', 'PMANUAL'));
    expect((await linkPagerDutyIncident(deps, { id: inc.id }, asPdIncidentId(pd), meta())).ok).toBe(true);

    // One event alone, and a pass of runs: both find the incident through the link.
    const alone = await ingestPagerDutyEvent(h.deps, ev(pd, 'acknowledged', { serviceId: asPdServiceId('PMANUAL'), agentName: 'Sam' }));
    expect(alone).toEqual({ result: 'recorded', incidentId: inc.id });
    const runs = await ingestPagerDutyRuns(h.deps, [[ev(pd, 'annotated', { noteContent: 'after the link' }), ev(pd, 'priority_updated', { serviceId: asPdServiceId('PMANUAL'), priority: { name: 'P1' } })]]);
    expect(runs).toEqual([[{ result: 'recorded', incidentId: inc.id }, { result: 'recorded', incidentId: inc.id }]]);
    // A trigger delivered again finds the incident too, and opens nothing.
    expect(await ingestPagerDutyEvent(h.deps, ev(pd, 'triggered', { serviceId: asPdServiceId('PMANUAL') }))).toEqual({ result: 'duplicate', incidentId: inc.id });

    expect((await eventTypes(inc.id)).slice(-4)).toEqual(['pagerduty_linked', 'pagerduty_event', 'note_added', 'pagerduty_event']);
    const notes = await q<{ text: string }>("select data->>'text' as text from incident_events where incident_id = $1 and type = 'note_added'", [inc.id]);
    // The note settled as ignored before the link stays so; the one after lands.
    expect(notes.map((x) => x.text)).toEqual(['PagerDuty note: after the link']);
    // The acknowledgement counts for the incident's key times, as for an incident PagerDuty opened.
    expect((await h.deps.store.reads.findIncident({ id: inc.id }))?.times.acknowledgedAt).toBeDefined();
  });
});

/** A unit of work whose first look-up of `pd`'s link sees none, as a transaction that read just before the link committed. */
function withBlindLookup(uow: UnitOfWork, pd: PdIncidentId): UnitOfWork {
  let blind = true;
  return {
    ...uow,
    keys: {
      ...uow.keys,
      findIncidentIdByPagerDuty: async (id) => {
        if (id === pd && blind) {
          blind = false;
          return undefined;
        }
        return uow.keys.findIncidentIdByPagerDuty(id);
      },
    },
  };
}

