import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDueReminders } from '../../src/app/send-reminders.ts';
import type { AppDeps } from '../../src/app/ports.ts';
import { createReminderTick } from '../../src/scheduler/reminder-tick.ts';
import { at, declare, setup, type Harness } from './harness.ts';

let h: Harness;
let replicas: AppDeps[];
beforeAll(async () => {
  h = await setup();
  // Three instances: three separate pools on the same database.
  replicas = [h.replica(), h.replica(), h.replica()];
});
afterAll(async () => {
  await h.close();
});

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function counts(): Promise<{ events: number; eventKeys: number; perReminder: number; posts: number; postKeys: number; stillDue: number }> {
  const e = await h.pool.query<{ events: number; keys: number; max_per: number }>(
    `select count(*)::int as events, count(distinct idempotency_key)::int as keys,
            coalesce(max(n), 0)::int as max_per
     from incident_events
     left join lateral (select count(*) as n from incident_events x
                        where x.type = 'reminder_sent' and x.incident_id = incident_events.incident_id and x.data->>'reminder' = incident_events.data->>'reminder') c on true
     where type = 'reminder_sent'`,
  );
  const o = await h.pool.query<{ posts: number; keys: number }>(
    `select count(*)::int as posts, count(distinct idempotency_key)::int as keys from outbox where payload->'message'->>'template' = 'reminder'`,
  );
  const d = await h.pool.query<{ n: number }>('select count(*)::int as n from reminders where due_at <= $1', [h.clock.now().toISOString()]);
  return {
    events: e.rows[0]?.events ?? -1, eventKeys: e.rows[0]?.keys ?? -1, perReminder: e.rows[0]?.max_per ?? -1,
    posts: o.rows[0]?.posts ?? -1, postKeys: o.rows[0]?.keys ?? -1, stillDue: d.rows[0]?.n ?? -1,
  };
}

describe('three instances', () => {
  it('send each of 200 due reminders exactly once', async () => {
    h.clock.set(at(0));
    // 50 SEV1 incidents × 4 reminders due by +3h (update, customer call, notify-execs, no activity).
    for (let i = 0; i < 50; i++) await declare(h, { title: `Outage ${i}` });
    h.clock.set(at(180));
    const due = await h.pool.query<{ n: number }>('select count(*)::int as n from reminders where due_at <= $1', [at(180).toISOString()]);
    expect(due.rows[0]?.n).toBe(200);

    const results = await Promise.all(replicas.map((deps) => sendDueReminders(deps, { limit: 1_000, concurrency: 4 })));
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(200);
    expect(results.every((r) => r.sent > 0)).toBe(true); // the work was shared, not serialised on one
    expect(await counts()).toEqual({ events: 200, eventKeys: 200, perReminder: 1, posts: 200, postKeys: 200, stillDue: 0 });

    // Ticking again, all three at once, finds nothing left.
    const again = await Promise.all(replicas.map((deps) => sendDueReminders(deps, { limit: 1_000 })));
    expect(again.map((r) => r.sent)).toEqual([0, 0, 0]);
  });

  it('let exactly one replica claim each scheduler tick', async () => {
    const claim = (tick: Date) => Promise.all(replicas.map((d) => d.store.transaction((uow) => uow.reminders.claimTick('test-tick', tick))));
    const t1 = new Date('2026-03-02T16:00:01Z');
    expect((await claim(t1)).filter(Boolean)).toHaveLength(1);
    expect((await claim(t1)).filter(Boolean)).toHaveLength(0); // the same tick again
    expect((await claim(new Date('2026-03-02T16:00:00Z'))).filter(Boolean)).toHaveLength(0); // an older one
    expect((await claim(new Date('2026-03-02T16:00:02Z'))).filter(Boolean)).toHaveLength(1);
  });

  it('run the reminder tick on every replica: one claims it, the due steps go out once', async () => {
    h.clock.set(at(185)); // level-2 DMs of the 50 SEV1 updates and customer calls
    const ticks = replicas.map((deps) => createReminderTick(deps, { log: silent, replanOnFirstTick: false, concurrency: 2 }));
    const results = await Promise.all(ticks.map((tick) => tick(h.clock.now())));
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(100);
    expect(await counts()).toMatchObject({ events: 300, eventKeys: 300, posts: 300, postKeys: 300, stillDue: 0 });
  });
});
