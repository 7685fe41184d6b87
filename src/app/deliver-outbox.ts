/**
 * Delivers outbox rows: at most one in flight per order key, retried with
 * exponential backoff and jitter (or exactly the server's Retry-After), never
 * dropped on a retryable failure. A permanent failure (e.g. channel_not_found)
 * goes to the dead state so it stops blocking the rows behind it.
 */
import type { IncidentId } from '../domain/ids.ts';
import type { Command } from '../domain/commands.ts';
import { applyCommandIn, type CommandMeta } from './apply-command.ts';
import { GroupCommit } from '../lib/group-commit.ts';
import { OutboxPacer } from './outbox-pacing.ts';
import type { AppDeps, ClaimedOutboxRow, NewOutboxRow, OutboxQueue } from './ports.ts';

/** Something the delivery learned that must be recorded with it (same transaction). */
export type FollowUp =
  | { kind: 'command'; incidentId: IncidentId; command: Command; meta: CommandMeta }
  | { kind: 'slot'; incidentId: string; slot: string; channelId: string; ts: string }
  | { kind: 'enqueue'; rows: NewOutboxRow[] };

export type DeliveryOutcome =
  | { ok: true; result?: unknown; followUps?: FollowUp[] }
  /**
   * `waiting`: not a failure of the target, the row waits for an earlier effect (e.g. the channel).
   * `unexpected`: not an answer of the target nor an outage but an error of Kranz's own (a bug):
   * such a row goes to the dead letters after `outbox.max_attempts`, so it cannot block the
   * incident's later messages forever; outages and rate limits are waited out.
   * `rateLimited`: the target refused the row's order key for its rate (Slack's 429 on a channel): the
   * key's later rows are paced (see `outbox-pacing.ts`).
   */
  | { ok: false; retryable: true; error: string; retryAfterMs?: number; waiting?: true; unexpected?: true; rateLimited?: true }
  | { ok: false; retryable: false; error: string };

/** Delivers rows of one target (`slack`, `pagerduty`, …). */
/**
 * The workspace's people as the PagerDuty target needs them: a person's
 * email (to find them in PagerDuty), and putting people into an incident
 * channel by email (the on-call an escalation policy names). Slack
 * implements it; the PagerDuty target uses it without knowing Slack.
 */
export interface WorkspacePeople {
  /** The person's email; `email` undefined when the workspace does not show it. */
  emailOf(userId: string): Promise<{ ok: true; email?: string } | Exclude<DeliveryOutcome, { ok: true }>>;
  /**
   * Invites the people with these emails; those already in the channel (`alreadyIn`, the members Kranz
   * knows of, or Slack's `already_in_channel`) are not invited again, and are no error.
   */
  inviteByEmail(channelId: string, emails: readonly string[], alreadyIn?: readonly string[]): Promise<InviteOutcome>;
}

/** Who got in, who was in already, whose email has no Slack account, and whom Slack would not add (with its reason); or why it failed. */
export type InviteOutcome =
  | { ok: true; invited: string[]; alreadyIn: string[]; notInSlack: string[]; refused: { user: string; error: string }[] }
  | Exclude<DeliveryOutcome, { ok: true }>;

export interface Deliverer {
  deliver(row: ClaimedOutboxRow): Promise<DeliveryOutcome>;
}

export interface OutboxWorkerOptions {
  workerId: string;
  batch?: number;
  leaseMs?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
  onDelivered?: (row: ClaimedOutboxRow) => void;
  onFailed?: (row: ClaimedOutboxRow, outcome: Exclude<DeliveryOutcome, { ok: true }>) => void;
  /** A row will be due again at `at` (Retry-After or backoff): lets the caller wake exactly then. */
  onRetry?: (row: ClaimedOutboxRow, at: Date) => void;
}

