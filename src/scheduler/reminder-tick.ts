/**
 * The reminder tick every replica runs. It first claims the tick in Postgres
 * (a guarded upsert: of N replicas firing the same tick exactly one wins) and
 * the winner does the tick's housekeeping: the backlog log line, once for the
 * whole deployment rather than N times. Then every replica sends due
 * reminders: the per-row SKIP LOCKED claim in `sendDueReminders`, not the
 * tick claim, is what makes each reminder go out exactly once, so replicas
 * share the work and overlapping or late ticks cannot double-send.
 */
import type { AppDeps } from '../app/ports.ts';
import { replanOpenIncidents, sendDueReminders, type SendRemindersOptions, type SendRemindersResult } from '../app/send-reminders.ts';
import type { SchedulerLog } from './scheduler.ts';

/** Options for {@link createReminderTick}. */
export interface ReminderTickOptions {
  log: SchedulerLog;
  /** Tick name in `scheduler_ticks`. Default `reminders`. */
  name?: string;
  /** The scheduler's period; ticks are claimed per slot of this length. Default 1. */
  tickSeconds?: number;
  /** Steps per tick per replica. Default 500. */
  limit?: number;
  concurrency?: number;
  /** Replan open incidents on this process's first tick (after a migration or a policy change). Default true. */
  replanOnFirstTick?: boolean;
  /** Log a warning when the oldest due reminder is later than this. Default 60 s. */
  warnLateMs?: number;
  onSent?: SendRemindersOptions['onSent'];
}

/** What one replica's tick did. */
export interface ReminderTickResult extends SendRemindersResult {
  /** This replica won the tick (and did its housekeeping). */
  claimed: boolean;
}

/** Share of the tick period a tick keeps claiming for; the rest is slack for the steps in flight. */
const BUSY_SHARE = 0.8;

/** Builds the function to pass as `tick` to `startScheduler`. */
export function createReminderTick(deps: AppDeps, o: ReminderTickOptions): (now: Date) => Promise<ReminderTickResult> {
  const name = o.name ?? 'reminders';
  const slotMs = (o.tickSeconds ?? 1) * 1000;
  let first = o.replanOnFirstTick ?? true;
  return async (now) => {
    if (first) {
      first = false;
      const n = await replanOpenIncidents(deps);
      if (n > 0) o.log.info({ incidents: n }, 'reminders replanned for open incidents');
    }
    const slot = new Date(Math.floor(now.getTime() / slotMs) * slotMs);
    const claimed = await deps.store.transaction((uow) => uow.reminders.claimTick(name, slot));
    if (claimed) {
      const backlog = await deps.store.transaction((uow) => uow.reminders.reminderBacklog(now));
      const lateMs = backlog.oldestDueAt ? now.getTime() - Date.parse(backlog.oldestDueAt) : 0;
      if (lateMs > (o.warnLateMs ?? 60_000)) o.log.warn({ due: backlog.due, oldestDueAt: backlog.oldestDueAt, lateMs }, 'reminders are running late');
    }
    // Work until shortly before the next tick fires, so ticks never overlap and
    // whatever falls due meanwhile goes out at once.
    const sent = await sendDueReminders(deps, { limit: o.limit ?? 500, stopAfterMs: slotMs * BUSY_SHARE, ...(o.concurrency ? { concurrency: o.concurrency } : {}), ...(o.onSent ? { onSent: o.onSent } : {}) });
    return { claimed, ...sent };
  };
}
