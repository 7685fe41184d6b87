/**
 * Runs of one order key (adapters/intake/intake.ts with a `RunsProcessor`):
 * the intake claims several stored requests of a key at once and hands them
 * over oldest first. Two intakes on one database stand for two replicas;
 * their processors take their time, so claims overlap.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveInbound, type StoredInbound } from '../../src/adapters/db/inbound-sql.ts';
import { Intake, type Settled } from '../../src/adapters/intake/intake.ts';
import { Spool } from '../../src/adapters/intake/spool.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';

let h: AppHarness;
const dirs: string[] = [];
const quiet = { info() {}, warn() {}, error() {} };

beforeAll(async () => {
  h = await appHarness();
});
afterAll(async () => {
  await h.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** One call of a processor: who, which key, which ids, and when it ran. */
interface Call { worker: string; key: string; ids: number[]; start: number; end: number }

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function replica(worker: string, calls: Call[], fail: (r: StoredInbound) => boolean = () => false): Promise<Intake> {
  const dir = await mkdtemp(join(tmpdir(), 'kranz-runs-'));
  dirs.push(dir);
  const intake = new Intake({ pool: h.pool, spool: new Spool(dir), clock: h.clock, log: quiet, workerId: worker });
  const record = async (recs: StoredInbound[]): Promise<void> => {
    const start = performance.now();
    await pause(1 + Math.random() * 4);
    calls.push({ worker, key: recs[0]!.orderKey ?? `#${recs[0]!.id}`, ids: recs.map((r) => r.id), start, end: performance.now() });
  };
  intake.register('pagerduty', async (rec) => {
    await record([rec]);
    if (fail(rec)) throw new Error('test: this request fails');
    return 'processed';
  }, 0, async (runs): Promise<Settled[][]> => Promise.all(runs.map(async (recs) => {
    await record(recs);
    return recs.map((r): Settled => (fail(r) ? { error: new Error('test: this request fails') } : { result: 'processed' }));
  })));
  return intake;
}

async function store(prefix: string, keys: string[], perKey: number, keyless = 0): Promise<number[]> {
  const ids: number[] = [];
  // Interleaved the way deliveries about several incidents arrive.
  for (let i = 0; i < perKey; i++) {
    for (const k of keys) {
      const id = await archiveInbound(h.pool, { source: 'pagerduty', dedupeKey: `${prefix}:${k}:${i}`, orderKey: `${prefix}:${k}`, receivedAt: h.clock.now().toISOString(), headers: {}, body: '{}' });
      ids.push(id!);
    }
  }
  for (let i = 0; i < keyless; i++) ids.push((await archiveInbound(h.pool, { source: 'pagerduty', dedupeKey: `${prefix}:none:${i}`, receivedAt: h.clock.now().toISOString(), headers: {}, body: '{}' }))!);
  return ids;
}

const statusOf = async (prefix: string): Promise<Record<string, number>> => {
  const r = await h.pool.query<{ status: string; n: string }>('select status, count(*)::text as n from inbound_archive where dedupe_key like $1 group by status', [`${prefix}:%`]);
  return Object.fromEntries(r.rows.map((x) => [x.status, Number(x.n)]));
};

describe('runs of one order key', () => {
  it('two replicas claiming at once apply every request once, each key in order and by one replica at a time, in runs', async () => {
    const calls: Call[] = [];
    const a = await replica('replica-a', calls);
    const b = await replica('replica-b', calls);
    const keys = ['k1', 'k2', 'k3'];
    const ids = await store('r1', keys, 120, 10);
    // Passes on both replicas at once, until nothing is left.
    for (let round = 0; round < 50 && (await statusOf('r1'))['received']; round++) {
      await Promise.all([a.applyPending('pagerduty'), b.applyPending('pagerduty'), a.applyPending('pagerduty'), b.applyPending('pagerduty')]);
    }
    expect(await statusOf('r1')).toEqual({ processed: ids.length });
    const applied = calls.flatMap((c) => c.ids);
    expect(applied.sort((x, y) => x - y)).toEqual([...ids].sort((x, y) => x - y));
    for (const k of keys) {
      const mine = calls.filter((c) => c.key === `r1:${k}`).sort((x, y) => x.start - y.start);
      // In order: each call's ids follow the previous call's.
      expect(mine.flatMap((c) => c.ids)).toEqual(ids.filter((_, i) => keys[i % keys.length] === k && i < keys.length * 120));
      // One at a time: a call on the key starts only after the one before it ended.
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.start).toBeGreaterThanOrEqual(mine[i - 1]!.end);
    }
    // Runs formed: 360 keyed requests in far fewer calls than one each.
    const keyed = calls.filter((c) => !c.key.startsWith('#'));
    expect(keyed.length).toBeLessThan(60);
    expect(Math.max(...keyed.map((c) => c.ids.length))).toBeGreaterThan(1);
  });

  it('a request that fails in a run is retried on its own; the rest of its run is done', async () => {
    const calls: Call[] = [];
    const failing = new Set<string>(['r2:k1:3']);
    const a = await replica('replica-c', calls, (r) => failing.has(r.dedupeKey));
    await store('r2', ['k1'], 8);
    await a.applyPending('pagerduty');
    expect(await statusOf('r2')).toEqual({ processed: 7, received: 1 });
    // Tried again at once on its own (a blip), then kept leased; healed, it applies once the lease runs out.
    expect(calls.map((c) => c.ids.length)).toEqual([8, 1]);
    failing.clear();
    h.clock.advance(61_000);
    await a.applyPending('pagerduty');
    expect(await statusOf('r2')).toEqual({ processed: 8 });
    expect(calls.map((c) => c.ids.length)).toEqual([8, 1, 1]);
  });

  it('a key whose oldest request is leased by another replica is left alone, however many requests wait behind it', async () => {
    const calls: Call[] = [];
    const a = await replica('replica-d', calls);
    const ids = await store('r3', ['k1'], 5);
    await h.pool.query(`update inbound_archive set lease_until = now() + interval '1 hour', leased_by = 'elsewhere' where id = $1`, [ids[0]]);
    await a.applyPending('pagerduty');
    expect(calls).toEqual([]);
    expect(await statusOf('r3')).toEqual({ received: 5 });
  });
});
