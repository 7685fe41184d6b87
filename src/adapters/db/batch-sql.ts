/**
 * A batch of applied commands (apply-batch.ts) in two statements: what it
 * locks and reads first, then what it writes, in one statement:
 * its command keys claimed, its events appended, the incidents' projections
 * saved, its reminders replanned, the stored requests it applied marked
 * processed and its outbox rows queued, as
 * data-modifying CTEs (statement.ts). One write per table, but for each
 * replanned incident's reminders (its own rows), so no two writes touch the
 * same row.
 */
import type { BatchWrites } from '../../app/ports.ts';
import type { IncidentState } from '../../domain/incident.ts';
import { appendEventsStatement } from './events-sql.ts';
import { saveIncidentsStatement } from './incidents-sql.ts';
import { claimCommandKeysStatement } from './keys-sql.ts';
import { markInboundProcessedStatement } from './inbound-sql.ts';
import { enqueueOutboxStatement } from './outbox-sql.ts';
import type { Queryable } from './queryable.ts';
import { syncRemindersStatements } from './reminders-sql.ts';
import { runAll } from './statement.ts';

/**
 * The incidents locked in id order (the CTE's `order by … for no key update`
 * takes the row locks in that order, so two batches queue rather than
 * deadlock; the lock `lockIncident` takes) and the keys claimed before, in one statement.
 */
export async function lockBatch(db: Queryable, incidentIds: readonly string[], keys: readonly string[]): Promise<{ states: Map<string, IncidentState>; claimedBefore: Set<string> }> {
  const r = await db.query<{ locked: { id: string; state: IncidentState }[] | null; claimed: string[] | null }>(
    `with locked as materialized (select id, state from incidents where id = any($1::uuid[]) order by id for no key update)
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
  // The keys first and the outbox last, so their counts are the first and the last.
  const keys = w.claims.length > 0 ? [claimCommandKeysStatement(w.claims)] : [];
  const outbox = w.rows.length > 0 ? [enqueueOutboxStatement(w.rows, w.now)] : [];
  const counts = await runAll(db, [
    ...keys,
    ...(w.events.length > 0 ? [appendEventsStatement(w.events)] : []),
    ...(w.states.length > 0 ? [saveIncidentsStatement(w.states, w.now)] : []),
    ...w.reminderPlans.flatMap((p) => syncRemindersStatements(p.incidentId, p.planned, w.now)),
    ...(w.appliedRequests.length > 0 ? [markInboundProcessedStatement(w.appliedRequests, w.now)] : []),
    ...outbox,
  ]);
  return { claimedKeys: keys.length > 0 ? counts[0]! : 0, queuedRows: outbox.length > 0 ? counts.at(-1)! : 0 };
}
