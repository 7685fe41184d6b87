/**
 * Comms measured against promises. Every status update's "next update in" is
 * a promise to whoever reads it; the first one is policy's (the severity's
 * cadence from the declaration). A promise is kept when the next update is
 * posted by its due time, broken when later (or never, if the incident stayed
 * open past it), released when the incident was resolved before it fell due
 * or the update making it was the final, resolved one.
 */
import type { IncidentEventOf } from '../events.ts';
import type { SeverityPolicy } from '../policy.ts';
import type { ReportFacts } from './facts.ts';
import { parseIsoMs } from './iso.ts';

export type PromiseOutcome = 'kept' | 'broken' | 'released' | 'open';

export interface UpdatePromise {
  /** When it was made: the update's time, or the declaration for the first one. */
  madeMs: number;
  dueMs: number;
  /** The update that made it; absent for the first update policy promises. */
  by?: IncidentEventOf<'status_update_posted'>;
  outcome: PromiseOutcome;
  /** When the next update was posted (kept or late). */
  postedMs?: number;
  /** How late the next update was, or how long past due it stayed unposted. */
  lateMs?: number;
}

/** Measures every promise; `endMs` is the resolution (or, while open, the last activity). */
export function measurePromises(facts: ReportFacts, severity: (key: string) => SeverityPolicy | undefined): UpdatePromise[] {
  const updates = facts.updateEvents;
  const resolvedMs = facts.times.resolved?.ms;
  const promises: UpdatePromise[] = [];
  const cadence = severity(facts.declared.data.severity)?.updateCadenceMs;
  const made: { madeMs: number; dueMs: number; by?: IncidentEventOf<'status_update_posted'> }[] = [];
  if (cadence !== undefined) made.push({ madeMs: facts.declaredMs, dueMs: facts.declaredMs + cadence });
  for (const u of updates) {
    if (u.event.data.status === 'resolved') continue; // The final update promises nothing.
    const due = parseIsoMs(u.event.data.nextUpdateAt);
    if (!Number.isNaN(due)) made.push({ madeMs: u.ms, dueMs: due, by: u.event });
  }
  // Promises and updates are both in time order: one pointer finds each promise's next update.
  let j = 0;
  for (const p of made) {
    while (j < updates.length && (p.by ? (updates[j] as { ms: number }).ms <= p.madeMs : (updates[j] as { ms: number }).ms < p.madeMs)) j++;
    const next = updates[j];
    if (next && (resolvedMs === undefined || next.ms <= resolvedMs || next.ms <= p.dueMs)) {
      const late = next.ms - p.dueMs;
      promises.push({ ...p, outcome: late > 0 ? 'broken' : 'kept', postedMs: next.ms, ...(late > 0 ? { lateMs: late } : {}) });
    } else if (resolvedMs !== undefined) {
      if (resolvedMs <= p.dueMs) promises.push({ ...p, outcome: 'released' });
      else promises.push({ ...p, outcome: 'broken', lateMs: resolvedMs - p.dueMs });
    } else if (facts.lastMs > p.dueMs) {
      promises.push({ ...p, outcome: 'broken', lateMs: facts.lastMs - p.dueMs });
    } else {
      promises.push({ ...p, outcome: 'open' });
    }
  }
  return promises;
}
