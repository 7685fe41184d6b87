/**
 * Batched applying per incident. Commands for one incident that arrive while
 * one of its transactions runs wait for it, then go together: one transaction
 * locks the incident once, runs every command through `transition` in arrival
 * order, appends all their events, saves the projection and replans the
 * reminders once, and queues all their outbox rows in one statement.
 *
 * Why: a durable commit costs one flush of the write-ahead log whatever it
 * holds, and the incident's row lock lets one of its transactions run at a
 * time. One commit per command capped a busy incident (an alert storm, a
 * channel full of notes) at the disk's flush rate; one per batch does not.
 * When an incident is quiet a command goes alone and at once: batches only
 * form while a transaction is in flight (group commit, `lib/group-commit.ts`).
 *
 * Each command still gets its own outcome. A refused one writes nothing (not
 * even its key) and does not stop the ones after it. A batch whose
 * transaction throws (a bug, a lost connection) is applied again one item per
 * transaction, so a poison command fails alone. Different incidents have
 * different queues and apply side by side, up to the pool's size.
 */
import type { Command } from '../domain/commands.ts';
import type { IncidentEvent } from '../domain/events.ts';
import type { IncidentId } from '../domain/ids.ts';
import type { IncidentState } from '../domain/incident.ts';
import { planReminders } from '../domain/reminders.ts';
import { transition } from '../domain/transition.ts';
import { GroupCommit } from '../lib/group-commit.ts';
import type { CommandMeta } from './command-meta.ts';
import { resolveIncidentId, type IncidentRef } from './incident-ref.ts';
import { effectsToRows } from './outbox-rows.ts';
import type { AppDeps, NewOutboxRow, UnitOfWork } from './ports.ts';
import { notFound, type CommandOutcome } from './command-outcome.ts';

export interface PlannedCommand {
  command: Command;
  meta: CommandMeta;
}

/** What one caller asks of the incident: one command, or several planned against its state when their turn comes. */
export interface BatchItem {
  /** Every key the item's commands may carry: the batch checks them against earlier claims in one round trip. */
  keys: readonly string[];
  /**
   * The item's commands, given the incident as it stands (locked) once the
   * items before it applied. Pure: it may run again if the batch is retried.
   */
  plan(state: IncidentState): PlannedCommand[];
}

/** One command, as `applyCommand` submits it. */
export const oneCommand = (command: Command, meta: CommandMeta): BatchItem => ({ keys: [meta.idempotencyKey], plan: () => [{ command, meta }] });

/** Most items in one transaction: bounds the transaction's size and the lock's hold time. */
const MAX_BATCH = 256;

/** One item's outcomes, or the error its transaction threw. */
export type Settled = { outcomes: CommandOutcome[] } | { error: unknown };

interface IncidentQueue {
  commits: GroupCommit<BatchItem, Settled>;
  /** Callers waiting on this queue; at 0 the queue is dropped. */
  waiting: number;
}

/** The queues of one `AppDeps` (one Kranz runtime), by incident reference. */
const queuesByDeps = new WeakMap<AppDeps, Map<string, IncidentQueue>>();

/** A reference has one field, so this names it exactly; two names of one incident just queue apart (the row lock still orders them). */
const refKey = (ref: IncidentRef): string => JSON.stringify(ref);

/**
 * Queues an item for the incident and resolves with one outcome per command
 * it planned (one outcome, "not found", when there is no such incident).
 * The item joins its queue synchronously, before this returns: items a
 * caller submits one after the other apply in that order.
 */
export function applyInBatch(deps: AppDeps, ref: IncidentRef, item: BatchItem): Promise<CommandOutcome[]> {
  let queues = queuesByDeps.get(deps);
  if (!queues) queuesByDeps.set(deps, (queues = new Map()));
  const key = refKey(ref);
  let q = queues.get(key);
  if (!q) {
    q = { waiting: 0, commits: new GroupCommit<BatchItem, Settled>({ windowMs: 0, maxBatch: MAX_BATCH, write: (items) => runBatch(deps, ref, items) }) };
    queues.set(key, q);
  }
  const queue = q;
  queue.waiting++;
  return queue.commits.submit(item).then(
    (r) => {
      release(queues, key, queue);
      if ('error' in r) throw r.error;
      return r.outcomes;
    },
    (e: unknown) => {
      release(queues, key, queue);
      throw e;
    },
  );
}

function release(queues: Map<string, IncidentQueue>, key: string, q: IncidentQueue): void {
  if (--q.waiting === 0 && queues.get(key) === q) queues.delete(key);
}

async function runBatch(deps: AppDeps, ref: IncidentRef, items: BatchItem[]): Promise<Settled[]> {
  try {
    const outcomes = await deps.store.transaction((uow) => applyBatchIn(uow, deps, ref, items));
    return outcomes.map((o) => ({ outcomes: o }));
  } catch (e) {
    if (items.length === 1) return [{ error: e }];
    // One at a time: the item that broke the transaction fails alone, the others apply.
    const settled: Settled[] = [];
    for (const item of items) {
      try {
        const [outcomes] = await deps.store.transaction((uow) => applyBatchIn(uow, deps, ref, [item]));
        settled.push({ outcomes: outcomes! });
      } catch (error) {
        settled.push({ error });
      }
    }
    return settled;
  }
}

/**
 * Applies items in the caller's transaction: lock, then every command in
 * order against the state the ones before it left, then one write of
 * everything. Keys are claimed at the end, under the lock (see
 * `claimAndLock` for why every path locks first).
 */
