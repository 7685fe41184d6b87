/**
 * SQL for the outbox. Rows sharing an order_key are delivered strictly one at
 * a time in id order (order per Slack channel); a dead row stops blocking.
 */
import type pg from 'pg';
import type { Statement } from './statement.ts';
import type { Queryable } from './queryable.ts';
import type { NewOutboxRow } from '../../app/ports.ts';

type Q = Pick<pg.ClientBase, 'query'>;

export interface OutboxRow extends NewOutboxRow {
  id: number;
  attempts: number;
  createdAt: string;
}

/**
 * The channel outbox workers LISTEN on: a transaction that queued rows is
 * announced on it once it committed (see store.ts), waking every replica's
 * worker at once instead of at its next poll.
 */
export const OUTBOX_CHANNEL = 'kranz_outbox';

/**
 * Announces new rows. Sent after the commit, not inside the transaction:
 * PostgreSQL serialises the commits of notifying transactions (a database-wide
 * lock held through the commit's flush), which cut concurrent commits from
 * about 2,000/s to 400/s on the bench machine. Rolled-back rows are never announced.
 */
export async function announceOutbox(db: Queryable, from = ''): Promise<void> {
  await db.query(`select pg_notify('${OUTBOX_CHANNEL}', $1)`, [from]);
}

/** Inserts rows; an idempotency key seen before is skipped. */
export async function enqueueOutbox(db: Q, rows: readonly NewOutboxRow[], now: Date): Promise<number> {
  if (rows.length === 0) return 0;
  const s = enqueueOutboxStatement(rows, now);
  const r = await db.query(s.text, s.values);
  return r.rowCount ?? 0;
}

/** `enqueueOutbox` as a statement (returning each queued row's id), to be sent with others (statement.ts). */
export function enqueueOutboxStatement(rows: readonly NewOutboxRow[], now: Date): Statement {
  return {
    text: `insert into outbox (incident_id, target, order_key, op, payload, idempotency_key, created_at, next_attempt_at)
     select u.incident_id, u.target, u.order_key, u.op, u.payload, u.idempotency_key, $7::timestamptz, $7::timestamptz
     from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[])
       with ordinality as u(incident_id, target, order_key, op, payload, idempotency_key, n)
     order by u.n
     on conflict (idempotency_key) do nothing
     returning id`,
    values: [
      rows.map((r) => r.incidentId ?? null),
      rows.map((r) => r.target),
      rows.map((r) => r.orderKey),
      rows.map((r) => r.op),
      rows.map((r) => JSON.stringify(r.payload)),
      rows.map((r) => r.idempotencyKey),
      now.toISOString(),
    ],
  };
}

/**
 * When the next row can be claimed: the earliest head of an order key, due at
 * its `next_attempt_at` or when its lease runs out, whichever is later.
 * Undefined when nothing is pending. May lie in the past (a row due now).
 */
export async function nextOutboxDue(db: Q): Promise<Date | undefined> {
  const r = await db.query<{ due: Date | null }>(
    `select min(greatest(h.next_attempt_at, coalesce(h.lease_until, h.next_attempt_at))) as due
     from (select distinct on (order_key) next_attempt_at, lease_until from outbox where status = 'pending' order by order_key, id) h`,
  );
  return r.rows[0]?.due ?? undefined;
}

interface Row {
  id: string;
  incident_id: string | null;
  target: string;
  order_key: string;
  op: string;
  payload: unknown;
  idempotency_key: string;
  attempts: number;
  created_at: Date;
}

/**
 * Leases the head row of each order key that is due and not leased by a live
 * worker. SKIP LOCKED lets N replicas claim disjoint rows; the lease lets a
 * crashed worker's rows be taken over once it expires.
 */
export async function claimOutbox(db: Q, o: { now: Date; limit: number; leaseMs: number; workerId: string; targets?: string[] }): Promise<OutboxRow[]> {
  const r = await db.query<Row>(
    `with heads as (
       select distinct on (order_key) id, order_key, next_attempt_at, lease_until
       from outbox
       where status = 'pending'
       order by order_key, id
     ), due as (
       -- The checks are on the locked row itself (o), not on the heads snapshot: under READ
       -- COMMITTED, Postgres re-checks only the locked row's own conditions after waiting, so a
       -- lease another worker committed meanwhile is seen and the row is not claimed twice.
       select o.id from outbox o join heads h on h.id = o.id
       where o.status = 'pending'
         and o.next_attempt_at <= $1::timestamptz
         and (o.lease_until is null or o.lease_until < $1::timestamptz)
         and ($5::text[] is null or o.target = any($5::text[]))
       order by o.id
       limit $2::int
       for update of o skip locked
     )
     update outbox set lease_until = $1::timestamptz + ($3::int * interval '1 millisecond'), leased_by = $4, attempts = attempts + 1
     from due where outbox.id = due.id
     returning outbox.id, outbox.incident_id, outbox.target, outbox.order_key, outbox.op, outbox.payload,
               outbox.idempotency_key, outbox.attempts, outbox.created_at`,
    [o.now.toISOString(), o.limit, o.leaseMs, o.workerId, o.targets ?? null],
  );
  return r.rows
    .map((x) => ({
      id: Number(x.id),
      ...(x.incident_id ? { incidentId: x.incident_id } : {}),
      target: x.target,
      orderKey: x.order_key,
      op: x.op,
      payload: x.payload,
      idempotencyKey: x.idempotency_key,
      attempts: x.attempts,
      createdAt: x.created_at.toISOString(),
    }))
    .sort((a, b) => a.id - b.id);
}

