/**
 * The node-cron wiring: one task firing every `tickSeconds` seconds that runs
 * `tick(clock.now())`. A tick still running when the next fires makes that
 * next one a skip (counted and logged), never a second concurrent run. Work
 * that must happen once across replicas is the tick's business (see
 * reminder-tick.ts): this module only keeps time.
 */
import cron, { type Logger as CronLogger } from 'node-cron';
import type { Clock } from '../app/ports.ts';

/** The slice of a pino logger the scheduler uses. */
export interface SchedulerLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Options for {@link startScheduler}. */
export interface StartSchedulerOptions {
  /** Seconds between ticks; must divide 60 so ticks stay evenly spaced across minutes. */
  tickSeconds: number;
  tick: (now: Date) => Promise<unknown>;
  clock: Clock;
  log: SchedulerLog;
  /** Task name in logs. Default `kranz-scheduler`. */
  name?: string;
}

/** Counters since start. */
export interface SchedulerStats {
  /** Ticks that ran to completion (including failed ones). */
  ran: number;
  /** Ticks skipped because the previous one was still running. */
  skipped: number;
  failed: number;
}

/** A running schedule. */
export interface Scheduler {
  /** Stops firing and waits for a running tick to finish. Safe to call twice. */
  stop(): Promise<void>;
  stats(): SchedulerStats;
}

/** The cron expression for a tick every `tickSeconds` seconds (6-field, with seconds). */
export function tickExpression(tickSeconds: number): string {
  if (!Number.isInteger(tickSeconds) || tickSeconds < 1 || tickSeconds > 60 || 60 % tickSeconds !== 0) {
    throw new RangeError(`tickSeconds must be a whole number of seconds that divides 60 (1, 2, 5, 10, 15, 30, 60); got ${tickSeconds}.`);
  }
  return tickSeconds === 60 ? '0 * * * * *' : `*/${tickSeconds} * * * * *`;
}

/** Starts ticking; returns the handle that stops it. */
export function startScheduler(o: StartSchedulerOptions): Scheduler {
  const name = o.name ?? 'kranz-scheduler';
  const stats: SchedulerStats = { ran: 0, skipped: 0, failed: 0 };
  let running: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  const fire = (): Promise<void> | undefined => {
    if (stopping) return undefined;
    if (running) {
      stats.skipped++;
      o.log.warn({ scheduler: name, skipped: stats.skipped }, 'previous tick still running; skipping this one');
      return undefined;
    }
    const run = (async () => {
      try {
        await o.tick(o.clock.now());
      } catch (err) {
        stats.failed++;
        // A failed tick is retried by the next one; the schedule must keep going.
        o.log.error({ scheduler: name, err }, 'scheduler tick failed');
      } finally {
        stats.ran++;
        running = undefined;
      }
    })();
    running = run;
    return run;
  };

  const task = cron.schedule(tickExpression(o.tickSeconds), fire, { name, logger: cronLogger(o.log, name) });
  return {
    stop: () =>
      (stopping ??= (async () => {
        await task.stop();
        await task.destroy();
        await running;
      })()),
    stats: () => ({ ...stats }),
  };
}

/** node-cron logs strings; route them to the structured log. */
function cronLogger(log: SchedulerLog, scheduler: string): CronLogger {
  const err = (m: string | Error, e?: Error) => log.error({ scheduler, err: e ?? m }, typeof m === 'string' ? m : m.message);
  return {
    info: (m) => log.info({ scheduler }, m),
    warn: (m) => log.warn({ scheduler }, m),
    error: err,
    debug: () => undefined,
  };
}
