/**
 * The archive stores a batch in one query string, its values written as
 * literals: every body must come back byte for byte, whatever it holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { archiveInboundBatchWithin, quoteLiteral, type InboundRecord } from '../../src/adapters/db/inbound-sql.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';

let h: AppHarness;
beforeAll(async () => {
  h = await appHarness();
});
afterAll(async () => h.close());

const TRICKY = [
  "it's O'Brien's \\'quoted\\' text; drop table inbound_archive; --",
  'back\\slashes \\\\ and \\x00-looking \\n escapes, E\'\' too',
  '$1 $$ dollar $tag$ quoting $tag$ and ?',
  'unicode: Grüße, 日本語, emoji 🚒, RTL \u202e, combining e\u0301',
  `{"json": "with \\"quotes\\" and \\\\ backslashes", "n": [1, 2]}`,
  '',
];

describe('a batch stored in one round trip', () => {
  it('keeps every body, header and key exactly, in batch order', async () => {
    const recs: InboundRecord[] = TRICKY.map((body, i) => ({
      source: i % 2 ? 'slack' : 'pagerduty', dedupeKey: `lit:${i}:'k'\\`, ...(i === 2 ? {} : { orderKey: `pd:P'${i}` }),
      receivedAt: new Date(Date.UTC(2026, 11, 7, 10, 0, i)).toISOString(), headers: { 'x-webhook-id': `w'${i}\\"` }, body,
    }));
    const out = await archiveInboundBatchWithin(h.pool, recs, 5_000);
    expect(out.every((o) => o.ok && typeof o.id === 'number')).toBe(true);
    const ids = out.map((o) => (o.ok ? o.id! : 0));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    const rows = await h.pool.query<{ source: string; dedupe_key: string; order_key: string | null; received_at: Date; headers: Record<string, string>; body: string }>(
      'select source, dedupe_key, order_key, received_at, headers, body from inbound_archive where id = any($1::bigint[]) order by id', [ids]);
    expect(rows.rows.map((r) => ({ source: r.source, dedupeKey: r.dedupe_key, ...(r.order_key === null ? {} : { orderKey: r.order_key }), receivedAt: r.received_at.toISOString(), headers: r.headers, body: r.body }))).toEqual(recs);
  });

  it('answers a key already stored, or repeated in the batch, as a duplicate', async () => {
    const rec = (key: string, body: string): InboundRecord => ({ source: 'slack', dedupeKey: key, receivedAt: new Date().toISOString(), headers: {}, body });
    const [first] = await archiveInboundBatchWithin(h.pool, [rec('dup:a', 'one')], 5_000);
    const out = await archiveInboundBatchWithin(h.pool, [rec('dup:a', 'again'), rec('dup:b', 'two'), rec('dup:b', 'two again')], 5_000);
    expect(first).toMatchObject({ ok: true, id: expect.any(Number) });
    expect(out).toEqual([{ ok: true, id: undefined }, { ok: true, id: expect.any(Number) }, { ok: true, id: undefined }]);
    const bodies = await h.pool.query<{ body: string }>("select body from inbound_archive where dedupe_key like 'dup:%' order by id");
    expect(bodies.rows.map((r) => r.body)).toEqual(['one', 'two']);
  });
});

describe('quoting a literal', () => {
  it("writes exactly what the client's escapeLiteral writes", () => {
    const alphabet = ["'", '\\', 'a', ' ', '"', '$', '\n', 'é', '🚒', 'E'];
    const samples = [...TRICKY, "'", '\\', "\\'", "''\\\\"];
    // Every string of up to four characters drawn from quotes, backslashes and plain text.
    const grow = (prefix: string, n: number): void => {
      samples.push(prefix);
      if (n > 0) for (const c of alphabet) grow(prefix + c, n - 1);
    };
    grow('', 4);
    for (const s of samples) expect(quoteLiteral(s)).toBe(pg.escapeLiteral(s));
    expect(samples.length).toBeGreaterThan(10_000);
  });
});
