/**
 * Applying stored PagerDuty webhook bodies: an intake pass hands over runs of
 * them (one PagerDuty incident's each, oldest first), their events go to the
 * ingest use case together, and each body is settled from its events'
 * results: applied, ignored on purpose (logged once per pass), or stored
 * again to wait for a trigger that has not opened its incident yet.
 */
import type { IngestFailure, IngestResult, PagerDutyEventInput } from '../../app/ingest-pagerduty-event.ts';
import { ingestPagerDutyRuns } from '../../app/ingest-pagerduty-runs.ts';
import type { AppDeps } from '../../app/ports.ts';
import type { StoredInbound } from '../db/inbound-sql.ts';
import type { Intake, ProcessResult, Settled } from '../intake/intake.ts';
import { asPdIncidentId, asPdServiceId } from '../../domain/ids.ts';
import { parseJsonClean } from '../../lib/clean-text.ts';
import type { Handoff } from '../../lib/handoff.ts';
import { decodePagerDutyWebhook, type PdWebhookEvent } from './webhook-payload.ts';

/** What applying needs of the webhook route's options. */
export interface ApplyOptions {
  intake: Intake;
  deps: AppDeps;
  log: { debug(o: object, m?: string): void; info(o: object, m?: string): void; warn(o: object, m?: string): void };
  onEvent?: (outcome: string, eventType: string) => void;
}

/** Parses a body and cleans its strings of what PostgreSQL cannot store (NUL, lone surrogates). */
export function parseJson(text: string): unknown {
  try {
    return parseJsonClean(text);
  } catch {
    return undefined;
  }
}

export async function applyStored(o: ApplyOptions, rec: StoredInbound, decoded: Handoff<string, PagerDutyEventInput[]>): Promise<ProcessResult> {
  const [settled] = (await applyStoredRuns(o, [[rec]], decoded))[0] ?? [];
  if (!settled || 'error' in settled) throw settled?.error ?? new Error('no result for a stored PagerDuty request');
  return settled.result;
}

/** A stored body's events (as intake decoded them, when this process took it in), or why there are none to apply. */
function eventsOf(o: ApplyOptions, rec: StoredInbound, decoded: Handoff<string, PagerDutyEventInput[]>): PagerDutyEventInput[] | undefined {
  const atIntake = decoded.take(rec.dedupeKey);
  if (atIntake) return atIntake;
  const parsed = parseJson(rec.body);
  if (parsed === undefined) {
    o.log.warn({ dedupeKey: rec.dedupeKey }, 'stored PagerDuty body is not JSON; ignored');
    return undefined;
  }
  const body = decodePagerDutyWebhook(parsed);
  if (!body.ok) {
    o.log.warn({ dedupeKey: rec.dedupeKey, reason: body.reason }, 'PagerDuty body not understood; stored and ignored');
    o.onEvent?.('ignored', 'unparseable');
    return undefined;
  }
  return body.events.map(toInput);
}

/**
 * Applies what an intake pass claimed: runs of stored bodies, each run one
 * PagerDuty incident's (its order key), oldest first. Their events go to
 * `ingestPagerDutyRuns` together, so the pass lands on its incidents in a few
 * transactions. One result per body of each run.
 */
export async function applyStoredRuns(o: ApplyOptions, runs: StoredInbound[][], decoded: Handoff<string, PagerDutyEventInput[]>): Promise<Settled[][]> {
  const bodies = runs.map((recs) => recs.map((rec) => eventsOf(o, rec, decoded) ?? []));
  const results = await ingestPagerDutyRuns(o.deps, bodies.map((b) => b.flat()));
  const ignored: IgnoredEvent[] = [];
  const settled = await Promise.all(runs.map((recs, i) => settleBodies(o, recs, bodies[i]!, results[i]!, ignored)));
  logIgnored(o, ignored);
  return settled;
}

interface IgnoredEvent {
  eventId: string;
  reason: string;
}

/** How many ignored events a pass's log line shows as examples (the rest are counted, and each is at debug). */
const IGNORED_EXAMPLES = 3;

/**
 * One info line per pass for the events it ignored, with a few examples: a
 * storm from a service that does not open incidents is thousands of events,
 * and a line for each cost intake a few percent of its CPU and flooded the log.
 */
function logIgnored(o: ApplyOptions, ignored: readonly IgnoredEvent[]): void {
  if (ignored.length === 0) return;
  for (const ev of ignored) o.log.debug(ev, 'PagerDuty event ignored');
  const examples = ignored.slice(0, IGNORED_EXAMPLES);
  o.log.info({ ignored: ignored.length, examples }, ignored.length === 1 ? 'PagerDuty event ignored' : `${ignored.length} PagerDuty events ignored`);
}

