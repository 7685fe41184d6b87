import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxWorker, backoffMs, type Deliverer, type DeliveryOutcome } from '../../src/app/deliver-outbox.ts';
import type { ClaimedOutboxRow } from '../../src/app/ports.ts';
import { outboxQueue } from '../../src/adapters/db/store.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';

let h: AppHarness;
beforeAll(async () => {
  h = await appHarness();
});
afterAll(async () => h.close());

/** A test target that records deliveries and fails on demand. */
class ScriptedTarget implements Deliverer {
  delivered: { key: string; body: string }[] = [];
  failures = new Map<string, DeliveryOutcome[]>();
  async deliver(row: ClaimedOutboxRow): Promise<DeliveryOutcome> {
    const body = (row.payload as { body: string }).body;
    const planned = this.failures.get(body)?.shift();
    if (planned) return planned;
    this.delivered.push({ key: row.orderKey, body });
    return { ok: true, result: { body } };
  }
}

async function enqueue(rows: { key: string; body: string }[]): Promise<void> {
  await h.deps.store.transaction((u) =>
    u.outbox.enqueue(rows.map((r, i) => ({ target: 'test', orderKey: r.key, op: 'post', payload: { body: r.body }, idempotencyKey: `${r.body}:${i}` })), h.clock.now()),
  );
}

describe('outbox', () => {
  it('keeps order per key across retries, honours Retry-After, and dead-letters poison rows without blocking', async () => {
    const target = new ScriptedTarget();
    target.failures.set('a2', [{ ok: false, retryable: true, error: 'ratelimited', retryAfterMs: 30_000 }]);
    target.failures.set('b1', [{ ok: false, retryable: false, error: 'channel_not_found' }]);
    await enqueue([
      { key: 'chan-a', body: 'a1' }, { key: 'chan-a', body: 'a2' }, { key: 'chan-a', body: 'a3' },
      { key: 'chan-b', body: 'b1' }, { key: 'chan-b', body: 'b2' },
    ]);
    const worker = new OutboxWorker(h.deps, outboxQueue(h.pool), { test: target }, { workerId: 'w1', random: () => 0.5 });
    await worker.drain();
    // a2 waits for its Retry-After; a3 must not overtake it. b1 is dead, b2 goes on.
    expect(target.delivered.map((d) => d.body)).toEqual(['a1', 'b2']);
    const dead = await h.pool.query<{ payload: { body: string }; last_error: string }>("select payload, last_error from outbox where status = 'dead'");
    expect(dead.rows.map((r) => [r.payload.body, r.last_error])).toEqual([['b1', 'channel_not_found']]);
    h.clock.advance(29_000);
    await worker.drain();
    expect(target.delivered.map((d) => d.body)).toEqual(['a1', 'b2']);
    h.clock.advance(1_000);
    await worker.drain();
    expect(target.delivered.map((d) => d.body)).toEqual(['a1', 'b2', 'a2', 'a3']);
  });

  it('two workers never deliver the same row, and order per key holds', async () => {
    const target = new ScriptedTarget();
    const rows = Array.from({ length: 60 }, (_, i) => ({ key: `k${i % 3}`, body: `m${i}` }));
    await enqueue(rows);
    const w1 = new OutboxWorker(h.deps, outboxQueue(h.pool), { test: target }, { workerId: 'p1' });
    const w2 = new OutboxWorker(h.deps, outboxQueue(h.pool), { test: target }, { workerId: 'p2' });
    // Either worker may find every head leased by the other and stop early: keep both going until nothing is pending.
    const pending = async () => Number((await h.pool.query<{ n: string }>("select count(*)::text as n from outbox where status = 'pending'")).rows[0]?.n);
    for (let round = 0; round < 200 && (await pending()) > 0; round++) await Promise.all([w1.drain(), w2.drain()]);
    expect(await pending()).toBe(0);
    const bodies = target.delivered.map((d) => d.body);
    expect(bodies.filter((b) => b.startsWith('m')).length).toBe(60);
    expect(new Set(bodies).size).toBe(bodies.length);
    for (const k of ['k0', 'k1', 'k2']) {
      const seq = target.delivered.filter((d) => d.key === k).map((d) => Number(d.body.slice(1)));
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
  });

  it('deliveries that finish together share one mark; each keeps its result, and a row whose lease was lost is not marked', async () => {
    const rows = Array.from({ length: 80 }, (_, i) => ({ key: `g${i}`, body: `g${i}` }));
    await enqueue(rows);
    let marks = 0;
    const real = outboxQueue(h.pool);
    const queue = { ...real, delivered: (...a: Parameters<typeof real.delivered>) => { marks++; return real.delivered(...a); } };
    // The row 'g7' is taken over by another worker while it is being delivered (its lease ran out).
    const target: Deliverer = {
      async deliver(row) {
        const body = (row.payload as { body: string }).body;
        if (body === 'g7') await h.pool.query("update outbox set leased_by = 'someone-else' where id = $1", [row.id]);
        await new Promise((r) => setTimeout(r, Math.random() * 20));
        return { ok: true, result: { body } };
      },
    };
    const worker = new OutboxWorker(h.deps, queue, { test: target }, { workerId: 'marks', batch: 100 });
    await worker.runOnce();
    const r = await h.pool.query<{ body: string; status: string; result: { body: string } | null }>(
      "select payload->>'body' as body, status, result from outbox where order_key like 'g%' order by id");
    expect(r.rows.filter((x) => x.status === 'delivered').length).toBe(79);
    expect(r.rows.find((x) => x.body === 'g7')?.status).toBe('pending');
    expect(r.rows.filter((x) => x.status === 'delivered').every((x) => x.result?.body === x.body)).toBe(true);
    expect(marks).toBeGreaterThan(1);
    expect(marks).toBeLessThan(80);
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(1, 1000, 300_000, () => 0)).toBe(500);
    expect(backoffMs(1, 1000, 300_000, () => 1)).toBe(1000);
    expect(backoffMs(4, 1000, 300_000, () => 1)).toBe(8000);
    expect(backoffMs(30, 1000, 300_000, () => 1)).toBe(300_000);
  });
});

describe('outbox claims under contention', () => {
  it('never hands one row to two workers (12 claimers on 3 pools, 600 rows)', async () => {
    const { claimOutbox } = await import('../../src/adapters/db/outbox-sql.ts');
    const { testPool } = await import('../helpers/db.ts');
    await h.pool.query("update outbox set status = 'delivered' where status = 'pending'");
    await h.deps.store.transaction((u) =>
      u.outbox.enqueue(Array.from({ length: 600 }, (_, i) => ({ target: 'test', orderKey: `race-${i}`, op: 'post', payload: { i }, idempotencyKey: `race:${i}` })), h.clock.now()),
    );
    const pools = [testPool(h.db.url, 4), testPool(h.db.url, 4), testPool(h.db.url, 4)];
    const claimed: number[] = [];
    const claimer = async (n: number): Promise<void> => {
      const pool = pools[n % pools.length]!;
      for (;;) {
        const rows = await claimOutbox(pool, { now: h.clock.now(), limit: 7, leaseMs: 60_000, workerId: `racer-${n}` });
        if (rows.length === 0) return;
        claimed.push(...rows.map((r) => r.id));
      }
    };
    await Promise.all(Array.from({ length: 12 }, (_, n) => claimer(n)));
    await Promise.all(pools.map((p) => p.end()));
    expect(claimed.length).toBe(600);
    expect(new Set(claimed).size).toBe(600);
  });
});
