/**
 * The one path every command takes: in one transaction, claim the command's
 * idempotency key, lock the incident, run the pure transition, append the
 * events, update the projection and write the outbox rows. A domain error
 * rolls everything back, so a bad command records nothing.
 */
import type { Command } from '../domain/commands.ts';
import type { DomainError } from '../domain/errors.ts';
import type { Actor, IncidentEvent, SourceRef } from '../domain/events.ts';
import type { IncidentId } from '../domain/ids.ts';
import type { IncidentState } from '../domain/incident.ts';
import type { Effect } from '../domain/effects.ts';
import { planReminders } from '../domain/reminders.ts';
import { transition } from '../domain/transition.ts';
import { queueNow, type ArrivalOrder } from '../lib/ordered-lanes.ts';
import { err, ok, type Result } from '../lib/result.ts';
import { auditDenial } from './access.ts';
import { authorize } from './authorize.ts';
import { resolveIncidentId, type IncidentRef } from './incident-ref.ts';
import { effectsToRows } from './outbox-rows.ts';
import type { CommandMeta } from './command-meta.ts';
import { notFound, type CommandOutcome, type NotFound } from './command-outcome.ts';
import { withNames } from './people.ts';
import type { AppDeps, UnitOfWork } from './ports.ts';
import { applyInBatch, oneCommand } from './apply-batch.ts';

export type { CommandMeta } from './command-meta.ts';

export type { IncidentRef } from './incident-ref.ts';
export { resolveIncidentId } from './incident-ref.ts';

export type { AppError, CommandOutcome, NotFound, NotFoundParams } from './command-outcome.ts';
export { notFound } from './command-outcome.ts';

/**
 * Applies a command: in its own transaction, or with the incident's other
 * commands that arrive meanwhile (apply-batch.ts). `inArrivalOrder` holds
 * its queuing until the request that came before it has queued (a note typed
 * just before it in the same channel: lib/ordered-lanes.ts).
 */
export async function applyCommand(deps: AppDeps, ref: IncidentRef, command: Command, meta: CommandMeta, inArrivalOrder: ArrivalOrder = queueNow): Promise<CommandOutcome> {
  // Who may, and names, are looked up before the transaction: a slow directory must not hold the incident's lock.
  const allowed = await authorize(deps, ref, command, meta);
  if (!allowed.ok) return allowed;
  const named = await withNames(deps, command, allowed.meta);
  // Named by id once the check found it: the batch's transaction need not look the channel up again.
  const target: IncidentRef = allowed.incidentId ? { id: allowed.incidentId } : ref;
  // Queued with the incident's other commands: applied in one transaction with those that arrive together.
  const [outcome] = await inArrivalOrder(() => applyInBatch(deps, target, oneCommand(command, named)));
  if (!outcome) throw new Error('a batch returned no outcome for a command');
  // Refused by the check against the locked incident (its roles changed meanwhile): reported like any refusal.
  if (!outcome.ok) auditDenial(deps, meta, outcome.error, 'id' in target ? { id: target.id } : undefined);
  return outcome;
}

/** A found, claimed and locked incident; `duplicate` when the command's key was seen before. */
export interface Claimed {
  incidentId: IncidentId;
  current: IncidentState;
  duplicate?: CommandOutcome;
}

/**
 * Finds the incident, locks its row and claims the command's key. A key seen
 * before means the command already applied: `duplicate` is the outcome to
 * return. An error when there is no such incident.
 *
 * The lock comes before the key, on every path: a batch of commands
 * (apply-batch.ts) claims its keys at the end, under the lock, and a command
 * that had claimed its key first and then waited for the lock could
 * deadlock with it.
 */
export async function claimAndLock(uow: UnitOfWork, ref: IncidentRef, key: string): Promise<Result<Claimed, NotFound>> {
  const incidentId = await resolveIncidentId(uow, ref);
  if (!incidentId) return err(notFound(ref));
  const current = await uow.incidents.lockIncident(incidentId);
  if (!current) return err(notFound(ref));
  if (!(await uow.keys.claimCommandKey(key, incidentId))) {
    return ok({ incidentId, current, duplicate: { ok: true, incidentId, state: current, events: [], effects: [], duplicate: true } });
  }
  return ok({ incidentId, current });
}

/**
 * Applies a command inside a caller's transaction (e.g. with an outbox
 * delivery). A refusal comes back as the error outcome; what it rolls back is
 * the caller's choice (`runInTransaction` rolls back the whole transaction).
 */
export async function applyCommandIn(uow: UnitOfWork, deps: AppDeps, ref: IncidentRef, command: Command, meta: CommandMeta): Promise<CommandOutcome> {
  const claimed = await claimAndLock(uow, ref, meta.idempotencyKey);
  if (!claimed.ok) return claimed;
  const { incidentId, current, duplicate } = claimed.value;
  if (duplicate) return duplicate;
  return applyClaimed(uow, deps, incidentId, current, command, meta);
}

/**
 * Applies a command to an incident the caller locked and whose command key
 * it claimed (`claimAndLock`): for a caller that reads something else under
 * the lock before it builds the command.
 */
export async function applyClaimed(uow: UnitOfWork, deps: AppDeps, incidentId: IncidentId, current: IncidentState, command: Command, meta: CommandMeta): Promise<CommandOutcome> {
  const now = deps.clock.now();
  const r = transition(current, command, now, { policy: deps.policy, incidentId, newId: deps.newId, ...meta });
  if (!r.ok) return err(r.error);
  return commitTransition(uow, deps, incidentId, current, r.value, meta.idempotencyKey, now);
}

/** Writes a transition's events, projection and outbox rows. */
export async function commitTransition(
  uow: UnitOfWork,
  deps: AppDeps,
  incidentId: IncidentId,
  before: IncidentState | undefined,
  t: { events: IncidentEvent[]; effects: Effect[]; state: IncidentState | undefined },
  commandKey: string,
  now: Date,
): Promise<CommandOutcome> {
  const state = t.state ?? before;
  if (!state) throw new Error(`transition for ${incidentId} produced no state`);
  if (t.events.length > 0) {
    await uow.events.appendEvents(t.events);
    await uow.incidents.saveIncident(state, now);
    // Every state change replans the incident's reminders in the same transaction.
    await uow.reminders.syncReminders(incidentId, planReminders(state, deps.policy), now);
  }
  await uow.outbox.enqueue(effectsToRows(incidentId, t.effects, commandKey), now);
  return { ok: true, incidentId, state, events: t.events, effects: t.effects, duplicate: false };
}
