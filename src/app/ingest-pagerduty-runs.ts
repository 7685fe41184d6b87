/**
 * Applies what one intake pass found for many PagerDuty incidents at once.
 * A run is one PagerDuty incident's stored events, in delivery order. Runs
 * whose incident Kranz already has (the usual case under an alert storm: a
 * trigger has a queue of its own, so the rest of its incident's events come
 * after it in runs of their own) are applied together, across incidents, in
 * transactions of up to `MAX_ITEMS_PER_TRANSACTION` events (one commit for a
 * pass over fifty incidents instead of one per incident). Any other run
 * (a trigger to declare, events that overtook it, events Kranz ignores) goes
 * through `ingestPagerDutyEvents`, one event at a time, but for runs that
 * open nothing (events Kranz ignores, events of a PagerDuty incident whose
 * trigger it ignored): those are settled together in one transaction.
 */
import { asIncidentId } from '../domain/ids.ts';
import type { PdIncidentId } from '../domain/ids.ts';
import { applyAcrossIncidents, type IncidentBatch } from './apply-batch.ts';
import { decideUnlinked, ignoredOnSight, ingestPagerDutyEvents, pagerDutyItem, resultOf, type IngestFailure, type IngestResult, type PagerDutyEventInput, type UnlinkedDecision } from './ingest-pagerduty-event.ts';
import type { AppDeps } from './ports.ts';

/** Bounds one transaction across incidents: its size, and how long it holds their locks. */
const MAX_ITEMS_PER_TRANSACTION = 512;

type Outcome = IngestResult | IngestFailure;

/** The PagerDuty incident a run is wholly about, when every event of it is one an existing incident takes as is. */
function batchableIncident(run: readonly PagerDutyEventInput[]): PdIncidentId | undefined {
  const pd = run[0]?.pdIncidentId;
  if (!pd) return undefined;
  return run.every((e) => e.known && e.eventType !== 'incident.triggered' && e.pdIncidentId === pd) ? pd : undefined;
}

/** One result per event of each run, in the runs' order. */
export async function ingestPagerDutyRuns(deps: AppDeps, runs: readonly (readonly PagerDutyEventInput[])[]): Promise<Outcome[][]> {
  const pds = [...new Set(runs.flat().flatMap((e) => (e.known && e.pdIncidentId ? [e.pdIncidentId] : [])))];
  let linked: Map<string, string>;
  try {
    linked = pds.length === 0 ? new Map() : await deps.store.transaction((uow) => uow.keys.findIncidentIdsByPagerDuty(pds));
  } catch {
    // The slow path meets the same database on its own, event by event, and fails each alone.
    return Promise.all(runs.map((run) => ingestPagerDutyEvents(deps, run)));
  }
  const results: Outcome[][] = runs.map(() => []);
  const alone: Promise<void>[] = [];
  const batched: { run: number; batch: IncidentBatch }[] = [];
  const onSight: { run: number; decisions: DecidedOnSight[] }[] = [];
  runs.forEach((run, i) => {
    const pd = batchableIncident(run);
    const incidentId = pd ? linked.get(pd) : undefined;
    if (incidentId) {
      batched.push({ run: i, batch: { incidentId: asIncidentId(incidentId), items: run.map((e) => pagerDutyItem(deps, e)) } });
      return;
    }
    const decisions = run.map((e) => settledWithoutIncident(deps, e, linked));
    if (decisions.every((d): d is DecidedOnSight => d !== undefined)) onSight.push({ run: i, decisions });
    else alone.push(ingestPagerDutyEvents(deps, run).then((r) => { results[i] = r; }));
  });
  const transactions = chunks(batched, (b) => b.batch.items.length, MAX_ITEMS_PER_TRANSACTION).map(async (chunk) => {
    const settled = await applyAcrossIncidents(deps, chunk.map((c) => c.batch));
    chunk.forEach((c, k) => {
      results[c.run] = settled[k]!.map((s): Outcome => ('error' in s ? { result: 'failed', error: s.error } : resultOf(c.batch.incidentId, s.outcomes)));
    });
  });
  const settled = settleOnSight(deps, runs, onSight).then((r) => onSight.forEach((o, k) => { results[o.run] = r[k]!; }));
  await Promise.all([...alone, ...transactions, settled]);
  return results;
}

/** What an event comes to without an incident, decided without I/O. */
type DecidedOnSight = Extract<UnlinkedDecision, { kind: 'settled' }>;

/**
 * The event's fate when it opens nothing: ignored on sight, or about a
 * PagerDuty incident Kranz has none for and will not open. Undefined when
 * it needs the incident (it has one, or its trigger opens one).
 */
function settledWithoutIncident(deps: AppDeps, ev: PagerDutyEventInput, linked: ReadonlyMap<string, string>): DecidedOnSight | undefined {
  const onSight = ignoredOnSight(ev);
  if (onSight) return { kind: 'settled', result: onSight };
  const pd = ev.pdIncidentId!;
  if (linked.has(pd)) return undefined;
  const d = decideUnlinked(deps.policy, ev, pd, undefined);
  return d.kind === 'settled' ? d : undefined;
}

/**
 * Settles runs of events that open nothing (the bulk of what an unconfigured
 * or non-auto-open service sends) with two statements in all: one insert of
 * the triggers ignored now, one read of which triggers were ignored before
 * (for the events still waiting for theirs). A trigger ignored in this pass
 * counts for its incident's later events in the same pass. If the statements
 * fail, every event of these runs fails (and is tried again with its request).
 */
async function settleOnSight(deps: AppDeps, runs: readonly (readonly PagerDutyEventInput[])[], decided: readonly { run: number; decisions: readonly DecidedOnSight[] }[]): Promise<Outcome[][]> {
  if (decided.length === 0) return [];
  const marks = new Map<string, string>();
  const waiting = new Set<string>();
  for (const { run, decisions } of decided) {
    decisions.forEach((d, j) => {
      const pd = runs[run]![j]!.pdIncidentId!;
      if (d.mark && !marks.has(pd)) marks.set(pd, d.mark);
      if (d.result.result === 'unlinked') waiting.add(pd);
    });
  }
  let ignored: Map<string, string>;
  try {
    ignored = await deps.store.transaction(async (uow) => {
      await uow.keys.markPagerDutyIgnored([...marks].map(([pdIncidentId, reason]) => ({ pdIncidentId, reason })));
      return waiting.size ? uow.keys.pagerDutyIgnoredReasons([...waiting]) : new Map<string, string>();
    });
  } catch (error) {
    return decided.map(({ decisions }) => decisions.map((): Outcome => ({ result: 'failed', error })));
  }
  // An event still waiting for its trigger is decided again, now that the trigger's fate is known.
  return decided.map(({ run, decisions }) => decisions.map((d, j): Outcome => {
    if (d.result.result !== 'unlinked') return d.result;
    const ev = runs[run]![j]!;
    const pd = ev.pdIncidentId!;
    const again = decideUnlinked(deps.policy, ev, pd, ignored.get(pd) ?? marks.get(pd));
    return again.kind === 'settled' ? again.result : d.result;
  }));
}

/** Splits `xs` into consecutive groups whose sizes add up to at most `max` (a larger one alone). */
function chunks<T>(xs: readonly T[], size: (x: T) => number, max: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let total = 0;
  for (const x of xs) {
    if (current.length > 0 && total + size(x) > max) {
      out.push(current);
      current = [];
      total = 0;
    }
    current.push(x);
    total += size(x);
  }
  if (current.length > 0) out.push(current);
  return out;
}
