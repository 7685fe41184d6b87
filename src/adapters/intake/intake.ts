/**
 * Intake durability. Every inbound request is stored raw before it is
 * acknowledged: in the inbound archive when Postgres answers, else in the
 * local spool. A background pass moves the spool into the archive once the
 * database is back and hands every stored-but-unapplied request to its
 * processor, in order per order key. An outage shows as a delay, never a loss.
 */
import type { Clock } from '../../app/ports.ts';
import { archiveInbound, archiveInboundBatchWithin, claimInbound, finishInboundMany, releaseInbound, type ArchiveOutcome, type InboundPool, type InboundRecord, type StoredInbound } from '../db/inbound-sql.ts';
import { GroupCommit } from '../../lib/group-commit.ts';
import type { Spool } from './spool.ts';
import { isUnstorable, storable } from './storable.ts';

/**
 * `spooled` with `reason: 'unavailable'`: the database did not answer;
 * `'backlog'`: it answers, but older spooled requests are not archived yet
 * and this one must not overtake them.
 */
export type AcceptResult =
  | { kind: 'stored'; id: number }
  | { kind: 'duplicate' }
  | { kind: 'spooled'; reason: 'unavailable' | 'backlog' }
  /** The database refused the request's data itself; it is kept in `spool/rejected.jsonl` for an operator. */
  | { kind: 'rejected' };
export type ProcessResult = 'processed' | 'ignored';
/** A request waiting for its batch: `at` is when it arrived (ms since the epoch). */
interface Arrival { rec: InboundRecord; at: number }
/** A request marked done (see `finish`). */
interface Finished { id: number; status: ProcessResult | 'failed'; note?: string }
/**
 * Most requests of one order key a pass claims together: a run a processor
 * with a `RunsProcessor` applies in a few transactions instead of one each.
 */
const RUN_LENGTH = 256;
/** Most requests a pass with a `RunsProcessor` claims (its runs apply together). */
const RUNS_PASS_LIMIT = 2_000;

/** Claimed rows (oldest first) split into each order key's run, each still oldest first. */
function runsByOrderKey(rows: readonly StoredInbound[]): Iterable<StoredInbound[]> {
  const runs = new Map<string, StoredInbound[]>();
  for (const r of rows) {
    const k = r.orderKey ?? `#${r.id}`;
    const run = runs.get(k);
    if (run) run.push(r);
    else runs.set(k, [r]);
  }
  return runs.values();
}

/** Neither the archive nor the spool took the request. */
interface Failed { error: unknown }
export type Processor = (rec: StoredInbound) => Promise<ProcessResult>;
/** What became of one request of a run: its result, or the error it failed with (retried like a single one's). */
export type Settled = { result: ProcessResult } | { error: unknown };
/**
 * Applies what one pass claimed, as runs of one order key's requests (each
 * oldest first; distinct runs are independent), returning one `Settled` per
 * request of each run, in the same order. PagerDuty: many incidents' events,
 * applied in as few transactions as they fit.
 */
export type RunsProcessor = (runs: StoredInbound[][]) => Promise<Settled[][]>;

interface Log {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
}

export interface IntakeOptions {
  pool: InboundPool;
  spool: Spool;
  clock: Clock;
  log: Log;
  /** An archive write slower than this counts as "database down" (acks must stay fast). */
  archiveTimeoutMs?: number;
  /**
   * Group commit: requests arriving within this window of the first (when no
   * batch is being written) share one insert and one commit. Default 2 ms.
   */
  batchWindowMs?: number;
  /** Most requests in one batch. Default 256. */
  maxBatch?: number;
  /** Called once per batch written (its size and where it went): debug logs and tests. */
  onBatch?: (size: number, went: 'archive' | 'spool') => void;
  /** Requests younger than this are being handled inline; the recovery pass leaves them alone. */
  inlineGraceMs?: number;
  /**
   * A request whose processor keeps failing is marked failed (visible in
   * doctor/metrics) once it has had this many attempts and is older than
   * `retryForMs`. Default 8.
   */
  maxAttempts?: number;
  /**
   * How long a failing request keeps being retried (every lease period after
   * a quick first retry): long enough to outlast a Slack or PagerDuty outage.
   * Default 24 h.
   */
  retryForMs?: number;
  /** Who this process is in lease columns (see db/worker-identity.ts). */
  workerId: string;
  /** How long a claimed request is leased; also the pause between retries after the first. Default 60 s. */
  leaseMs?: number;
  onStored?: (source: string, result: 'stored' | 'spooled' | 'duplicate') => void;
}

