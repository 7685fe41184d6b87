/**
 * Retention of raw inbound requests (`retention.inbound`, default 30 days).
 * The archive keeps bodies with `response_url`s and message text; they are
 * needed to replay a failed request, not forever. Once an hour the scheduler
 * prunes: the archive once across replicas (the hour is claimed in
 * `scheduler_ticks`, one replica wins it), and each replica its own spool's
 * `rejected.jsonl` (a local file, so every replica prunes its own). The live
 * spool is never pruned: what it holds was acknowledged and is not stored
 * anywhere else yet.
 */
import { claimTick } from '../db/reminders-sql.ts';
import { pruneInboundArchive } from '../db/repair-sql.ts';
import type { Queryable } from '../db/pool.ts';
import type { Spool } from './spool.ts';

const HOUR = 3_600_000;

export interface RetentionOptions {
  pool: Queryable & Parameters<typeof claimTick>[0];
  spool: Spool;
  retentionMs: number;
  log: { info(o: object, m?: string): void };
}

export interface RetentionResult {
  /** This replica won the hour and pruned the archive. */
  claimed: boolean;
  archiveRows: number;
  spoolRecords: number;
}

/** Builds the tick: call it as often as you like; it prunes at most once per hour. */
export function retentionTick(o: RetentionOptions): (now: Date) => Promise<RetentionResult> {
  let lastLocalHour = -1;
  return async (now) => {
    const hour = Math.floor(now.getTime() / HOUR);
    const before = new Date(now.getTime() - o.retentionMs);
    let spoolRecords = 0;
    if (hour !== lastLocalHour) {
      spoolRecords = await o.spool.pruneRejected(before);
      lastLocalHour = hour;
    }
    const claimed = await claimTick(o.pool, 'retention', new Date(hour * HOUR));
    const archiveRows = claimed ? await pruneInboundArchive(o.pool, before) : 0;
    if (archiveRows || spoolRecords) o.log.info({ archiveRows, spoolRecords, before: before.toISOString() }, 'pruned inbound requests past retention.inbound');
    return { claimed, archiveRows, spoolRecords };
  };
}
