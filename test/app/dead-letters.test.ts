/**
 * Operators can see and fix what failed. An outbox row whose delivery throws
 * `outbox.max_attempts` times, or keeps failing for `outbox.give_up_after`,
 * goes to the dead letters instead of blocking its channel's later messages
 * forever; outages and rate limits alone are waited out up to that age.
 * `kranz outbox list|retry|drop` and `kranz inbound list|replay` show and
 * re-run them, and `/metrics` counts them. Real database, fake clock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxWorker, type Deliverer, type DeliveryOutcome } from '../../src/app/deliver-outbox.ts';
import type { ClaimedOutboxRow } from '../../src/app/ports.ts';
import { outboxQueue } from '../../src/adapters/db/store.ts';
import { archiveInbound, finishInbound } from '../../src/adapters/db/inbound-sql.ts';
import { failedInboundCount } from '../../src/adapters/db/repair-sql.ts';
import { outboxStats } from '../../src/adapters/db/outbox-sql.ts';
import { createMetrics } from '../../src/adapters/metrics.ts';
import { runCli } from '../../src/cli/run.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';

let h: AppHarness;
let dataDir = '';
const savedEnv = { ...process.env };
beforeAll(async () => {
  h = await appHarness();
  dataDir = await mkdtemp(join(tmpdir(), 'kranz-dead-'));
  // The CLI reads its configuration from the environment, as `kranz` does.
  process.env['DATABASE_URL'] = h.db.url;
  process.env['KRANZ_DATA_DIR'] = dataDir;
  process.env['LOG_LEVEL'] = 'silent';
  delete process.env['KRANZ_CONFIG'];
});
afterAll(async () => {
  process.env = savedEnv;
  await h.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** A target with a bug for some bodies, a rate limit that never lifts for others. */
class FlakyTarget implements Deliverer {
  delivered: string[] = [];
  broken = new Set<string>();
  limited = new Set<string>();
  async deliver(row: ClaimedOutboxRow): Promise<DeliveryOutcome> {
    const body = (row.payload as { body: string }).body;
    if (this.broken.has(body)) throw new TypeError(`Cannot read properties of undefined (reading 'ts') for ${body}`);
    if (this.limited.has(body)) return { ok: false, retryable: true, error: 'ratelimited', retryAfterMs: 60_000 };
    this.delivered.push(body);
    return { ok: true };
  }
}

async function enqueue(rows: { key: string; body: string }[]): Promise<void> {
  await h.deps.store.transaction((u) =>
    u.outbox.enqueue(rows.map((r) => ({ target: 'test', orderKey: r.key, op: 'post', payload: { body: r.body }, idempotencyKey: `dl:${r.body}` })), h.clock.now()),
  );
}

/** Runs the worker, moving the fake clock a minute on between passes. */
async function run(worker: OutboxWorker, minutes: number): Promise<void> {
  for (let i = 0; i < minutes; i++) {
    await worker.drain();
    h.clock.advance(60_000);
  }
  await worker.drain();
}