export class Intake {
  private readonly processors = new Map<string, { fn: Processor; graceMs: number; runs?: RunsProcessor }>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** The last archive write or replay failed for want of a database (what spooled requests are told). */
  private unavailable = false;

  private readonly batches: GroupCommit<Arrival, AcceptResult | Failed>;
  /** Requests marked done share one update and its commit when they finish together. */
  private readonly finishes: GroupCommit<Finished, void>;

  constructor(private readonly o: IntakeOptions) {
    this.batches = new GroupCommit({ windowMs: o.batchWindowMs ?? 2, maxBatch: o.maxBatch ?? 256, write: (batch) => this.store(batch) });
    this.finishes = new GroupCommit({
      windowMs: 0, maxBatch: 512,
      write: async (done) => {
        await finishInboundMany(this.o.pool, done, this.o.clock.now());
        return done.map(() => undefined);
      },
    });
  }

  /**
   * Sets who applies stored requests of a source. `graceMs`: requests younger
   * than this are being applied inline and are left alone (0 when all
   * applying happens here, as for PagerDuty). `runs`: applies a whole pass
   * at once; a pass then claims up to 256 requests of an order key.
   */
  register(source: 'slack' | 'pagerduty', fn: Processor, graceMs = this.o.inlineGraceMs ?? 10_000, runs?: RunsProcessor): void {
    this.processors.set(source, { fn, graceMs, ...(runs ? { runs } : {}) });
  }

  /**
   * Stores the request durably (archive, else spool) and resolves once it is
   * on disk: with others that arrived at about the same time, in one
   * transaction (or one spool write). Throws only when both fail, and then
   * for every request of its batch: none of them may be acknowledged.
   */
  async accept(received: InboundRecord): Promise<AcceptResult> {
    const r = await this.batches.submit({ rec: storable(received), at: Date.now() });
    if ('error' in r) throw r.error;
    return r;
  }

  /**
   * Writes one batch, in arrival order. While spooled requests wait for the
   * archive, the whole batch queues behind them in the spool: archived first,
   * its requests would be applied first too (a PagerDuty acknowledgement
   * before the spooled trigger that opens its incident).
   */
  private async store(batch: Arrival[]): Promise<(AcceptResult | Failed)[]> {
    const recs = batch.map((a) => a.rec);
    if (this.o.spool.knownDepth > 0) return this.spool(recs, this.unavailable ? 'unavailable' : 'backlog');
    // The budget runs from the oldest request's arrival: its ack must stay fast too.
    const budget = (this.o.archiveTimeoutMs ?? 1_500) - (Date.now() - Math.min(...batch.map((a) => a.at)));
    let outcomes: ArchiveOutcome[];
    try {
      outcomes = await archiveInboundBatchWithin(this.o.pool, recs, Math.max(50, budget));
    } catch (e) {
      this.o.log.warn({ err: (e as Error).message, requests: recs.length }, 'database unavailable: spooling the requests to disk');
      this.unavailable = true;
      return this.spool(recs, 'unavailable');
    }
    this.o.onBatch?.(recs.length, 'archive');
    return Promise.all(outcomes.map(async (out, i): Promise<AcceptResult | Failed> => {
      const rec = recs[i]!;
      if (out.ok) {
        this.o.onStored?.(rec.source, out.id === undefined ? 'duplicate' : 'stored');
        return out.id === undefined ? { kind: 'duplicate' } : { kind: 'stored', id: out.id };
      }
      // The database refused this request's data (the rest of the batch is stored).
      try {
        await this.o.spool.reject(rec, out.error.message);
      } catch (e) {
        return { error: e };
      }
      this.o.log.error({ err: out.error.message, source: rec.source, dedupeKey: rec.dedupeKey.slice(0, 200) }, 'the database refused an inbound request; kept in spool/rejected.jsonl');
      return { kind: 'rejected' };
    }));
  }

  private async spool(recs: InboundRecord[], reason: 'unavailable' | 'backlog'): Promise<(AcceptResult | Failed)[]> {
    try {
      await this.o.spool.appendMany(recs);
    } catch (e) {
      return recs.map(() => ({ error: e }));
    }
    this.o.onBatch?.(recs.length, 'spool');
    for (const rec of recs) this.o.onStored?.(rec.source, 'spooled');
    return recs.map(() => ({ kind: 'spooled', reason }));
  }

  async finish(id: number, result: ProcessResult | 'failed', note?: string): Promise<void> {
    await this.finishes.submit({ id, status: result, ...(note !== undefined ? { note } : {}) });
  }

