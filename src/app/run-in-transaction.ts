/**
 * Expected failures (no such incident, a command the domain refuses) travel
 * as values. A use case returns its error result from inside the
 * transaction; this helper rolls the transaction back for it, so a refused
 * command records nothing (not even its idempotency key) and nobody has to
 * throw to undo. Bugs and I/O failures still throw and roll back as well.
 */
import type { Store, UnitOfWork } from './ports.ts';

/** Any result with an `ok` flag: `Result` from lib/result.ts, `CommandOutcome`, `SnoozeOutcome`. */
export type Outcome = { ok: true } | { ok: false };

export function runInTransaction<R extends Outcome>(store: Store, fn: (uow: UnitOfWork) => Promise<R>): Promise<R> {
  return store.transaction(fn, { commit: (r) => r.ok });
}