async function row(body: string): Promise<{ id: number; status: string; attempts: number; last_error: string | null }> {
  const r = await h.pool.query<{ id: string; status: string; attempts: number; last_error: string | null }>("select id, status, attempts, last_error from outbox where payload->>'body' = $1", [body]);
  const x = r.rows[0]!;
  return { ...x, id: Number(x.id) };
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`) });
  return { code, out, err };
}

describe('dead letters', () => {
  const target = new FlakyTarget();
  let worker: OutboxWorker;
  beforeAll(() => {
    worker = new OutboxWorker(h.deps, outboxQueue(h.pool), { test: target }, { workerId: 'dl1', random: () => 0.5 });
  });

  it('dead-letters a row that throws 10 times, and the rows behind it go out', async () => {
    target.broken.add('bug-1');
    await enqueue([{ key: 'chan-a', body: 'bug-1' }, { key: 'chan-a', body: 'after-bug' }]);
    await run(worker, 20);
    const dead = await row('bug-1');
    expect(dead.status).toBe('dead');
    expect(dead.attempts).toBe(h.deps.policy.outbox.maxAttempts);
    expect(dead.attempts).toBe(10);
    expect(dead.last_error).toMatch(/^gave up after 10 attempts that failed unexpectedly: Cannot read properties/);
    expect(target.delivered).toContain('after-bug');
  });

  it('waits out a rate limit past 10 attempts, and gives up only after 24 h', async () => {
    target.limited.add('limited-1');
    await enqueue([{ key: 'chan-b', body: 'limited-1' }]);
    await run(worker, 60);
    const waiting = await row('limited-1');
    expect(waiting.status).toBe('pending');
    expect(waiting.attempts).toBeGreaterThan(10);
    // 23 hours later it still waits; past 24 h it is dead.
    h.clock.advance(22 * 3_600_000);
    await worker.drain();
    expect((await row('limited-1')).status).toBe('pending');
    h.clock.advance(2 * 3_600_000);
    await worker.drain();
    const dead = await row('limited-1');
    expect(dead.status).toBe('dead');
    expect(dead.last_error).toMatch(/^gave up after 25 h of failures \(\d+ attempts\): ratelimited/);
  });

  it('kranz outbox list shows both; retry delivers one once fixed; drop gives the other up', async () => {
    const list = await cli('outbox', 'list');
    expect(list.code).toBe(0);
    const bug = await row('bug-1');
    const limited = await row('limited-1');
    expect(list.out).toContain(`#${bug.id}  dead`);
    expect(list.out).toContain(`#${limited.id}  dead`);
    expect(list.out).toMatch(/2 dead, 0 failing/);

    // The bug is fixed (a new release): retry, and the running worker delivers it.
    target.broken.delete('bug-1');
    const retried = await cli('outbox', 'retry', String(bug.id));
    expect(retried).toMatchObject({ code: 0, out: expect.stringContaining(`#${bug.id} is queued again`) });
    expect(await row('bug-1')).toMatchObject({ status: 'pending', attempts: 0 });
    // Queued "now" by the real clock: the fake one is moved there.
    h.clock.set(new Date(Date.now() + 1_000));
    await worker.drain();
    expect((await row('bug-1')).status).toBe('delivered');
    expect(target.delivered.filter((b) => b === 'bug-1')).toHaveLength(1);

    const dropped = await cli('outbox', 'drop', String(limited.id));
    expect(dropped.code).toBe(0);
    expect(dropped.out).toContain('"body": "limited-1"');
    expect((await h.pool.query("select 1 from outbox where payload->>'body' = 'limited-1'")).rowCount).toBe(0);

    expect((await cli('outbox', 'retry', 'abc')).code).toBe(2);
    expect(await cli('outbox', 'retry', String(bug.id))).toMatchObject({ code: 1, err: expect.stringContaining('delivered already') });
    expect((await cli('outbox', 'list')).out).toContain('No dead letters');
  });
});

describe('failed inbound requests', () => {
  it('kranz inbound list shows a failed request, replay queues it again, and /metrics counts it', async () => {
    const id = await archiveInbound(h.pool, { source: 'slack', dedupeKey: 'slack:cmd:T1:failed.1', receivedAt: h.clock.now().toISOString(), headers: {}, body: 'command=%2Fincident&text=note+hi' });
    await finishInbound(h.pool, id!, 'failed', h.clock.now(), 'invalid byte sequence for encoding "UTF8": 0x00');
    const metrics = createMetrics({ outbox: () => outboxStats(h.pool, h.clock.now()), spoolDepth: () => 0, inboundFailed: () => failedInboundCount(h.pool) }, { defaults: false });
    expect(await metrics.render()).toMatch(/^kranz_inbound_failed 1$/m);

    const list = await cli('inbound', 'list');
    expect(list.code).toBe(0);
    expect(list.out).toContain(`#${id}  failed`);
    expect(list.out).toContain('slack:cmd:T1:failed.1');
    expect(list.out).toContain('invalid byte sequence');

    const replay = await cli('inbound', 'replay', String(id));
    expect(replay).toMatchObject({ code: 0, out: expect.stringContaining(`#${id} is queued again`) });
    const after = await h.pool.query<{ status: string; attempts: number; lease_until: Date | null }>('select status, attempts, lease_until from inbound_archive where id = $1', [id]);
    expect(after.rows[0]).toEqual({ status: 'received', attempts: 0, lease_until: null });
    expect(await metrics.render()).toMatch(/^kranz_inbound_failed 0$/m);
    expect((await cli('inbound', 'replay', '999999')).code).toBe(1);
  });
});
