/**
 * Applies what one intake pass found for many PagerDuty incidents at once.
 * A run is one PagerDuty incident's stored events, in delivery order. Runs
 * whose incident Kranz already has (the usual case under an alert storm: a
 * trigger has a queue of its own, so the rest of its incident's events come
 * after it in runs of their own) are applied together, across incidents, in
 * transactions of up to `MAX_ITEMS_PER_TRANSACTION` events (one commit for a
 * pass over fifty incidents instead of one per incident). Any other run
 * (a trigger to declare, events that overtook it, events Kranz ignores) goes
 * through `ingestPagerDutyEvents`, one event at a time.
 */
import { asIncidentId } from '../domain/ids.ts';
import type { PdIncidentId } from '../domain/ids.ts';
import { applyAcrossIncidents, type IncidentBatch } from './apply-batch.ts';
import { ingestPagerDutyEvents, pagerDutyItem, resultOf, type IngestFailure, type IngestResult, type PagerDutyEventInput } from './ingest-pagerduty-event.ts';
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
  const pds = [...new Set(runs.map(batchableIncident).filter((pd): pd is PdIncidentId => pd !== undefined))];
  // A failed lookup only costs the batching: those runs then go one event at a time.
  const linked = pds.length === 0 ? new Map<string, string>()
    : await deps.store.transaction((uow) => uow.keys.findIncidentIdsByPagerDuty(pds)).catch(() => new Map<string, string>());
  const results: Outcome[][] = runs.map(() => []);
  const alone: Promise<void>[] = [];
  const batched: { run: number; batch: IncidentBatch }[] = [];
  runs.forEach((run, i) => {
    const pd = batchableIncident(run);
    const incidentId = pd ? linked.get(pd) : undefined;
    if (incidentId) batched.push({ run: i, batch: { incidentId: asIncidentId(incidentId), items: run.map((e) => pagerDutyItem(deps, e)) } });
    else alone.push(ingestPagerDutyEvents(deps, run).then((r) => { results[i] = r; }));
  });
  const transactions = chunks(batched, (b) => b.batch.items.length, MAX_ITEMS_PER_TRANSACTION).map(async (chunk) => {
    const settled = await applyAcrossIncidents(deps, chunk.map((c) => c.batch));
    chunk.forEach((c, k) => {
      results[c.run] = settled[k]!.map((s): Outcome => ('error' in s ? { result: 'failed', error: s.error } : resultOf(c.batch.incidentId, s.outcomes)));
    });
  });
  await Promise.all([...alone, ...transactions]);
  return results;
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
