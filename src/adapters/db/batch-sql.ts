/**
 * What a batch of applied commands writes (apply-batch.ts), in one statement:
 * its command keys claimed, its events appended, the incidents' projections
 * saved, its reminders replanned and its outbox rows queued, as
 * data-modifying CTEs (statement.ts). One write per table, but for each
 * replanned incident's reminders (its own rows), so no two writes touch the
 * same row.
 */
import type { BatchWrites } from '../../app/ports.ts';
import { appendEventsStatement } from './events-sql.ts';
import { saveIncidentsStatement } from './incidents-sql.ts';
import { claimCommandKeysStatement } from './keys-sql.ts';
import { enqueueOutboxStatement } from './outbox-sql.ts';
import type { Queryable } from './queryable.ts';
import { syncRemindersStatements } from './reminders-sql.ts';
import { runAll, type Statement } from './statement.ts';

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