  /** One pass: spool → archive, then apply what is stored and not yet applied. Returns requests applied. */
  async runOnce(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      // Requests keep queueing behind the backlog while it drains, so drain until it is
      // empty (each round is shorter than the last); the bound only guards a flood.
      let replayed = 0;
      for (let round = 0; round < 20; round++) {
        const n = await this.o.spool.drain(async (spooled) => {
          const rec = storable(spooled);
          try {
            await archiveInbound(this.o.pool, rec);
          } catch (e) {
            // One record the database refuses must not hold back every record behind it.
            if (!isUnstorable(e)) throw e;
            await this.o.spool.reject(rec, (e as Error).message);
            this.o.log.error({ err: (e as Error).message, dedupeKey: rec.dedupeKey.slice(0, 200) }, 'the database refused a spooled request; moved to spool/rejected.jsonl');
          }
        });
        replayed += n;
        if (n === 0) break;
      }
      this.unavailable = false;
      if (replayed) this.o.log.info({ replayed }, 'spooled requests moved into the archive');
      let applied = 0;
      for (const source of this.processors.keys()) applied += await this.applyPending(source as 'slack' | 'pagerduty');
      return applied;
    } catch (e) {
      this.o.log.warn({ err: (e as Error).message }, 'intake pass failed; will retry');
      return 0;
    } finally {
      this.running = false;
    }
  }

  /** Applies stored requests of one source until none is due. */
  async applyPending(source: 'slack' | 'pagerduty'): Promise<number> {
    const p = this.processors.get(source);
    if (!p) return 0;
    let total = 0;
    for (;;) {
      const now = this.o.clock.now();
      const rows = await claimInbound(this.o.pool, {
        source, now, olderThan: new Date(now.getTime() - p.graceMs), limit: p.runs ? RUNS_PASS_LIMIT : 50, perKey: p.runs ? RUN_LENGTH : 1,
        leaseMs: this.o.leaseMs ?? 60_000, workerId: this.o.workerId,
      });
      if (rows.length === 0) return total;
      const runs = [...runsByOrderKey(rows)];
      if (p.runs) await this.applyRuns(p.runs, runs);
      // Runs of distinct order keys are independent, so they go side by side; a run itself in order.
      else await Promise.all(runs.map(async (run) => {
        for (const r of run) await this.settle(r, await p.fn(r).then((result) => ({ result }), (error: unknown) => ({ error })));
      }));
      total += rows.length;
    }
  }

  private async applyRuns(processor: RunsProcessor, runs: StoredInbound[][]): Promise<void> {
    let settled: Settled[][];
    try {
      settled = await processor(runs);
    } catch (error) {
      settled = runs.map((run) => run.map(() => ({ error })));
    }
    const missing = { error: new Error('no result for this request of its run') };
    await Promise.all(runs.flatMap((run, i) => run.map((r, j) => this.settle(r, settled[i]?.[j] ?? missing))));
  }

  private async settle(r: StoredInbound, s: Settled): Promise<void> {
    if ('result' in s) {
      await this.finish(r.id, s.result);
      return;
    }
    const e = s.error;
    const msg = (e as Error).message ?? String(e);
    const age = this.o.clock.now().getTime() - Date.parse(r.receivedAt);
    // Data PostgreSQL refuses fails the same way every time; anything else (Slack or
    // PagerDuty down, a lock timeout) may heal, so it is retried for a long while.
    const hopeless = isUnstorable(e);
    if (hopeless || (r.attempts >= (this.o.maxAttempts ?? 8) && age >= (this.o.retryForMs ?? 86_400_000))) {
      this.o.log.error({ id: r.id, err: msg, attempts: r.attempts }, hopeless ? 'inbound request refused by the database; marked failed' : 'inbound request failed too often; marked failed');
      await this.finish(r.id, 'failed', msg).catch(() => undefined);
    } else if (r.attempts <= 1) {
      // One quick retry on the next pass, for a blip.
      await releaseInbound(this.o.pool, r.id, msg).catch(() => undefined);
    } else {
      // The claim's lease stays: the next attempt comes when it runs out, not every pass.
      this.o.log.warn({ id: r.id, err: msg, attempts: r.attempts }, 'inbound request failed; will retry when its lease runs out');
    }
  }

  start(intervalMs = 2_000): void {
    this.timer = setInterval(() => void this.runOnce(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.batches.idle();
    await this.finishes.idle();
    while (this.running) await new Promise((r) => setTimeout(r, 20));
  }
}
