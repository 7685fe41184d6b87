/**
 * Sends due reminders, exactly once across replicas. Each reminder step is
 * one transaction: claim the row with its incident (FOR UPDATE SKIP LOCKED,
 * so concurrent senders take disjoint rows), compute the step, record it
 * through the command path (`record_reminder`: the `reminder_sent` event and
 * the Slack post's outbox row), and move the row to its next step. Either all
 * of that commits or none of it, and the step's idempotency key makes even a
 * replayed step one event.
 *
 * After downtime every overdue row is due at once; each is sent once (its
 * next step is computed from now), so a 3-hour outage gives one catch-up per
 * reminder, not a burst of the missed steps.
 */
import { asIncidentId } from '../domain/ids.ts';
import {
  planReminders, quietHoursDeferral, reminderName, reminderStep, type PlannedReminder, type ReminderStep,
} from '../domain/reminders.ts';
import { applyCommandIn, type CommandMeta } from './apply-command.ts';
import type { AppDeps, DueReminder, UnitOfWork } from './ports.ts';

/** How much one call may send, and how. */
export interface SendRemindersOptions {
  /** At most this many steps (sent or deferred) per call. */
  limit: number;
  /** Parallel claim loops in this process (each uses one pooled connection). Default 4. */
  concurrency?: number;
  /**
   * Stop claiming once this long has passed on the clock since the call
   * began (a scheduler tick passes most of its period, so a tick ends before
   * the next one fires). Claims use the clock's time at each claim, so what
   * falls due while the call runs goes out at once rather than next tick.
   * Default: no limit, drain until nothing is due.
   */
  stopAfterMs?: number;
  /** Called after each sent step commits, with the clock time it was sent at. */
  onSent?: (reminder: DueReminder, step: ReminderStep, sentAt: Date) => void;
}

/** What one call did. */
export interface SendRemindersResult {
  sent: number;
  /** Held back by quiet hours (moved to their end, nothing sent). */
  deferred: number;
  /** Refused by the domain (never expected); retried later. */
  failed: number;
}

/** If the domain ever refuses a reminder, try again this much later instead of spinning on it. */
const RETRY_REFUSED_MS = 5 * 60_000;

/** The idempotency key of one step: its reminder, fire time and level. */
export const reminderStepKey = (r: DueReminder): string => `reminder:${r.incidentId}:${r.kind}:${r.subject}:${r.dueAt}:${r.level}`;

const META = { actor: { kind: 'kranz' }, source: { kind: 'kranz', ref: 'reminders' } } as const satisfies Omit<CommandMeta, 'idempotencyKey'>;

type StepOutcome = { kind: 'empty' } | { kind: 'sent'; reminder: DueReminder; step: ReminderStep; at: Date } | { kind: 'deferred' | 'failed' };

/** Sends what is due now, up to `limit` steps; returns the counts. */
export async function sendDueReminders(deps: AppDeps, o: SendRemindersOptions): Promise<SendRemindersResult> {
  const result: SendRemindersResult = { sent: 0, deferred: 0, failed: 0 };
  let budget = o.limit;
  let progressed = true;
  const deadline = o.stopAfterMs === undefined ? Number.POSITIVE_INFINITY : deps.clock.now().getTime() + o.stopAfterMs;
  const open = (): boolean => budget > 0 && deps.clock.now().getTime() < deadline;
  const loop = async (): Promise<void> => {
    while (open()) {
      budget--;
      const out = await sendOne(deps);
      if (out.kind === 'empty') {
        budget++;
        return;
      }
      progressed = true;
      result[out.kind]++;
      if (out.kind === 'sent') o.onSent?.(out.reminder, out.step, out.at);
    }
  };
  // A claim that skips a row can still hold that row's lock until its (empty)
  // transaction ends, so a loop may see "nothing due" while a sibling is busy
  // with the same incident. Rounds repeat until one makes no progress: then
  // nothing claimable is left, whoever holds what.
  while (progressed && open()) {
    progressed = false;
    await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 4) }, loop));
  }
  return result;
}

/** One step in one transaction. */
async function sendOne(deps: AppDeps): Promise<StepOutcome> {
  return deps.store.transaction(async (uow) => {
    const now = deps.clock.now();
    const [due] = await uow.reminders.claimDueReminders(now, 1);
    if (!due) return { kind: 'empty' };
    // The claim locked the incident row too and brought its state.
    const state = due.state;
    const planned: PlannedReminder = { kind: due.kind, subject: due.subject, dueAt: due.plannedAt };
    const deferTo = quietHoursDeferral(planned, due.level, state, deps.policy, now);
    if (deferTo) {
      await advance(uow, due, due.level, deferTo, false, now);
      return { kind: 'deferred' };
    }
    const step = reminderStep(planned, due.level, state, deps.policy, now);
    const recorded = await applyCommandIn(uow, deps, { id: asIncidentId(due.incidentId) }, {
      type: 'record_reminder', reminder: reminderName(due), level: step.level, dueAt: due.plannedAt,
      to: step.to, mention: step.mention, facts: step.facts,
    }, { ...META, idempotencyKey: reminderStepKey(due) });
    if (!recorded.ok) {
      // The step commits as a retry later; the refusal itself wrote nothing but its key (the step's, which a retry does not reuse).
      await advance(uow, due, due.level, new Date(now.getTime() + RETRY_REFUSED_MS).toISOString(), false, now);
      return { kind: 'failed' };
    }
    await advance(uow, due, step.nextLevel, step.nextDueAt ?? null, true, now);
    return { kind: 'sent', reminder: due, step, at: now };
  });
}

function advance(uow: UnitOfWork, r: DueReminder, level: number, dueAt: string | null, sent: boolean, now: Date): Promise<void> {
  return uow.reminders.advanceReminder({ incidentId: r.incidentId, kind: r.kind, subject: r.subject, level, dueAt, sent, now });
}

/**
 * Replans the reminders of open incidents from their current state: for a
 * database migrated while incidents were open, or a policy changed across a
 * restart. A reminder whose due time is unchanged keeps its level, so running
 * it again changes nothing. Returns how many incidents were replanned.
 */
export async function replanOpenIncidents(deps: AppDeps, o: { limit?: number } = {}): Promise<number> {
  const open = await deps.store.transaction((uow) => uow.incidents.listOpenIncidents(o.limit ?? 1_000));
  for (const inc of open) {
    await deps.store.transaction(async (uow) => {
      const state = await uow.incidents.lockIncident(inc.id);
      if (state) await uow.reminders.syncReminders(inc.id, planReminders(state, deps.policy), deps.clock.now());
    });
  }
  return open.length;
}
