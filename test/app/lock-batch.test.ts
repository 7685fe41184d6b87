/**
 * A batch's first step in one round trip (`uow.batches.lockBatch`): its
 * incidents locked until the transaction ends, with their states, and the
 * command keys claimed before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareIncident } from '../../src/app/declare-incident.ts';
import { asSlackUserId } from '../../src/domain/ids.ts';
import { appHarness, personMeta, type AppHarness } from '../helpers/app.ts';


let h: AppHarness;
beforeAll(async () => {
  h = await appHarness();
});
afterAll(async () => h.close());

describe('lockBatch', () => {
  it('returns the incidents that exist with their states and the keys claimed before, and holds their locks', async () => {
    const a = await declareIncident(h.deps, { title: 'Queue backlog', severity: 'SEV3', commanderId: asSlackUserId('UCMD') }, personMeta('lock-a'));
    const b = await declareIncident(h.deps, { title: 'Search stale', severity: 'SEV3', commanderId: asSlackUserId('UCMD') }, personMeta('lock-b'));
    if (!a.ok || !b.ok) throw new Error('declare failed');
    const missing = '00000000-0000-4000-8000-000000000000';
    let inside: { states: Map<string, unknown>; claimedBefore: Set<string> } | undefined;
    let lockedWhileHeld: boolean | undefined;
    await h.deps.store.transaction(async (uow) => {
      inside = await uow.batches.lockBatch([b.incidentId, a.incidentId, missing], ['lock-a', 'never-claimed']);
      // Another connection cannot take the row lock while this transaction holds it.
      const other = await h.pool.connect();
      try {
        await other.query("set lock_timeout = '100ms'");
        lockedWhileHeld = await other.query('select 1 from incidents where id = $1 for update', [a.incidentId]).then(() => false, (e: { code?: string }) => e.code === '55P03');
      } finally {
        other.release();
      }
    });
    expect(lockedWhileHeld).toBe(true);
    expect([...inside!.states.keys()].sort()).toEqual([a.incidentId, b.incidentId].sort());
    expect(inside!.states.get(a.incidentId)).toMatchObject({ id: a.incidentId, title: 'Queue backlog' });
    expect([...inside!.claimedBefore]).toEqual(['lock-a']);
    // Released at commit.
    expect((await h.pool.query('select 1 from incidents where id = $1 for update nowait', [a.incidentId])).rowCount).toBe(1);
  });

  it('answers empty for no incidents and no keys', async () => {
    const r = await h.deps.store.transaction((uow) => uow.batches.lockBatch([], []));
    expect(r.states.size).toBe(0);
    expect(r.claimedBefore.size).toBe(0);
  });
});
