/**
 * A batch of applied commands (apply-batch.ts) in two statements: what it
 * locks and reads first, then what it writes, in one statement:
 * its command keys claimed, its events appended, the incidents' projections
 * saved, its reminders replanned and its outbox rows queued, as
 * data-modifying CTEs (statement.ts). One write per table, but for each
 * replanned incident's reminders (its own rows), so no two writes touch the
 * same row.
 */
import type { BatchWrites } from '../../app/ports.ts';
import type { IncidentState } from '../../domain/incident.ts';
import { appendEventsStatement } from './events-sql.ts';
import { saveIncidentsStatement } from './incidents-sql.ts';
import { claimCommandKeysStatement } from './keys-sql.ts';
import { enqueueOutboxStatement } from './outbox-sql.ts';
import type { Queryable } from './queryable.ts';
import { syncRemindersStatements } from './reminders-sql.ts';
import { runAll, type Statement } from './statement.ts';

/**
 * The incidents locked in id order (the CTE's `order by … for update` takes
 * the row locks in that order, so two batches queue rather than deadlock)
 * and the keys claimed before, in one statement.
 */
export async function lockBatch(db: Queryable, incidentIds: readonly string[], keys: readonly string[]): Promise<{ states: Map<string, IncidentState>; claimedBefore: Set<string> }> {
  const r = await db.query<{ locked: { id: string; state: IncidentState }[] | null; claimed: string[] | null }>(
    `with locked as materialized (select id, state from incidents where id = any($1::uuid[]) order by id for update)
     select (select json_agg(json_build_object('id', id, 'state', state)) from locked) as locked,
            (select array_agg(key) from command_keys where key = any($2::text[])) as claimed`,
    [incidentIds, keys],
  );
  const row = r.rows[0];
  return {
    states: new Map((row?.locked ?? []).map((x) => [x.id, x.state])),
    claimedBefore: new Set(row?.claimed ?? []),
  };
}

export async function writeBatch(db: Queryable, w: BatchWrites): Promise<{ claimedKeys: number; queuedRows: number }> {
  const writes: { kind: 'keys' | 'other' | 'outbox'; s: Statement }[] = [];
  if (w.claims.length > 0) writes.push({ kind: 'keys', s: claimCommandKeysStatement(w.claims) });
  if (w.events.length > 0) writes.push({ kind: 'other', s: appendEventsStatement(w.events) });
  if (w.states.length > 0) writes.push({ kind: 'other', s: saveIncidentsStatement(w.states, w.now) });
  for (const p of w.reminderPlans) writes.push(...syncRemindersStatements(p.incidentId, p.planned, w.now).map((s) => ({ kind: 'other' as const, s })));
  if (w.rows.length > 0) writes.push({ kind: 'outbox', s: enqueueOutboxStatement(w.rows, w.now) });
  const counts = await runAll(db, writes.map((x) => x.s));
  const total = (kind: 'keys' | 'outbox'): number => writes.reduce((n, x, i) => n + (x.kind === kind ? counts[i]! : 0), 0);
  return { claimedKeys: total('keys'), queuedRows: total('outbox') };
}
