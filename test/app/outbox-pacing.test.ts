import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxPacer } from '../../src/app/outbox-pacing.ts';
import { OutboxWorker, type Deliverer, type DeliveryOutcome } from '../../src/app/deliver-outbox.ts';
import type { ClaimedOutboxRow } from '../../src/app/ports.ts';
import { outboxQueue } from '../../src/adapters/db/store.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';

describe('OutboxPacer', () => {
  const counted = (n: number) => async () => n;

  it('paces nothing until two refusals with deliveries between them; then spaces deliveries at the rate they got', async () => {
    const p = new OutboxPacer();
    expect(p.nextSlot('k', 0)).toBe(0);
    await p.refused('k', 10, 0, 1_000, counted(0));
    expect(p.nextSlot('k', 1_000)).toBe(1_000);
    p.started('k', 1_000);
    expect(p.nextSlot('k', 1_001)).toBe(1_001);
    // 20 delivered between the refusals of rows 10 and 30, 1,100 ms apart: 55 ms each.
    await p.refused('k', 30, 1_100, 1_000, counted(20));
    // After the Retry-After, 90 % of it is caught up at once (the bucket refilled meanwhile) ...
    let now = 2_100;
    let atOnce = 0;
    while (p.nextSlot('k', now) === now && atOnce < 100) {
      p.started('k', now);
      atOnce++;
      now += 1;
    }
    expect(atOnce).toBe(Math.ceil(900 / 55));
    // ... then one every 55 ms, on a schedule a late start does not push back.
    const slot = p.nextSlot('k', now);
    expect(slot - now).toBeGreaterThan(0);
    p.started('k', slot + 20);
    expect(p.nextSlot('k', slot + 20)).toBeCloseTo(slot + 55, 6);
  });

  /** Starts deliveries back to back from `at` while their slots have come; returns when the next one must wait. */
  const startWhileDue = (p: OutboxPacer, at: number): number => {
    let t = at;
    while (p.nextSlot('k', t) === t && t < at + 10_000) p.started('k', t++);
    return t;
  };

  it('learns nothing from a span that began with the target shut (the same row refused again and again)', async () => {
    const p = new OutboxPacer();
    await p.refused('k', 5, 0, 0, counted(0));
    await p.refused('k', 5, 1_000, 0, counted(99));
    // Opened meanwhile with a full bucket: 30 went before the next refusal, which says nothing about the rate.
    await p.refused('k', 35, 2_600, 0, counted(30));
    expect(startWhileDue(p, 3_600)).toBe(13_600);
    // The next clean span teaches it: 22 in 1,100 ms, 50 ms each.
    await p.refused('k', 57, 3_700, 0, counted(22));
    const t = startWhileDue(p, 4_700);
    expect(t).toBe(4_702);
    expect(p.nextSlot('k', t)).toBe(4_750);
  });

  it('a refusal with fewer than two deliveries since the last teaches no rate; a key quiet for 30 s is forgotten', async () => {
    const p = new OutboxPacer();
    await p.refused('k', 1, 0, 0, counted(0));
    await p.refused('k', 3, 1_000, 0, counted(1));
    expect(startWhileDue(p, 2_000)).toBe(12_000);
    await p.refused('k', 20, 3_000, 0, counted(10));
    expect(startWhileDue(p, 4_000)).toBe(4_002);
    expect(p.nextSlot('k', 4_002)).toBe(4_200);
    expect(startWhileDue(p, 4_200 + 30_001)).toBe(4_200 + 30_001 + 10_000);
  });

  it('steps up a little every 50 paced deliveries, so a raised limit is found again', async () => {
    const p = new OutboxPacer();
    await p.refused('k', 1, 0, 0, counted(0));
    await p.refused('k', 101, 10_000, 0, counted(100));
    let now = 10_000;
    const starts: number[] = [];
    for (let i = 0; i < 102; i++) {
      now = p.nextSlot('k', now);
      p.started('k', now);
      starts.push(now);
    }
    // The 50th delivery's slot still follows the learned interval; the probe shortens the ones after it.
    expect(starts[50]! - starts[49]!).toBeCloseTo(100, 6);
    expect(starts[51]! - starts[50]!).toBeCloseTo(98, 6);
    expect(starts[101]! - starts[100]!).toBeCloseTo(100 * 0.98 * 0.98, 6);
  });
});

let h: AppHarness;
beforeAll(async () => {
  h = await appHarness();
});
afterAll(async () => h.close());

/** A channel that allows `perSecond` posts a second from a bucket of `burst`, and answers 429 + Retry-After: 1 s beyond. */
class LimitedChannel implements Deliverer {
  posts: { body: string; at: number }[] = [];
  refusals = 0;
  private tokens: number;
  private last: number;
  constructor(private readonly now: () => number, private readonly perSecond: number, private readonly burst: number) {
    this.tokens = burst;
    this.last = now();
  }
  async deliver(row: ClaimedOutboxRow): Promise<DeliveryOutcome> {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    if (this.tokens < 1) {
      this.refusals++;
      return { ok: false, retryable: true, error: 'ratelimited', retryAfterMs: 1_000, rateLimited: true };
    }
    this.tokens -= 1;
    this.posts.push({ body: (row.payload as { body: string }).body, at: t });
    return { ok: true };
  }
}

describe('outbox pacing', () => {
  it('once a channel has refused twice, its posts go at the rate it allows, in order, with next to no 429s and untried turns not counted as attempts', async () => {
    const channel = new LimitedChannel(() => h.clock.now().getTime(), 10, 10);
    const rows = Array.from({ length: 80 }, (_, i) => `p${String(i).padStart(3, '0')}`);
    await h.deps.store.transaction((u) =>
      u.outbox.enqueue(rows.map((body) => ({ target: 'limited', orderKey: 'slack:channel:CPACED', op: 'post', payload: { body }, idempotencyKey: `paced:${body}` })), h.clock.now()),
    );
    const worker = new OutboxWorker(h.deps, outboxQueue(h.pool), { limited: channel }, { workerId: 'pacer' });
    const startedAt = h.clock.now().getTime();
    for (let step = 0; step < 2_000 && channel.posts.length < rows.length; step++) {
      await worker.drain();
      h.clock.advance(10);
    }
    expect(channel.posts.map((p) => p.body)).toEqual(rows);
    // A client that only reacts to 429s is refused once per burst: 7 times here.
    expect(channel.refusals).toBeLessThanOrEqual(3);
    const seconds = (channel.posts.at(-1)!.at - startedAt) / 1000;
    // 10 at once, then 10 a second: 7 s for a perfect client.
    expect(seconds).toBeLessThan(7 / 0.9);
    const attempts = await h.pool.query<{ n: string }>(`select max(attempts)::text as n from outbox where order_key = 'slack:channel:CPACED'`);
    expect(Number(attempts.rows[0]?.n)).toBeLessThanOrEqual(2);
  });
});