export async function markDelivered(db: Q, id: number, workerId: string, result: unknown, now: Date): Promise<boolean> {
  const r = await db.query(
    `update outbox set status = 'delivered', delivered_at = $3::timestamptz, result = $4::jsonb, lease_until = null, last_error = null
     where id = $1::bigint and leased_by = $2 and status = 'pending'`,
    [id, workerId, now.toISOString(), JSON.stringify(result ?? null)],
  );
  return (r.rowCount ?? 0) === 1;
}

/**
 * Marks several leased rows delivered in one statement (deliveries that
 * record nothing else, finished together, share one commit). Returns the ids
 * marked: a row whose lease was lost to another worker is not.
 */
export async function markManyDelivered(db: Q, rows: readonly { id: number; result: unknown }[], workerId: string, now: Date): Promise<Set<number>> {
  if (rows.length === 0) return new Set();
  const r = await db.query<{ id: string }>(
    `update outbox o set status = 'delivered', delivered_at = $3::timestamptz, result = u.result, lease_until = null, last_error = null
     from unnest($1::bigint[], $4::jsonb[]) as u(id, result)
     where o.id = u.id and o.leased_by = $2 and o.status = 'pending'
     returning o.id`,
    [rows.map((x) => x.id), workerId, now.toISOString(), rows.map((x) => JSON.stringify(x.result ?? null))],
  );
  return new Set(r.rows.map((x) => Number(x.id)));
}

export async function markRetry(db: Q, id: number, workerId: string, error: string, nextAttemptAt: Date): Promise<void> {
  await db.query(
    `update outbox set next_attempt_at = $3::timestamptz, last_error = $4, lease_until = null
     where id = $1::bigint and leased_by = $2 and status = 'pending'`,
    [id, workerId, nextAttemptAt.toISOString(), error.slice(0, 2000)],
  );
}

/** Gives a claimed row back for later without counting the claim as an attempt (pacing, not a failure). */
export async function markDeferred(db: Q, id: number, workerId: string, nextAttemptAt: Date): Promise<void> {
  await db.query(
    `update outbox set next_attempt_at = $3::timestamptz, lease_until = null, attempts = greatest(0, attempts - 1)
     where id = $1::bigint and leased_by = $2 and status = 'pending'`,
    [id, workerId, nextAttemptAt.toISOString()],
  );
}

/**
 * Delivered rows of one order key between two ids. Walks the primary key over
 * the ids in between (rows of every key queued meanwhile), not the key's whole history.
 */
export async function countDeliveredBetween(db: Q, orderKey: string, fromId: number, beforeId: number): Promise<number> {
  const r = await db.query<{ n: string }>(
    `select count(*)::text as n from outbox where id >= $2::bigint and id < $3::bigint and order_key = $1 and status = 'delivered'`,
    [orderKey, fromId, beforeId],
  );
  return Number(r.rows[0]?.n ?? 0);
}

/** Poison messages go to the dead state: shown by doctor and metrics, no longer blocking their key. */
export async function markDead(db: Q, id: number, workerId: string, error: string): Promise<void> {
  await db.query(
    `update outbox set status = 'dead', last_error = $3, lease_until = null where id = $1::bigint and leased_by = $2 and status = 'pending'`,
    [id, workerId, error.slice(0, 2000)],
  );
}

export interface OutboxStats {
  pending: number;
  dead: number;
  oldestPendingAgeSeconds: number;
}

export async function outboxStats(db: Q, now: Date): Promise<OutboxStats> {
  const r = await db.query<{ pending: string; dead: string; oldest: Date | null }>(
    `select count(*) filter (where status = 'pending')::text as pending,
            count(*) filter (where status = 'dead')::text as dead,
            min(created_at) filter (where status = 'pending') as oldest
     from outbox`,
  );
  const row = r.rows[0];
  return {
    pending: Number(row?.pending ?? 0),
    dead: Number(row?.dead ?? 0),
    oldestPendingAgeSeconds: row?.oldest ? Math.max(0, (now.getTime() - row.oldest.getTime()) / 1000) : 0,
  };
}

export interface DeadLetter {
  id: number;
  target: string;
  op: string;
  orderKey: string;
  lastError: string | null;
  createdAt: string;
}

export async function listDeadLetters(db: Q, limit = 20): Promise<DeadLetter[]> {
  const r = await db.query<{ id: string; target: string; op: string; order_key: string; last_error: string | null; created_at: Date }>(
    `select id, target, op, order_key, last_error, created_at from outbox where status = 'dead' order by id desc limit $1::int`,
    [limit],
  );
  return r.rows.map((x) => ({ id: Number(x.id), target: x.target, op: x.op, orderKey: x.order_key, lastError: x.last_error, createdAt: x.created_at.toISOString() }));
}

/** Delivered results of an order key, in order (tests and the demo read what went out). */
export async function outboxResults(db: Q, incidentId: string): Promise<{ op: string; status: string; result: unknown }[]> {
  const r = await db.query<{ op: string; status: string; result: unknown }>('select op, status, result from outbox where incident_id = $1::uuid order by id', [incidentId]);
  return r.rows;
}
