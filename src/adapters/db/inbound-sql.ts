/** SQL for the inbound archive: raw requests stored before they are acknowledged. */
import pg from 'pg';
import type { Queryable as Q } from './queryable.ts';
import type { Statement } from './statement.ts';

/** A pool the archive can take a connection of its own from (to bound a write in time). */
export type InboundPool = Q & { connect(): Promise<pg.PoolClient> };

export interface InboundRecord {
  source: 'slack' | 'pagerduty';
  dedupeKey: string;
  orderKey?: string;
  receivedAt: string;
  headers: Record<string, string>;
  body: string;
}

export interface StoredInbound extends InboundRecord {
  id: number;
  attempts: number;
}

/** Stores a request; returns its id, or undefined when the same key was stored before. */
export async function archiveInbound(db: Q, r: InboundRecord): Promise<number | undefined> {
  const res = await db.query<{ id: string }>(
    `insert into inbound_archive (source, dedupe_key, order_key, received_at, headers, body)
     values ($1, $2, $3, $4::timestamptz, $5::jsonb, $6) on conflict (dedupe_key) do nothing returning id`,
    [r.source, r.dedupeKey, r.orderKey ?? null, r.receivedAt, JSON.stringify(r.headers), r.body],
  );
  const id = res.rows[0]?.id;
  return id === undefined ? undefined : Number(id);
}

const timeoutError = (ms: number): Error => Object.assign(new Error(`archive write took over ${ms} ms`), { code: 'KRANZ_ARCHIVE_TIMEOUT' });

function within<T>(p: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => {
      onTimeout();
      reject(timeoutError(ms));
    }, ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e); });
  });
}

/** What the archive said about one request of a batch. */
export type ArchiveOutcome =
  /** `id` undefined: the same key was stored before (or earlier in the same batch). */
  | { ok: true; id: number | undefined }
  /** PostgreSQL refused this request's data (see intake/storable.ts); the rest of its batch is stored. */
  | { ok: false; error: Error };

/**
 * A string as an SQL literal, the same text `pg.escapeLiteral` writes (quotes
 * doubled; with a backslash, an `E''` string with backslashes doubled), made
 * with two native replaces instead of its loop over each character: bodies
 * are kilobytes, and this ran for every byte of every request stored.
 */
