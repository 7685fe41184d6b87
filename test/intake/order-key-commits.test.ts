/**
 * Two replicas storing requests of one order key: the later row (the higher
 * id) must never be visible while the earlier one is not, or a pass claiming
 * the key's run in id order would apply it first. A trigger holds the first
 * row's commit open for half a second, as a slow fsync or a stalled replica
 * would; the second row, stored meanwhile on another connection, waits for
 * the key's lock and commits after it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveInboundBatchWithin, type InboundRecord } from '../../src/adapters/db/inbound-sql.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';

let h: AppHarness;
beforeAll(async () => {
  h = await appHarness();
  await h.pool.query(`
    create function test_slow_commit() returns trigger language plpgsql as $$
    begin
      if new.body = 'slow' then perform pg_sleep(0.5); end if;
      return null;
    end $$;
    create constraint trigger test_slow after insert on inbound_archive deferrable initially deferred
      for each row execute function test_slow_commit();
  `);
});
afterAll(async () => h.close());

const rec = (dedupeKey: string, orderKey: string, body: string): InboundRecord => ({
  source: 'pagerduty', dedupeKey, orderKey, receivedAt: new Date().toISOString(), headers: {}, body,
});

describe('storing requests of one order key from two connections', () => {
  it('commits them in id order: the later row is never seen without the earlier one', async () => {
    const first = archiveInboundBatchWithin(h.pool, [rec('pd:E-slow', 'pd:PKEY1', 'slow')], 5_000);
    await new Promise((r) => setTimeout(r, 100));
    const second = archiveInboundBatchWithin(h.pool, [rec('pd:E-fast', 'pd:PKEY1', 'fast')], 5_000);
    // Another key is not held up by the first row's slow commit.
    const other = await archiveInboundBatchWithin(h.pool, [rec('pd:E-other', 'pd:PKEY2', 'other')], 5_000);
    expect(other[0]?.ok).toBe(true);
    const seen: string[][] = [];
    let done = false;
    void Promise.all([first, second]).then(() => void (done = true));
    while (!done) {
      const r = await h.pool.query<{ body: string }>("select body from inbound_archive where order_key = 'pd:PKEY1' order by id");
      seen.push(r.rows.map((x) => x.body));
      await new Promise((res) => setTimeout(res, 10));
    }
    const [a, b] = await Promise.all([first, second]);
    expect(a[0]?.ok && b[0]?.ok).toBe(true);
    // Every look saw nothing, the slow row alone, or both in order: never the fast row alone or first.
    for (const s of seen) expect([[], ['slow'], ['slow', 'fast']]).toContainEqual(s);
    const final = await h.pool.query<{ body: string }>("select body from inbound_archive where order_key = 'pd:PKEY1' order by id");
    expect(final.rows.map((x) => x.body)).toEqual(['slow', 'fast']);
    expect(seen.length).toBeGreaterThan(10);
  });
});
