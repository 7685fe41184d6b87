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
import { decideUnlinked, ignoredOnSight, ingestPagerDutyEvents, pagerDutyItem, resultOf, type IngestFailure, type IngestResult, type PagerDutyEventInput } from './ingest-pagerduty-event.ts';
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
  const onSight: number[] = [];
  runs.forEach((run, i) => {
    const pd = batchableIncident(run);
    const incidentId = pd ? linked.get(pd) : undefined;
    if (incidentId) batched.push({ run: i, batch: { incidentId: asIncidentId(incidentId), items: run.map((e) => pagerDutyItem(deps, e)) } });
    else if (run.every((e) => settledWithoutIncident(deps, e, linked))) onSight.push(i);
    else alone.push(ingestPagerDutyEvents(deps, run).then((r) => { results[i] = r; }));
  });
  const transactions = chunks(batched, (b) => b.batch.items.length, MAX_ITEMS_PER_TRANSACTION).map(async (chunk) => {
    const settled = await applyAcrossIncidents(deps, chunk.map((c) => c.batch));
    chunk.forEach((c, k) => {
      results[c.run] = settled[k]!.map((s): Outcome => ('error' in s ? { result: 'failed', error: s.error } : resultOf(c.batch.incidentId, s.outcomes)));
    });
  });
  await Promise.all([...alone, ...transactions, settleOnSight(deps, onSight.map((i) => runs[i]!)).then((r) => onSight.forEach((i, k) => { results[i] = r[k]!; }))]);
  return results;
}

/** An event settled without an incident: ignored on sight, or about a PagerDuty incident Kranz has none for and will not open. */
function settledWithoutIncident(deps: AppDeps, ev: PagerDutyEventInput, linked: ReadonlyMap<string, string>): boolean {
  if (ignoredOnSight(ev)) return true;
  const pd = ev.pdIncidentId!;
  return !linked.has(pd) && decideUnlinked(deps.policy, ev, pd, undefined).kind === 'settled';
}

/**
 * Settles runs of events that open nothing (the bulk of what an unconfigured
 * or non-auto-open service sends) with two statements in all: one read of
 * which triggers were ignored before, one insert of the triggers ignored now.
 * A trigger ignored in this pass counts for its incident's later events in
 * the same pass. If either statement fails, every event of these runs fails
 * (and is tried again with its request).
 */
async function settleOnSight(deps: AppDeps, runs: readonly (readonly PagerDutyEventInput[])[]): Promise<Outcome[][]> {
  if (runs.length === 0) return [];
  const events = runs.flat().filter((e) => !ignoredOnSight(e));
  const waiting = (e: PagerDutyEventInput): boolean => {
    const d = decideUnlinked(deps.policy, e, e.pdIncidentId!, undefined);
    return d.kind === 'settled' && d.result.result === 'unlinked';
  };
  const marks = new Map<string, string>();
  for (const e of events) {
    const d = decideUnlinked(deps.policy, e, e.pdIncidentId!, undefined);
    if (d.kind === 'settled' && d.mark && !marks.has(e.pdIncidentId!)) marks.set(e.pdIncidentId!, d.mark);
  }
  const fates = [...new Set(events.filter(waiting).map((e) => e.pdIncidentId!))];
  try {
    const ignored = await deps.store.transaction(async (uow) => {
      await uow.keys.markPagerDutyIgnored([...marks].map(([pdIncidentId, reason]) => ({ pdIncidentId, reason })));
      return fates.length ? uow.keys.pagerDutyIgnoredReasons(fates) : new Map<string, string>();
    });
    return runs.map((run) => run.map((e): Outcome => {
      const sight = ignoredOnSight(e);
      if (sight) return sight;
      const pd = e.pdIncidentId!;
      const d = decideUnlinked(deps.policy, e, pd, ignored.get(pd) ?? marks.get(pd));
      return d.kind === 'settled' ? d.result : { result: 'failed', error: new Error('a trigger to open was taken for one to settle') };
    }));
  } catch (error) {
    return runs.map((run) => run.map((): Outcome => ({ result: 'failed', error })));
  }
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