export function quoteLiteral(v: string): string {
  const quoted = v.replace(/'/g, "''");
  return v.includes('\\') ? ` E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

/**
 * The batch's insert with its values written as literals, so it can share a
 * query string with `begin` and `commit` (a string of several statements
 * takes no parameters). Strings are quoted as the client's `escapeLiteral`
 * (libpq's) quotes them; the timestamps and JSON are made here.
 */
function insertManyLiteral(rs: readonly InboundRecord[]): string {
  const text = (v: string | undefined): string => (v === undefined ? 'null' : quoteLiteral(v));
  const rows = rs.map((r) => `(${text(r.source)}, ${text(r.dedupeKey)}, ${text(r.orderKey)}, ${text(r.receivedAt)}::timestamptz, ${text(JSON.stringify(r.headers))}::jsonb, ${text(r.body)})`);
  return `insert into inbound_archive (source, dedupe_key, order_key, received_at, headers, body)
   values ${rows.join(',\n   ')}
   on conflict (dedupe_key) do nothing
   returning id, dedupe_key`;
}

const INSERT_ONE = `insert into inbound_archive (source, dedupe_key, order_key, received_at, headers, body)
   values ($1, $2, $3, $4::timestamptz, $5::jsonb, $6) on conflict (dedupe_key) do nothing returning id, dedupe_key`;

const columns = (rs: readonly InboundRecord[]): unknown[] => [
  rs.map((r) => r.source), rs.map((r) => r.dedupeKey), rs.map((r) => r.orderKey ?? null),
  rs.map((r) => r.receivedAt), rs.map((r) => JSON.stringify(r.headers)), rs.map((r) => r.body),
];

/** Is `e` PostgreSQL refusing the data itself (class 22 data exception, 54 program limit)? */
const refusedData = (e: unknown): boolean => /^(22|54)[0-9A-Z]{3}$/.test(String((e as { code?: unknown } | null)?.code ?? ''));

/**
 * Stores a batch of requests with one multi-row insert and one commit (group
 * commit: the fsync is what a durable write costs, so many requests share
 * one), within `budgetMs` or not at all. Rows get ids in batch order, so
 * requests of one order key keep the order they arrived in.
 *
 * The batch is one round trip on a connection of its own: `begin`, its
 * order-key locks, the insert and `commit` in one query string (a round trip
 * costs more CPU on this machine's network stack than the rows do). The
 * server gives up on a statement (`statement_timeout`) a little before the
 * caller's budget runs out, so a batch that cannot be stored in time is
 * rolled back there rather than landing after the caller spooled it or told
 * a person it was not recorded; when the caller's timer fires anyway the
 * connection is dropped. Only a commit already flushing as the budget ends
 * could still land late, as with a separate commit: the dedupe key makes its
 * spooled copy a no-op when replayed. A commit that fails (connection lost,
 * server gone) throws for the whole batch: none of it was stored.
 *
 * If PostgreSQL refuses one row's data, the batch is written again row by
 * row, each under a savepoint, still in one transaction: the refused row
 * gets its own error and the others are stored.
 */
export async function archiveInboundBatchWithin(pool: InboundPool, recs: readonly InboundRecord[], budgetMs: number): Promise<ArchiveOutcome[]> {
  if (recs.length === 0) return [];
  const started = Date.now();
  const left = (): number => Math.max(50, budgetMs - (Date.now() - started));
  const connecting = pool.connect();
  const client = await within(connecting, budgetMs, () => {
    connecting.then((c) => c.release(true), () => undefined);
  });
  let broken = false;
  const q = <T>(p: Promise<T>): Promise<T> => within(p, left(), () => { broken = true; });
  // The server's limit ends before the caller's (see above): its rollback must come first.
  const begin = (): string => `begin; set local statement_timeout = ${Math.max(25, Math.floor(left()) - SERVER_GIVES_UP_EARLIER_MS)};${orderKeyLocks(recs)}`;
  try {
    let outcomes: ArchiveOutcome[];
    try {
      // One round trip: begin, the order-key locks, the insert and the commit go as one query string
      // (PostgreSQL stops at the first error, so nothing after a failed insert runs, the commit included).
      const results = await q(client.query(`${begin()}; ${insertManyLiteral(recs)}; commit`)) as unknown as pg.QueryResult<{ id: string; dedupe_key: string }>[];
      const inserted = results.find((r) => r.command === 'INSERT');
      if (!inserted) throw new Error('the archive insert returned no result');
      return byKey(recs, inserted.rows);
    } catch (e) {
      if (broken || !refusedData(e)) throw e;
      await q(client.query('rollback'));
      if (recs.length === 1) return [{ ok: false, error: e as Error }];
      await q(client.query(begin()));
      outcomes = [];
      for (const r of recs) {
        await q(client.query('savepoint one_row'));
        try {
          const res = await q(client.query<{ id: string; dedupe_key: string }>(INSERT_ONE, columns([r]).map((c) => (c as unknown[])[0])));
          outcomes.push(byKey([r], res.rows)[0]!);
          await q(client.query('release savepoint one_row'));
        } catch (rowError) {
          if (broken || !refusedData(rowError)) throw rowError;
          outcomes.push({ ok: false, error: rowError as Error });
          await q(client.query('rollback to savepoint one_row'));
        }
      }
    }
    await q(client.query('commit'));
    return outcomes;
  } catch (e) {
    if (!broken) await client.query('rollback').catch(() => { broken = true; });
    // The server cancelled the statement: the same as not answering in time.
    if ((e as { code?: unknown }).code === '57014') throw timeoutError(budgetMs);
    throw e;
  } finally {
    client.release(broken);
  }
}

/** How much sooner than the caller the server abandons a batch's statement. */
const SERVER_GIVES_UP_EARLIER_MS = 100;

/** The advisory lock class the archive's order keys are locked under (the other number is the key's hash). */
const ORDER_KEY_LOCK_CLASS = 7341;

/**
 * Locks the batch's order keys until the transaction ends, in one order, so
 * two replicas storing requests of the same key commit them in the order
 * their ids were given. Without it a later row (a higher id) could commit
 * first, and a pass claiming the key's run in id order would apply it before
 * the earlier row it could not see yet. Keys are locked by a 32-bit hash:
 * two keys that share one only wait for each other. Hashes are numbers made
 * here, so they go in the statement as literals (it is sent with `begin`,
 * which takes no parameters).
 */
function orderKeyLocks(recs: readonly InboundRecord[]): string {
  const hashes = [...new Set(recs.flatMap((r) => (r.orderKey ? [fnv1a32(r.orderKey)] : [])))].sort((a, b) => a - b);
  if (hashes.length === 0) return '';
  return ` select pg_advisory_xact_lock(${ORDER_KEY_LOCK_CLASS}, h) from (values ${hashes.map((h) => `(${h})`).join(', ')}) as v(h)`;
}

/** FNV-1a, as a signed 32-bit integer (what `pg_advisory_xact_lock(int, int)` takes). */
function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** Maps inserted rows back to the batch: the first request with a key gets its id, any later one is a duplicate. */
function byKey(recs: readonly InboundRecord[], rows: readonly { id: string; dedupe_key: string }[]): ArchiveOutcome[] {
  const ids = new Map(rows.map((r) => [r.dedupe_key, Number(r.id)]));
  return recs.map((r) => {
    const id = ids.get(r.dedupeKey);
    ids.delete(r.dedupeKey);
    return { ok: true, id };
  });
}

/**
 * Leases, for each order key whose oldest unprocessed request is due (arrived
 * before `olderThan`, so requests being handled inline are left alone) and
 * not leased, up to `perKey` of its requests from the oldest on: a run in
 * order, stopping before the first one not due or leased. A key's requests
 * apply in order, so its run goes to one worker or none: after the lock,
 * only the rows that are still the key's unbroken run from its oldest are
 * kept (another replica's concurrent claim may have taken some of them).
 */
export async function claimInbound(db: Q, o: { source: string; now: Date; olderThan: Date; limit: number; leaseMs: number; workerId: string; perKey?: number }): Promise<StoredInbound[]> {
  const r = await db.query<{ id: string; source: 'slack' | 'pagerduty'; dedupe_key: string; order_key: string | null; received_at: Date; headers: Record<string, string>; body: string; attempts: number }>(
    `with queued as (
       select id, coalesce(order_key, id::text) as k,
         row_number() over w as n,
         bool_and(received_at <= $3::timestamptz and (lease_until is null or lease_until < $2::timestamptz)) over w as ready
       from inbound_archive where status = 'received' and source = $1
       window w as (partition by coalesce(order_key, id::text) order by id)
     ), picked as (
       select id, k, n from queued where ready and n <= $7::int order by id limit $4::int
     ), locked as (
       -- Checked on the locked row (a), not the snapshot, so a lease committed meanwhile is seen.
       select a.id, p.k, p.n from inbound_archive a join picked p on p.id = a.id
       where a.status = 'received' and (a.lease_until is null or a.lease_until < $2::timestamptz)
       order by a.id for update of a skip locked
     ), runs as (
       -- A row is kept when every row of its key before it was locked here too.
       select id from (select id, n, row_number() over (partition by k order by n) as m from locked) x where n = m
     )
     update inbound_archive a set lease_until = $2::timestamptz + ($5::int * interval '1 millisecond'), leased_by = $6, attempts = a.attempts + 1
     from runs where a.id = runs.id
     returning a.id, a.source, a.dedupe_key, a.order_key, a.received_at, a.headers, a.body, a.attempts`,
    [o.source, o.now.toISOString(), o.olderThan.toISOString(), o.limit, o.leaseMs, o.workerId, o.perKey ?? 1],
  );
  return r.rows
    .map((x) => ({
      id: Number(x.id), source: x.source, dedupeKey: x.dedupe_key, ...(x.order_key ? { orderKey: x.order_key } : {}),
      receivedAt: x.received_at.toISOString(), headers: x.headers, body: x.body, attempts: x.attempts,
    }))
    .sort((a, b) => a.id - b.id);
}

export async function finishInbound(db: Q, id: number, status: 'processed' | 'ignored' | 'failed', now: Date, note?: string): Promise<void> {
  await finishInboundMany(db, [{ id, status, ...(note !== undefined ? { note } : {}) }], now);
}

/** Marks requests done in one statement (one commit for a pass's worth). */
export async function finishInboundMany(db: Q, done: readonly { id: number; status: 'processed' | 'ignored' | 'failed'; note?: string }[], now: Date): Promise<void> {
  if (done.length === 0) return;
  await db.query(
    `update inbound_archive a set status = d.status, processed_at = $3::timestamptz, lease_until = null, note = d.note
     from unnest($1::bigint[], $2::text[], $4::text[]) as d(id, status, note) where a.id = d.id`,
    [done.map((d) => d.id), done.map((d) => d.status), now.toISOString(), done.map((d) => d.note?.slice(0, 1000) ?? null)],
  );
}

/**
 * Marks stored requests processed by dedupe key, as a statement sent with a
 * batch's other writes (batch-sql.ts): the commands they carried and the
 * mark commit together. Only rows still `received`: one a recovery pass
 * settled meanwhile keeps what it says.
 */
export function markInboundProcessedStatement(dedupeKeys: readonly string[], now: Date): Statement {
  return {
    text: `update inbound_archive set status = 'processed', processed_at = $2::timestamptz, lease_until = null
           where dedupe_key = any($1::text[]) and status = 'received' returning id`,
    values: [dedupeKeys, now.toISOString()],
  };
}

export async function releaseInbound(db: Q, id: number, note: string): Promise<void> {
  await db.query('update inbound_archive set lease_until = null, note = $2 where id = $1::bigint', [id, note.slice(0, 1000)]);
}

export async function inboundStatus(db: Q, dedupeKey: string): Promise<string | undefined> {
  const r = await db.query<{ status: string }>('select status from inbound_archive where dedupe_key = $1', [dedupeKey]);
  return r.rows[0]?.status;
}

export async function inboundCounts(db: Q): Promise<Record<string, number>> {
  const r = await db.query<{ k: string; n: string }>(`select source || ':' || status as k, count(*)::text as n from inbound_archive group by 1`);
  return Object.fromEntries(r.rows.map((x) => [x.k, Number(x.n)]));
}
