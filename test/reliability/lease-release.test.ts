/**
 * At start, Kranz frees the leases its own previous incarnation left on
 * outbox rows and inbound requests: recognised by the data directory's tag,
 * whatever host name and pid it ran under (a container comes back with a new
 * host name and pid 1 again). Leases of other data directories on other
 * hosts are left alone: those processes may well be alive.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKranz, createLogger } from '../../src/main.ts';
import { testPolicy } from '../helpers/domain.ts';
import { startHarness, type Harness } from '../helpers/kranz-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

async function leaseRows(holder: string): Promise<{ outbox: string | null; inbound: string | null }> {
  const o = await h.pool.query<{ l: string | null }>('select lease_until::text as l from outbox where leased_by = $1', [holder]);
  const i = await h.pool.query<{ l: string | null }>('select lease_until::text as l from inbound_archive where leased_by = $1', [holder]);
  return { outbox: o.rows[0]?.l ?? null, inbound: i.rows[0]?.l ?? null };
}

describe('leases at start', () => {
  it("frees the leases of this data directory's previous incarnation and keeps other hosts' leases", async () => {
    const tag = (await readFile(join(h.dataDir, 'worker-tag'), 'utf8')).trim();
    expect(tag).toMatch(/^[0-9a-f]{12}$/);
    // The process that died ran in a container with another host name, as pid 1.
    const previous = `kranz-7d9f-x2x:1:${tag}:0badf00d`;
    const stranger = 'other-replica-host:1:0123456789ab:cafe0001';
    for (const [i, holder] of [previous, stranger].entries()) {
      // Not due for a long while, so nobody claims them during the test.
      await h.pool.query(
        `insert into outbox (target, order_key, op, payload, idempotency_key, next_attempt_at, lease_until, leased_by, attempts)
         values ('slack', $1, 'post_message', '{}', $1, now() + interval '1 day', now() + interval '1 minute', $2, 1)`,
        [`lease-test-${i}`, holder],
      );
      await h.pool.query(
        `insert into inbound_archive (source, dedupe_key, received_at, headers, body, lease_until, leased_by, attempts)
         values ('pagerduty', $1, now() + interval '1 day', '{}', '{}', now() + interval '1 minute', $2, 1)`,
        [`lease-test-${i}`, holder],
      );
    }
    await h.kranz.stop();
    // Restarted on the same data directory and database.
    const again = await startKranz({
      env: { ...h.kranz.env, port: 0 }, policy: testPolicy, log: createLogger('silent'), extensions: [],
    });
    try {
      expect(again.workerId.split(':')[2]).toBe(tag);
      expect(await leaseRows(previous)).toEqual({ outbox: null, inbound: null });
      const kept = await leaseRows(stranger);
      expect(kept.outbox).not.toBeNull();
      expect(kept.inbound).not.toBeNull();
    } finally {
      await again.stop();
    }
  });
});
