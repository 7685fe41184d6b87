/**
 * Group commit at intake: requests arriving together are stored with one
 * insert and one commit, and each is acknowledged only after the commit that
 * holds it. Faults are real: a trigger that kills its own connection at
 * commit time (after the insert answered), a trigger that refuses one row's
 * data, a spool directory that cannot be written.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Intake, type AcceptResult } from '../../src/adapters/intake/intake.ts';
import { Spool } from '../../src/adapters/intake/spool.ts';
import type { InboundRecord, StoredInbound } from '../../src/adapters/db/inbound-sql.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';

let h: AppHarness;
const dirs: string[] = [];
const warnings: string[] = [];
const quiet = { info() {}, warn(o: object) { warnings.push(String((o as { err?: unknown }).err)); }, error() {} };

beforeAll(async () => {
  h = await appHarness();
  // Fault triggers, armed by the body alone: a row with body 'crash' kills its own
  // connection when its transaction commits (the insert has answered by then); a row
  // with body 'poison' is refused as a data exception, as PostgreSQL refuses data it cannot hold.
  await h.pool.query(`
    create function test_crash_at_commit() returns trigger language plpgsql as $$
    begin
      if new.body = 'crash' then perform pg_terminate_backend(pg_backend_pid()); perform pg_sleep(5); end if;
      return null;
    end $$;
    create constraint trigger test_crash after insert on inbound_archive deferrable initially deferred
      for each row execute function test_crash_at_commit();
    create function test_poison() returns trigger language plpgsql as $$
    begin
      if new.body = 'poison' then raise exception 'test: this row cannot be stored' using errcode = '22023'; end if;
      return new;
    end $$;
    create trigger test_poison before insert on inbound_archive for each row execute function test_poison();
  `);
});
afterAll(async () => {
  await h.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function newIntake(batches: { size: number; went: string }[] = [], o: { brokenSpool?: boolean } = {}): Promise<{ intake: Intake; spool: Spool; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kranz-group-'));
  dirs.push(dir);
  // A file where the spool directory should be: the spool cannot write.
  if (o.brokenSpool) await writeFile(join(dir, 'spool'), 'not a directory');
  const spool = new Spool(dir);
  const intake = new Intake({
    pool: h.pool, spool, clock: h.clock, log: quiet, workerId: `test:${dir}`,
    onBatch: (size, went) => batches.push({ size, went }),
  });
  return { intake, spool, dir };
}

const rec = (key: string, body = 'text=hi', orderKey?: string): InboundRecord => ({
  source: 'pagerduty', dedupeKey: key, ...(orderKey ? { orderKey } : {}), receivedAt: h.clock.now().toISOString(), headers: {}, body,
});

async function stored(prefix: string): Promise<{ dedupe_key: string; id: number; xmin: string }[]> {
  const r = await h.pool.query<{ dedupe_key: string; id: string; xmin: string }>(
    `select dedupe_key, id, xmin::text from inbound_archive where dedupe_key like $1 order by id`, [`${prefix}%`],
  );
  return r.rows.map((x) => ({ ...x, id: Number(x.id) }));
}

describe('group commit at intake', () => {
  it('stores requests that arrive together with one insert and one commit, each answered with its own result', async () => {
    const batches: { size: number; went: string }[] = [];
    const { intake } = await newIntake(batches);
    expect(await intake.accept(rec('g1:before'))).toMatchObject({ kind: 'stored' });
    batches.length = 0;
    const keys = Array.from({ length: 40 }, (_, i) => `g1:${i}`);
    // Sent in one go: 40 new keys, one stored before, and one key twice within the batch.
    const results = await Promise.all([...keys.map((k) => intake.accept(rec(k))), intake.accept(rec('g1:before')), intake.accept(rec('g1:7'))]);
    expect(batches).toEqual([{ size: 42, went: 'archive' }]);
    const rows = await stored('g1:');
    expect(rows).toHaveLength(41);
    // One transaction: every row of the batch carries the same inserting transaction id.
    expect(new Set(rows.filter((r) => r.dedupe_key !== 'g1:before').map((r) => r.xmin)).size).toBe(1);
    // Ids in arrival order, each request told its own.
    const idOf = new Map(rows.map((r) => [r.dedupe_key, r.id]));
    keys.forEach((k, i) => expect(results[i]).toEqual({ kind: 'stored', id: idOf.get(k) }));
    expect(keys.map((k) => idOf.get(k)!)).toEqual([...keys.map((k) => idOf.get(k)!)].sort((a, b) => a - b));
    expect(results[40]).toEqual({ kind: 'duplicate' });
    expect(results[41]).toEqual({ kind: 'duplicate' });
  });

  it('a connection killed between a batch\'s insert and its commit acknowledges none of that batch', async () => {
    const batches: { size: number; went: string }[] = [];
    const { intake } = await newIntake(batches, { brokenSpool: true });
    const keys = Array.from({ length: 12 }, (_, i) => `g2:${i}`);
    const settled = await Promise.allSettled(keys.map((k, i) => intake.accept(rec(k, i === 5 ? 'crash' : 'text=hi'))));
    // The insert answered, the commit never came back: no request of the batch is told it was stored.
    expect(settled.map((s) => s.status)).toEqual(keys.map(() => 'rejected'));
    expect(await stored('g2:')).toEqual([]);
    // The next batch is not affected.
    expect(await intake.accept(rec('g2:after'))).toMatchObject({ kind: 'stored' });
  });

  it('a batch whose commit fails goes to the spool with one write, and is archived once when the database takes it', async () => {
    const batches: { size: number; went: string }[] = [];
    const { intake, spool } = await newIntake(batches);
    const keys = Array.from({ length: 12 }, (_, i) => `g3:${i}`);
    const results = await Promise.all(keys.map((k, i) => intake.accept(rec(k, i === 0 ? 'crash' : 'text=hi'))));
    expect(results).toEqual(keys.map(() => ({ kind: 'spooled', reason: 'unavailable' })));
    // The commit failed because the connection died under it (not a timeout).
    expect(warnings.at(-1)).toMatch(/terminat/i);
    expect(batches).toEqual([{ size: 12, went: 'spool' }]);
    expect(await stored('g3:')).toEqual([]);
    const lines = (await readFile(spool.file, 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as InboundRecord).dedupeKey);
    expect(lines).toEqual(keys);
    // Later requests queue behind the spooled ones, in the spool.
    expect(await intake.accept(rec('g3:later'))).toEqual({ kind: 'spooled', reason: 'unavailable' });
    // The crash row is now harmless; the replay archives each request once, in order.
    await h.pool.query('alter table inbound_archive disable trigger test_crash');
    try {
      await intake.runOnce();
    } finally {
      await h.pool.query('alter table inbound_archive enable trigger test_crash');
    }
    expect((await stored('g3:')).map((r) => r.dedupe_key)).toEqual([...keys, 'g3:later']);
    expect(spool.knownDepth).toBe(0);
  });

  it('a batch with one row the database refuses stores the others and answers that one with its own error', async () => {
    const batches: { size: number; went: string }[] = [];
    const { intake, dir } = await newIntake(batches);
    const keys = Array.from({ length: 10 }, (_, i) => `g4:${i}`);
    const results = await Promise.all(keys.map((k, i) => intake.accept(rec(k, i === 3 ? 'poison' : 'text=hi'))));
    expect(results[3]).toEqual({ kind: 'rejected' });
    const rows = await stored('g4:');
    expect(rows.map((r) => r.dedupe_key)).toEqual(keys.filter((_, i) => i !== 3));
    results.forEach((r, i) => { if (i !== 3) expect(r).toEqual({ kind: 'stored', id: rows.find((x) => x.dedupe_key === keys[i])!.id }); });
    expect(batches).toEqual([{ size: 10, went: 'archive' }]);
    // Kept for an operator with the database's reason, not dropped.
    const rejected = JSON.parse((await readFile(join(dir, 'spool', 'rejected.jsonl'), 'utf8')).trim()) as { dedupeKey: string; rejectedBecause: string };
    expect(rejected).toMatchObject({ dedupeKey: 'g4:3', rejectedBecause: 'test: this row cannot be stored' });
  });

  it('keeps each incident\'s order across batches and across replicas, from intake to applying', async () => {
    const batchesA: { size: number; went: string }[] = [];
    const batchesB: { size: number; went: string }[] = [];
    const a = await newIntake(batchesA);
    const b = await newIntake(batchesB);
    const incidents = ['PA', 'PB', 'PC', 'PD'];
    const sent: string[] = [];
    const acks: Promise<AcceptResult>[] = [];
    // 30 rounds: in each, every incident's next event arrives at both replicas at once
    // (its order within the round is the order of the calls); rounds follow each ack.
    for (let round = 0; round < 30; round++) {
      const inRound: Promise<AcceptResult>[] = [];
      for (const [i, inc] of incidents.entries()) {
        const key = `g5:${inc}:${round}`;
        sent.push(key);
        inRound.push((i % 2 === 0 ? a : b).intake.accept(rec(key, 'text=hi', `pd:${inc}`)));
      }
      if (round % 3 === 2) await Promise.all(inRound);
      acks.push(...inRound);
    }
    expect((await Promise.all(acks)).every((r) => r.kind === 'stored')).toBe(true);
    expect(batchesA.length).toBeGreaterThan(1);
    expect(batchesB.length).toBeGreaterThan(1);
    const rows = await stored('g5:');
    for (const inc of incidents) {
      const mine = (keys: string[]): string[] => keys.filter((k) => k.startsWith(`g5:${inc}:`));
      expect(mine(rows.map((r) => r.dedupe_key))).toEqual(mine(sent));
    }
    // Both replicas apply side by side; each incident's events are applied in the order they came.
    const applied: string[] = [];
    const processor = async (r: StoredInbound): Promise<'processed'> => {
      await new Promise((res) => setTimeout(res, Math.random() * 3));
      applied.push(r.dedupeKey);
      return 'processed';
    };
    a.intake.register('pagerduty', processor, 0);
    b.intake.register('pagerduty', processor, 0);
    h.clock.advance(1_000);
    await Promise.all([a.intake.applyPending('pagerduty'), b.intake.applyPending('pagerduty')]);
    for (const inc of incidents) {
      const mine = (keys: string[]): string[] => keys.filter((k) => k.startsWith(`g5:${inc}:`));
      expect(mine(applied)).toEqual(mine(sent));
    }
  });
});
