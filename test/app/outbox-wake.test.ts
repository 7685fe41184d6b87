/**
 * The outbox wakes on time: a row committed by another process is picked up
 * at once (NOTIFY in the inserting transaction, LISTEN in the worker), and a
 * row waiting out a Retry-After is tried again when it runs out, both with
 * the idle poll set to a minute, so only those wake-ups can explain it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueOutbox } from '../../src/adapters/db/outbox-sql.ts';
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

/** Commits a row from a connection of the test's own, as another replica or `kranz` would. */
async function enqueueElsewhere(key: string, payload: object): Promise<number> {
  const c = await h.pool.connect();
  try {
    await c.query('begin');
    await enqueueOutbox(c, [{ target: 'probe', orderKey: `probe:${key}`, op: 'probe', payload, idempotencyKey: key }], new Date());
    await c.query('commit');
  } finally {
    c.release();
  }
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

  it('a rolled-back insert wakes nobody and delivers nothing', async () => {
    const c = await h.pool.connect();
    try {
      await c.query('begin');
      await enqueueOutbox(c, [{ target: 'probe', orderKey: 'probe:rolled-back', op: 'probe', payload: {}, idempotencyKey: 'rolled-back' }], new Date());
      await c.query('rollback');
    } finally {
      c.release();
    }
    await enqueueElsewhere('after-rollback', {});
    await attemptsOf('after-rollback', 1);
    expect(attempts.filter((a) => a.key === 'rolled-back')).toEqual([]);
  });
});
