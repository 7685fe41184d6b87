/**
 * The shape every doctor check returns, how one is printed, and the deadline
 * each check runs under: a doctor that hangs on a black-holed host is worse
 * than one that says "no answer".
 */

/** Outcome of one check. */
export interface CheckResult {
  ok: boolean;
  /** What was checked, e.g. `Slack bot token`; on success, what was found. */
  what: string;
  /** Why it failed (failures only). */
  problem?: string;
  /** What the operator does about it (failures only). */
  fix?: string;
  /** `kranz start` refuses to start on a failed fatal check. */
  fatal?: boolean;
  /** Extra lines printed indented under the result (e.g. the latest dead letters). */
  details?: string[];
}

/** A passed check. */
export function pass(what: string): CheckResult {
  return { ok: true, what };
}

/** A failed check. */
export function fail(what: string, problem: string, fix: string, opts: { fatal?: boolean; details?: string[] } = {}): CheckResult {
  return { ok: false, what, problem, fix, ...(opts.fatal ? { fatal: true } : {}), ...(opts.details?.length ? { details: opts.details } : {}) };
}

/** `✓ what` or `✗ what: problem. Fix: how`, then any details indented, one per line. */
export function formatCheck(r: CheckResult): string[] {
  const head = r.ok ? `✓ ${r.what}` : `✗ ${r.what}: ${stripDot(r.problem ?? 'failed')}. Fix: ${r.fix ?? 'see the problem above'}`;
  return [head, ...(r.details ?? []).map((d) => `    ${d}`)];
}

const stripDot = (s: string): string => s.replace(/\.+$/, '');

/** Thrown by {@link withTimeout} when the deadline passes first. */
export class CheckTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${formatMs(ms)}`);
  }
}

/**
 * Resolves like `work`, or rejects with {@link CheckTimeout} after `ms`.
 * `work` keeps running in the background (nothing here can cancel a pg
 * connect); callers close what it opens once they are done.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(ms)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** `1.5 s`, `500 ms`. */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`;
}

/** An error as one line, without a stack. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.message;
  return String(e);
}

/** Timeouts for the checks. */
export interface DoctorTimeouts {
  /** One network call (Slack, PagerDuty, one query). Default 5000 ms. */
  callMs: number;
  /** Opening an external database. Default 5000 ms. */
  connectMs: number;
  /** Starting the embedded PostgreSQL (initdb on the first run is slow). Default 60 000 ms. */
  embeddedStartMs: number;
}

/** The defaults of {@link DoctorTimeouts}. */
export const DEFAULT_TIMEOUTS: DoctorTimeouts = { callMs: 5_000, connectMs: 5_000, embeddedStartMs: 60_000 };