export async function applyBatchIn(uow: UnitOfWork, deps: AppDeps, ref: IncidentRef, items: readonly BatchItem[]): Promise<CommandOutcome[][]> {
  const incidentId = await resolveIncidentId(uow, ref);
  if (!incidentId) return items.map(() => [{ ok: false, error: notFound(ref) }]);
  const [outcomes] = await applyBatchesIn(uow, deps, [{ incidentId, items }], ref);
  return outcomes!;
}

/** Items for one incident, as a batch across incidents takes them. */
export interface IncidentBatch {
  incidentId: IncidentId;
  items: readonly BatchItem[];
}

/**
 * Applies the batches of several incidents in one transaction and one write
 * of each kind: the incidents are locked together (in id order, so two such
 * transactions queue rather than deadlock), their keys checked and claimed
 * in one statement each, all events appended and all projections saved in
 * one statement each, reminders replanned for the incidents whose plan
 * changed, and all outbox rows queued together. One outcome list per item of
 * each batch, as `applyBatchIn`. `ref` names the incident in a not-found
 * answer when there is one batch.
 */
export async function applyBatchesIn(uow: UnitOfWork, deps: AppDeps, batches: readonly IncidentBatch[], ref?: IncidentRef): Promise<CommandOutcome[][][]> {
  const hinted = new Set(batches.flatMap((b) => b.items.flatMap((i) => i.keys)));
  // The incidents locked and the keys checked in one round trip.
  const { states: lockedStates, claimedBefore } = await uow.batches.lockBatch([...new Set(batches.map((b) => b.incidentId))], [...hinted]);
  const now = deps.clock.now();
  const events: IncidentEvent[] = [];
  const rows: NewOutboxRow[] = [];
  const claims: { key: string; incidentId: string }[] = [];
  const appliedRequests: string[] = [];
  /** Each incident's state before the batch and after it, for those whose state changed. */
  const changed = new Map<IncidentId, { before: IncidentState; after: IncidentState }>();
  const all: CommandOutcome[][][] = [];
  for (const { incidentId, items } of batches) {
    const locked = changed.get(incidentId)?.after ?? lockedStates.get(incidentId);
    if (!locked) {
      all.push(items.map(() => [{ ok: false, error: notFound(ref ?? { id: incidentId }) }]));
      continue;
    }
    let state = locked;
    const outcomes: CommandOutcome[][] = [];
    for (const item of items) {
      const mine: CommandOutcome[] = [];
      for (const { command, meta } of item.plan(state)) {
        const key = meta.idempotencyKey;
        if (!hinted.has(key)) {
          hinted.add(key);
          if ((await uow.keys.existingCommandKeys([key])).size > 0) claimedBefore.add(key);
        }
        if (claimedBefore.has(key)) {
          mine.push({ ok: true, incidentId, state, events: [], effects: [], duplicate: true });
          continue;
        }
        const r = transition(state, command, now, { policy: deps.policy, incidentId, newId: deps.newId, ...meta });
        if (!r.ok) {
          mine.push({ ok: false, error: r.error });
          continue;
        }
        state = r.value.state ?? state;
        claimedBefore.add(key);
        claims.push({ key, incidentId });
        if (meta.requestKey) appliedRequests.push(meta.requestKey);
        events.push(...r.value.events);
        rows.push(...effectsToRows(incidentId, r.value.effects, key));
        mine.push({ ok: true, incidentId, state, events: r.value.events, effects: r.value.effects, duplicate: false });
        if (r.value.events.length > 0) changed.set(incidentId, { before: changed.get(incidentId)?.before ?? lockedStates.get(incidentId)!, after: state });
      }
      outcomes.push(mine);
    }
    all.push(outcomes);
  }
  // Only incidents with new events changed.
  const states = [...changed.values()].map((c) => c.after);
  // A state change replans the incident's reminders in the same transaction. Most changes
  // leave the plan as it was (a PagerDuty event recorded): then there is nothing to store.
  const reminderPlans = [...changed].flatMap(([incidentId, { before, after }]) => {
    const planned = planReminders(after, deps.policy);
    return JSON.stringify(planned) === JSON.stringify(planReminders(before, deps.policy)) ? [] : [{ incidentId, planned }];
  });
  // Keys, events, projections, reminder plans, outbox rows and the requests' marks go in one statement.
  if (claims.length + events.length + rows.length + reminderPlans.length > 0) {
    const { claimedKeys } = await uow.batches.writeBatch({ claims, events, states, reminderPlans, rows, appliedRequests, now });
    // Under the locks no other transaction claims these keys; a mismatch is a bug, and the throw retries apart.
    if (claimedKeys !== claims.length) throw new Error(`${claims.length - claimedKeys} command key(s) of a batch were claimed by another transaction`);
  }
  return all;
}

/**
 * Applies batches of several incidents in one transaction (`applyBatchesIn`):
 * what a pass of the intake found for many incidents at once (an alert storm
 * over fifty PagerDuty incidents) costs one commit, not one per incident. If
 * that transaction throws, each incident's batch goes through its own queue
 * instead (`applyInBatch`, which in turn isolates a poison item).
 */
export async function applyAcrossIncidents(deps: AppDeps, batches: readonly IncidentBatch[]): Promise<Settled[][]> {
  if (batches.length === 0) return [];
  try {
    const all = await deps.store.transaction((uow) => applyBatchesIn(uow, deps, batches));
    return all.map((outcomes) => outcomes.map((o) => ({ outcomes: o })));
  } catch {
    return Promise.all(batches.map((b) => Promise.all(b.items.map((item) =>
      applyInBatch(deps, { id: b.incidentId }, item).then((outcomes): Settled => ({ outcomes }), (error: unknown): Settled => ({ error }))))));
  }
}
