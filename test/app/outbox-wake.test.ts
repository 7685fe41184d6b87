/**
 * The outbox wakes on time: a row committed by another process is picked up
 * at once (announced with NOTIFY once committed, LISTEN in the worker), and a
 * row waiting out a Retry-After is tried again when it runs out, both with
 * the idle poll set to a minute, so only those wake-ups can explain it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenForOutbox } from '../../src/adapters/db/outbox-listen.ts';
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

async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
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

  it("a listener skips announcements signed by its own store (its commit woke the worker already), not another's", async () => {
    const mine = new PostgresStore(h.pool);
    let wakes = 0;
    const listener = listenForOutbox(h.pool, { onNotify: () => wakes++, log: { warn: () => undefined }, ignoreFrom: mine.announcerId });
    try {
      // It wakes once when its connection is up (rows committed while nobody listened).
      await until(() => wakes === 1);
      // Notifications arrive in the order sent: once the unsigned one has woken it, the signed one before it was seen and skipped.
      await h.pool.query(`select pg_notify('kranz_outbox', $1)`, [mine.announcerId]);
      await h.pool.query(`select pg_notify('kranz_outbox', 'another-replica')`);
      await h.pool.query(`select pg_notify('kranz_outbox', '')`);
      await until(() => wakes === 3);
      // The store signs what it announces after a commit that queued rows.
      let announced = false;
      mine.onQueued(() => { announced = true; });
      await mine.transaction((uow) => uow.outbox.enqueue([{ target: 'probe', orderKey: 'probe:signed', op: 'probe', payload: {}, idempotencyKey: 'signed' }], new Date()));
      expect(announced).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      await h.pool.query(`select pg_notify('kranz_outbox', '')`);
      await until(() => wakes === 4);
      await new Promise((r) => setTimeout(r, 100));
      expect(wakes).toBe(4);
    } finally {
      await listener.stop();
    }
  });

  it('a rolled-back insert wakes nobody and delivers nothing', async () => {
    await enqueueElsewhere('rolled-back', {}, { rollback: true });
    await enqueueElsewhere('after-rollback', {});
    await attemptsOf('after-rollback', 1);
    expect(attempts.filter((a) => a.key === 'rolled-back')).toEqual([]);
  });
});
