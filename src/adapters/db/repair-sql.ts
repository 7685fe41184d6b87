/**
 * SQL behind `kranz outbox …` and `kranz inbound …`: what an operator needs
 * to see what failed and to run it again. Rows are re-queued for the running
 * Kranz to pick up, never applied or delivered from the command line.
 */
import { announceOutbox } from './outbox-sql.ts';
import type { Queryable as Q } from './pool.ts';

export interface OutboxProblem {
  id: number;
  status: 'pending' | 'dead';
  target: string;
  op: string;
  orderKey: string;
  incidentNumber: number | null;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  nextAttemptAt: string;
}

/** Dead letters, and pending rows that have failed at least `minAttempts` times (stuck behind a retry). */
export async function outboxProblems(db: Q, o: { minAttempts?: number; limit?: number } = {}): Promise<OutboxProblem[]> {
  const r = await db.query<{ id: string; status: 'pending' | 'dead'; target: string; op: string; order_key: string; number: number | null; attempts: number; last_error: string | null; created_at: Date; next_attempt_at: Date }>(
    `select o.id, o.status, o.target, o.op, o.order_key, i.number, o.attempts, o.last_error, o.created_at, o.next_attempt_at
     from outbox o left join incidents i on i.id = o.incident_id
     where o.status = 'dead' or (o.status = 'pending' and o.last_error is not null and o.attempts >= $1::int)
     order by o.id limit $2::int`,
    [o.minAttempts ?? 3, o.limit ?? 200],
  );
  return r.rows.map((x) => ({
    id: Number(x.id), status: x.status, target: x.target, op: x.op, orderKey: x.order_key, incidentNumber: x.number,
    attempts: x.attempts, lastError: x.last_error, createdAt: x.created_at.toISOString(), nextAttemptAt: x.next_attempt_at.toISOString(),
  }));
}

/**
 * Queues a dead (or waiting) row again, due now, as if new: attempts and its
 * age start over, so the give-up rules give it a full new chance.
 */
export async function retryOutboxRow(db: Q, id: number, now: Date): Promise<'requeued' | 'delivered' | 'missing'> {
  const r = await db.query<{ status: string }>(
    `update outbox set status = 'pending', attempts = 0, next_attempt_at = $2::timestamptz, created_at = $2::timestamptz, lease_until = null, leased_by = null
     where id = $1::bigint and status <> 'delivered' returning status`,
    [id, now.toISOString()],
  );
  if (r.rowCount) {
    // Running workers pick it up now, not at their next idle poll.
    await announceOutbox(db);
    return 'requeued';
  }
  const seen = await db.query<{ status: string }>('select status from outbox where id = $1::bigint', [id]);
  return seen.rows[0] ? 'delivered' : 'missing';
}

/** Gives a row up for good (deleted): what it would have sent is printed by the caller first. */
export async function dropOutboxRow(db: Q, id: number): Promise<{ op: string; target: string; payload: unknown } | undefined> {
  const r = await db.query<{ op: string; target: string; payload: unknown }>(
    `delete from outbox where id = $1::bigint and status <> 'delivered' returning op, target, payload`,
    [id],
  );
  return r.rows[0];
}

export interface InboundProblem {
  id: number;
  source: string;
  status: 'received' | 'failed';
  dedupeKey: string;
  attempts: number;
  receivedAt: string;
  note: string | null;
}

/** Requests that failed for good, and those still being retried after failing. */
export async function inboundProblems(db: Q, o: { limit?: number } = {}): Promise<InboundProblem[]> {
  const r = await db.query<{ id: string; source: string; status: 'received' | 'failed'; dedupe_key: string; attempts: number; received_at: Date; note: string | null }>(
    `select id, source, status, dedupe_key, attempts, received_at, note from inbound_archive
     where status = 'failed' or (status = 'received' and note is not null)
     order by id limit $1::int`,
    [o.limit ?? 200],
  );
  return r.rows.map((x) => ({ id: Number(x.id), source: x.source, status: x.status, dedupeKey: x.dedupe_key, attempts: x.attempts, receivedAt: x.received_at.toISOString(), note: x.note }));
}

/** Marks a stored request to be applied again by the running Kranz's intake pass. */
export async function replayInboundRow(db: Q, id: number): Promise<'requeued' | 'missing'> {
  const r = await db.query(
    `update inbound_archive set status = 'received', attempts = 0, lease_until = null, leased_by = null, processed_at = null
     where id = $1::bigint`,
    [id],
  );
  return r.rowCount ? 'requeued' : 'missing';
}

/** Inbound requests marked failed (for doctor and /metrics). */
export async function failedInboundCount(db: Q): Promise<number> {
  const r = await db.query<{ n: string }>(`select count(*)::text as n from inbound_archive where status = 'failed'`);
  return Number(r.rows[0]?.n ?? 0);
}

/**
 * Deletes archived requests received before `before` that are done with
 * (applied, ignored or failed); a request still waiting to be applied is
 * never deleted. The incident's own events are elsewhere and kept forever.
 */
export async function pruneInboundArchive(db: Q, before: Date): Promise<number> {
  const r = await db.query(`delete from inbound_archive where received_at < $1::timestamptz and status <> 'received'`, [before.toISOString()]);
  return r.rowCount ?? 0;
}