/** Each body's result from its events' results (`results` holds them all, body after body). */
async function settleBodies(o: ApplyOptions, recs: StoredInbound[], bodies: PagerDutyEventInput[][], results: (IngestResult | IngestFailure)[], ignored: IgnoredEvent[]): Promise<Settled[]> {
  let next = 0;
  const settled: Settled[] = [];
  for (const [i, rec] of recs.entries()) {
    let applied = false;
    let unlinked = false;
    let failure: IngestFailure | undefined;
    for (const ev of bodies[i]!) {
      const r = results[next++] ?? { result: 'failed', error: new Error('no result for this event') };
      if (r.result === 'failed') {
        failure = r;
        continue;
      }
      o.onEvent?.(r.result, ev.eventType);
      if (r.result === 'unlinked') unlinked = true;
      else if (r.result !== 'ignored') applied = true;
      else ignored.push({ eventId: ev.eventId, reason: r.reason });
    }
    if (failure) {
      // Tried again (the body's events that did apply are duplicates then, by their command keys).
      settled.push({ error: failure.error });
      continue;
    }
    try {
      if (unlinked) await retryUnlinkedLater(o, rec);
      settled.push({ result: applied ? 'processed' : 'ignored' });
    } catch (error) {
      settled.push({ error });
    }
  }
  return settled;
}

/**
 * How long an event that overtook its trigger waits before each new try. The
 * trigger usually lands milliseconds later; after the last wait (about two
 * minutes in all) the event is dropped as not Kranz's.
 */
const UNLINKED_RETRY_MS: readonly number[] = [250, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 60_000];
const WAIT_HEADER = 'x-kranz-unlinked-tries';

/**
 * Stores the body again as a new request at the back of its PagerDuty
 * incident's queue, to be tried once the trigger (still on its way, or being
 * applied in its own queue) has opened the incident; the original is then
 * finished as ignored. The copy's `receivedAt` lies in the future: the intake
 * claims a request only once its `receivedAt` has passed, which makes it a
 * not-before time. Re-applying parts of the body that did apply is harmless
 * (each event's command key holds). Events stored meanwhile may be applied
 * before the copy; the timeline stays in PagerDuty's order (`occurredAt`).
 */
async function retryUnlinkedLater(o: ApplyOptions, rec: StoredInbound): Promise<void> {
  const tries = Number(rec.headers[WAIT_HEADER] ?? 0);
  const wait = UNLINKED_RETRY_MS[tries];
  if (wait === undefined) {
    o.log.info({ dedupeKey: rec.dedupeKey, tries }, 'PagerDuty event never got a Kranz incident; ignored');
    return;
  }
  const base = rec.dedupeKey.replace(/#unlinked\d+$/, '');
  const again = await o.intake.accept({
    source: 'pagerduty', dedupeKey: `${base}#unlinked${tries + 1}`, ...(rec.orderKey ? { orderKey: rec.orderKey } : {}),
    receivedAt: new Date(o.deps.clock.now().getTime() + wait).toISOString(), headers: { ...rec.headers, [WAIT_HEADER]: String(tries + 1) }, body: rec.body,
  });
  o.log.info({ dedupeKey: rec.dedupeKey, tries: tries + 1, waitMs: wait, stored: again.kind }, 'PagerDuty event arrived before its incident was opened; trying again later');
}

export function toInput(ev: PdWebhookEvent): PagerDutyEventInput {
  const base = { eventId: ev.eventId, occurredAt: ev.occurredAt, ...(ev.agent?.summary ? { agentName: ev.agent.summary } : {}) };
  if (ev.eventType === 'unknown') return { ...base, eventType: ev.originalEventType, known: false, ...(ev.pdIncidentId ? { pdIncidentId: asPdIncidentId(ev.pdIncidentId) } : {}) };
  const input: PagerDutyEventInput = {
    ...base,
    eventType: ev.eventType,
    known: true,
    pdIncidentId: asPdIncidentId(ev.pdIncidentId),
    ...(ev.pdIncidentNumber !== undefined ? { pdIncidentNumber: ev.pdIncidentNumber } : {}),
    ...(ev.title ? { title: ev.title } : {}),
    ...(ev.serviceId ? { serviceId: asPdServiceId(ev.serviceId) } : {}),
    ...(ev.urgency ? { urgency: ev.urgency } : {}),
    ...(ev.priority !== undefined ? { priority: ev.priority ? { name: ev.priority.name } : null } : {}),
    ...(ev.htmlUrl ? { htmlUrl: ev.htmlUrl } : {}),
  };
  if (ev.eventType === 'incident.annotated' && ev.noteContent) input.noteContent = ev.noteContent;
  if (ev.eventType === 'incident.status_update_published') input.statusUpdateMessage = ev.statusUpdateMessage;
  if (ev.eventType === 'incident.responder.added' || ev.eventType === 'incident.responder.replied') {
    if (ev.responder.userSummary) input.responderName = ev.responder.userSummary;
    if (ev.responder.state) input.responderState = ev.responder.state;
  }
  return input;
}
