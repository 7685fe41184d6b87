/**
 * Leases left by workers that are gone. A worker that dies holding a lease
 * (an outbox row, an inbound request) blocks that row, and everything queued
 * behind it under the same order key, until the lease runs out (60 s).
 * Leases of workers known to be dead are freed at start instead.
 */
import type { Queryable as Q } from './queryable.ts';

/** Workers holding live leases now, on outbox rows or inbound requests. */
export async function leaseHolders(db: Q, now: Date): Promise<string[]> {
  const r = await db.query<{ leased_by: string }>(
    `select leased_by from outbox where status = 'pending' and leased_by is not null and lease_until > $1::timestamptz
     union
     select leased_by from inbound_archive where status = 'received' and leased_by is not null and lease_until > $1::timestamptz`,
    [now.toISOString()],
  );
  return r.rows.map((x) => x.leased_by);
}

/** Frees every lease held by these workers, so their rows are taken up now. */
export async function releaseLeasesOf(db: Q, workerIds: readonly string[]): Promise<{ outbox: number; inbound: number }> {
  if (workerIds.length === 0) return { outbox: 0, inbound: 0 };
  const o = await db.query(`update outbox set lease_until = null where status = 'pending' and leased_by = any($1::text[]) and lease_until is not null`, [workerIds]);
  const i = await db.query(`update inbound_archive set lease_until = null where status = 'received' and leased_by = any($1::text[]) and lease_until is not null`, [workerIds]);
  return { outbox: o.rowCount ?? 0, inbound: i.rowCount ?? 0 };
}