/** Exponential backoff with full jitter between half and all of the step. */
export function backoffMs(attempts: number, base: number, max: number, random: () => number): number {
  const step = Math.min(max, base * 2 ** Math.max(0, attempts - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

export class OutboxWorker {
  private readonly batch: number;
  private readonly leaseMs: number;
  private readonly random: () => number;
  /**
   * Deliveries that record nothing but themselves, finished while an earlier
   * mark is being written, share the next one (one statement, one commit).
   */
  private readonly marks: GroupCommit<{ id: number; result: unknown }, boolean>;
  /** Order keys a target rate-limits, spaced at the rate it allowed. */
  private readonly pacer = new OutboxPacer();

  constructor(
    private readonly deps: AppDeps,
    private readonly queue: OutboxQueue,
    private readonly deliverers: Record<string, Deliverer>,
    private readonly opts: OutboxWorkerOptions,
  ) {
    this.batch = opts.batch ?? 20;
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.random = opts.random ?? Math.random;
    this.marks = new GroupCommit({
      windowMs: 0, maxBatch: 256,
      write: async (rows) => {
        const marked = await this.queue.delivered(rows, this.opts.workerId, this.deps.clock.now());
        return rows.map((r) => marked.has(r.id));
      },
    });
  }

  /** Claims and delivers one batch; returns how many rows were attempted. */
  async runOnce(): Promise<number> {
    const rows = await this.queue.claim({ now: this.deps.clock.now(), limit: this.batch, leaseMs: this.leaseMs, workerId: this.opts.workerId });
    // Each row is the head of its order key, so they can go in parallel.
    await Promise.all(rows.map((row) => this.deliverOne(row)));
    return rows.length;
  }

  /** Runs batches until nothing is due (tests and shutdown flushes). */
  async drain(maxRounds = 1_000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxRounds; i++) {
      const n = await this.runOnce();
      total += n;
      if (n === 0) break;
    }
    return total;
  }

  private async deliverOne(row: ClaimedOutboxRow): Promise<void> {
    const startAt = this.deps.clock.now().getTime();
    const slot = this.pacer.nextSlot(row.orderKey, startAt);
    if (slot > startAt) {
      // Not its turn yet at the key's pace: back untried, woken at its slot.
      const at = new Date(slot);
      await this.queue.defer(row.id, this.opts.workerId, at);
      this.opts.onRetry?.(row, at);
      return;
    }
    this.pacer.started(row.orderKey, startAt);
    const deliverer = this.deliverers[row.target];
    let outcome: DeliveryOutcome;
    if (!deliverer) {
      outcome = { ok: false, retryable: false, error: `no deliverer for target "${row.target}"` };
    } else {
      try {
        outcome = await deliverer.deliver(row);
      } catch (e) {
        // An unexpected throw is retried (better late than lost), up to `outbox.max_attempts`.
        outcome = { ok: false, retryable: true, error: e instanceof Error ? e.message : String(e), unexpected: true };
      }
    }
    if (!outcome.ok && outcome.retryable && outcome.rateLimited) {
      // Learning the pace is an optimisation: a failure to count leaves the key as it was, nothing else.
      const now = this.deps.clock.now().getTime();
      await this.pacer.refused(row.orderKey, row.id, now, outcome.retryAfterMs ?? 0, (fromId) => this.queue.deliveredBetween(row.orderKey, fromId, row.id)).catch(() => undefined);
    }
    if (!outcome.ok && outcome.retryable) outcome = this.giveUp(row, outcome) ?? outcome;
    if (outcome.ok) {
      await this.complete(row, outcome.result, outcome.followUps ?? []);
      this.opts.onDelivered?.(row);
      return;
    }
    this.opts.onFailed?.(row, outcome);
    if (!outcome.retryable) {
      await this.queue.dead(row.id, this.opts.workerId, outcome.error);
      return;
    }
    const wait = outcome.retryAfterMs ?? backoffMs(row.attempts, this.opts.baseBackoffMs ?? 1_000, this.opts.maxBackoffMs ?? 60_000, this.random);
    const at = new Date(this.deps.clock.now().getTime() + wait);
    await this.queue.retry(row.id, this.opts.workerId, outcome.error, at);
    this.opts.onRetry?.(row, at);
  }

  /**
   * A retryable failure that has gone on too long becomes permanent: thrown
   * `outbox.max_attempts` times, or still failing `outbox.give_up_after`
   * after the row was queued. It then waits in the dead letters for
   * `kranz outbox retry`, instead of blocking its order key.
   */
  private giveUp(row: ClaimedOutboxRow, f: Extract<DeliveryOutcome, { retryable: true }>): Extract<DeliveryOutcome, { retryable: false }> | undefined {
    const policy = this.deps.policy.outbox;
    const ageMs = this.deps.clock.now().getTime() - Date.parse(row.createdAt);
    if (f.unexpected && row.attempts >= policy.maxAttempts) {
      return { ok: false, retryable: false, error: `gave up after ${row.attempts} attempts that failed unexpectedly: ${f.error}` };
    }
    if (ageMs >= policy.giveUpAfterMs) {
      return { ok: false, retryable: false, error: `gave up after ${Math.round(ageMs / 3_600_000)} h of failures (${row.attempts} attempts): ${f.error}` };
    }
    return undefined;
  }

  private async complete(row: ClaimedOutboxRow, result: unknown, followUps: FollowUp[]): Promise<void> {
    const now = this.deps.clock.now();
    try {
      if (followUps.length === 0) {
        await this.marks.submit({ id: row.id, result: result ?? null });
        return;
      }
      await this.deps.store.transaction(async (uow) => {
        if (!(await uow.outbox.markOutboxDelivered(row.id, this.opts.workerId, result ?? null, now))) return;
        for (const f of followUps) {
          if (f.kind === 'slot') await uow.slots.saveSlot(f.incidentId, f.slot, f.channelId, f.ts);
          else if (f.kind === 'enqueue') await uow.outbox.enqueue(f.rows, now);
          // A follow-up the domain refuses (already recorded) must not undo the delivery: its
          // error outcome is dropped and the transaction commits (the refusal wrote nothing but its key).
          else await applyCommandIn(uow, this.deps, { id: f.incidentId }, f.command, f.meta);
        }
      });
    } catch (e) {
      await this.queue.retry(row.id, this.opts.workerId, `recording the delivery failed: ${e instanceof Error ? e.message : String(e)}`, new Date(now.getTime() + 1_000));
    }
  }
}
