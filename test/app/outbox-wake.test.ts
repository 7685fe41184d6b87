/**
 * The outbox wakes on time: a row committed by another process is picked up
 * at once (announced with NOTIFY once committed, LISTEN in the worker), and a
 * row waiting out a Retry-After is tried again when it runs out, both with
 * the idle poll set to a minute, so only those wake-ups can explain it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/adapters/db/store.ts';
import type { Deliverer, DeliveryOutcome } from '../../src/app/deliver-outbox.ts';
import type { ClaimedOutboxRow } from '../../src/app/ports.ts';
import { startHarness, type Harness } from '../helpers/kranz-harness.ts';

interface Attempt { key: string; at: number; attempt: number }
const attempts: Attempt[] = [];
/** A test target: rows whose payload asks for it are refused once with a Retry-After. */
const probe: Deliverer = {
  async deliver(row: ClaimedOutboxRow): Promise<DeliveryOutcome> {
    attempts.push({ key: row.idempotencyKey, at: Date.now(), attempt: row.attempts });
    const retryAfterMs = (row.payload as { retryAfterMs?: number }).retryAfterMs;
    if (retryAfterMs !== undefined && row.attempts === 1) return { ok: false, retryable: true, error: 'ratelimited', retryAfterMs };
    return { ok: true };
  },
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ outboxPollMs: 60_000, deliverers: { probe } });
  // Wait for the LISTEN connection (it wakes the worker once when it is up).
  await new Promise((r) => setTimeout(r, 300));
});
afterAll(async () => {
  await h.close();
});

/** Commits a row through a store of the test's own, as another replica would. */
async function enqueueElsewhere(key: string, payload: object, o: { rollback?: boolean } = {}): Promise<number> {
  const elsewhere = new PostgresStore(h.pool);
  await elsewhere.transaction(
    (uow) => uow.outbox.enqueue([{ target: 'probe', orderKey: `probe:${key}`, op: 'probe', payload, idempotencyKey: key }], new Date()),
    { commit: () => !o.rollback },
  );
  return Date.now();
}

async function attemptsOf(key: string, n: number): Promise<Attempt[]> {
  const until = Date.now() + 10_000;
  for (;;) {
    const mine = attempts.filter((a) => a.key === key);
    if (mine.length >= n) return mine;
    if (Date.now() > until) throw new Error(`${key}: ${mine.length} of ${n} attempts`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('outbox wake-up', () => {
  it('delivers a row another process committed at once, not at the next poll', async () => {
    const committedAt = await enqueueElsewhere('wake-new', {});
    const [first] = await attemptsOf('wake-new', 1);
    expect(first!.at - committedAt).toBeLessThan(2_000);
  });

  it('tries a row again when its Retry-After runs out', async () => {
    await enqueueElsewhere('wake-retry', { retryAfterMs: 700 });
    const [first, second] = await attemptsOf('wake-retry', 2);
    const waited = second!.at - first!.at;
    // Not before the Retry-After, and not a poll later.
    expect(waited).toBeGreaterThanOrEqual(690);
    expect(waited).toBeLessThan(2_500);
    expect(second!.attempt).toBe(2);
  });

  it("skips its own store's announcement (its commit woke it already), and wakes on another's", async () => {
    // A row nobody announced, then an announcement signed by this process's own store: nothing wakes.
    await h.pool.query(
      `insert into outbox (target, order_key, op, payload, idempotency_key, created_at, next_attempt_at) values ('probe', 'probe:own', 'probe', '{}', 'own-signed', now(), now())`);
    const own = (h.kranz.deps.store as PostgresStore).announcerId;
    await h.pool.query(`select pg_notify('kranz_outbox', $1)`, [own]);
    await new Promise((r) => setTimeout(r, 600));
    expect(attempts.filter((a) => a.key === 'own-signed')).toEqual([]);
    // Another replica's (or the CLI's unsigned) announcement wakes it.
    const announcedAt = Date.now();
    await h.pool.query(`select pg_notify('kranz_outbox', '')`);
    const [first] = await attemptsOf('own-signed', 1);
    expect(first!.at - announcedAt).toBeLessThan(2_000);
  });

  it('a rolled-back insert wakes nobody and delivers nothing', async () => {
    await enqueueElsewhere('rolled-back', {}, { rollback: true });
    await enqueueElsewhere('after-rollback', {});
    await attemptsOf('after-rollback', 1);
    expect(attempts.filter((a) => a.key === 'rolled-back')).toEqual([]);
  });
});
