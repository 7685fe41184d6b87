/**
 * `POST /pagerduty/webhook`: verify the signature (401 and nothing stored
 * when it fails), store the raw body durably, answer 202 fast, and apply it
 * after the ack, one event at a time per PagerDuty incident (its trigger in
 * a queue of its own). An event that overtook its trigger is stored again to
 * be tried later, not dropped. A signed body Kranz cannot parse or does not
 * know is still stored and acknowledged: PagerDuty disables a subscription
 * after repeated 4xx. Legacy V2 bodies come in only with the policy's token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AppDeps } from '../../app/ports.ts';
import type { IngestFailure, IngestResult, PagerDutyEventInput } from '../../app/ingest-pagerduty-event.ts';
import { ingestPagerDutyRuns } from '../../app/ingest-pagerduty-runs.ts';
import type { StoredInbound } from '../db/inbound-sql.ts';
import type { Intake, ProcessResult, Settled } from '../intake/intake.ts';
import { asPdIncidentId, asPdServiceId } from '../../domain/ids.ts';
import { verifyPagerDutySignature } from './signature.ts';
import { decodePagerDutyWebhook, type PdWebhookEvent } from './webhook-payload.ts';
import { cleanStrings } from '../../lib/clean-text.ts';
import { Throttle } from '../../lib/throttle.ts';

export const MAX_WEBHOOK_BYTES = 1_048_576;

export interface WebhookRouteOptions {
  secrets: readonly string[];
  legacyV2: { enabled: boolean; token?: string };
  intake: Intake;
  deps: AppDeps;
  log: { debug(o: object, m?: string): void; info(o: object, m?: string): void; warn(o: object, m?: string): void };
  onEvent?: (outcome: string, eventType: string) => void;
  /** Called after a body is stored, to apply it soon. */
  kick: () => void;
  /** A delivery refused before it was stored (counted in `kranz_requests_rejected_total`). */
  onRejected?: (reason: PdRejectReason) => void;
}

export type PdRejectReason = 'signature' | 'legacy_token' | 'too_large';

const LIKELY_CAUSE: Record<PdRejectReason, string> = {
  signature: "check PAGERDUTY_WEBHOOK_SECRETS: it must hold the signing secret of every webhook subscription pointing here (during a rotation, both)",
  legacy_token: 'a V2 webhook without the right ?token=: check pagerduty.legacy_v2 in the policy, or move the webhook to V3',
  too_large: 'PagerDuty webhooks are far below 1 MB; this did not come from PagerDuty',
};

/** Parses a body and cleans its strings of what PostgreSQL cannot store (NUL, lone surrogates). */
function parseJson(text: string): unknown {
  try {
    return cleanStrings(JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

class TooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new TooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new TooLarge();
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const safeEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function pagerDutyWebhookHandler(o: WebhookRouteOptions) {
  o.intake.register('pagerduty', (rec) => applyStored(o, rec), 0, (runs) => applyStoredRuns(o, runs));
  // One warning per reason a minute: a wrong secret fails every delivery.
  const warnings = new Throttle(60_000);
  const rejected = (reason: PdRejectReason, req: IncomingMessage): void => {
    o.onRejected?.(reason);
    warnings.hit(reason, (suppressed) => o.log.warn(
      { source: 'pagerduty', reason, likelyCause: LIKELY_CAUSE[reason], remote: req.socket.remoteAddress, webhookId: String(req.headers['x-webhook-id'] ?? ''), ...(suppressed ? { moreSinceLastWarning: suppressed } : {}) },
      `PagerDuty webhook refused (${reason}): ${LIKELY_CAUSE[reason]}`,
    ));
  };
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let raw: Buffer;
    try {
      raw = await readBody(req, MAX_WEBHOOK_BYTES);
    } catch (e) {
      if (e instanceof TooLarge) {
        rejected('too_large', req);
        send(res, 413, { error: 'payload_too_large', reason: `Webhook bodies are limited to ${MAX_WEBHOOK_BYTES} bytes.` });
        req.resume();
        return;
      }
      throw e;
    }
    const signature = req.headers['x-pagerduty-signature'];
    const signed = verifyPagerDutySignature(raw, Array.isArray(signature) ? signature.join(',') : signature, o.secrets);
    const parsed = parseJson(raw.toString('utf8'));
    // PagerDuty never signs V2 deliveries, so a V2 body is admitted by the
    // legacy token alone: a V3 signature must not open a door the policy closed.
    if (isLegacyBody(parsed)) {
      if (!legacyAllowed(o, req)) {
        rejected('legacy_token', req);
        send(res, 401, { error: 'invalid_token', reason: o.legacyV2.enabled ? 'Legacy V2 webhooks need ?token= matching pagerduty.legacy_v2.token.' : 'Legacy V2 webhooks are turned off (pagerduty.legacy_v2.enabled).' });
        return;
      }
    } else if (!signed) {
      rejected('signature', req);
      send(res, 401, { error: 'invalid_signature', reason: 'X-PagerDuty-Signature matches none of PAGERDUTY_WEBHOOK_SECRETS.' });
      return;
    }
    const decoded = parsed === undefined ? undefined : decodePagerDutyWebhook(parsed);
    const first = decoded?.ok ? decoded.events[0] : undefined;
    const webhookId = String(req.headers['x-webhook-id'] ?? '');
    const dedupeKey = first ? `pd:${decoded?.ok && decoded.events.length > 1 ? `batch:${sha(raw)}` : first.eventId}` : `pd:raw:${sha(raw)}`;
    const pdIncidentId = first && 'pdIncidentId' in first ? first.pdIncidentId : undefined;
    // Triggers get their own queue: events that overtook the trigger wait at the
    // head of `pd:<id>`, and the trigger must not queue up behind them.
    const orderKey = pdIncidentId ? (first?.eventType === 'incident.triggered' ? `pd:${pdIncidentId}:open` : `pd:${pdIncidentId}`) : undefined;
    let stored: Awaited<ReturnType<Intake['accept']>>;
    try {
      stored = await o.intake.accept({
        source: 'pagerduty', dedupeKey, ...(orderKey ? { orderKey } : {}),
        // The intake's clock, which also decides when a stored request is due.
        receivedAt: o.deps.clock.now().toISOString(), headers: { 'x-webhook-id': webhookId }, body: raw.toString('utf8'),
      });
    } catch (e) {
      // Neither the archive nor the spool took it: a 5xx, so PagerDuty delivers it again.
      o.log.warn({ err: (e as Error).message, webhookId }, 'could not store a PagerDuty webhook (database and spool both failed)');
      send(res, 503, { error: 'not_recorded', reason: 'Kranz could not record this delivery; retry later.' });
      return;
    }
    // debug, not info: one synchronous log line per delivery halved intake under an alert storm.
    o.log.debug({ webhookId, dedupeKey, stored: stored.kind, eventType: first?.eventType ?? 'unparsed' }, 'pagerduty webhook');
    if (!decoded?.ok) o.onEvent?.('unparseable', 'unknown');
    send(res, 202, { status: stored.kind });
    if (stored.kind === 'stored') o.kick();
  };
}

/** A V2 body, as `decodePagerDutyWebhook` tells them apart: `messages[]` and no V3 `event`. */
function isLegacyBody(parsed: unknown): boolean {
  return typeof parsed === 'object' && parsed !== null && 'messages' in parsed && !('event' in parsed);
}

function legacyAllowed(o: WebhookRouteOptions, req: IncomingMessage): boolean {
  if (!o.legacyV2.enabled || !o.legacyV2.token) return false;
  const url = new URL(req.url ?? '/', 'http://x');
  const token = url.searchParams.get('token') ?? String(req.headers['x-kranz-token'] ?? '');
  return safeEqual(token, o.legacyV2.token);
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function applyStored(o: WebhookRouteOptions, rec: StoredInbound): Promise<ProcessResult> {
  const [settled] = (await applyStoredRuns(o, [[rec]]))[0] ?? [];
  if (!settled || 'error' in settled) throw settled?.error ?? new Error('no result for a stored PagerDuty request');
  return settled.result;
}

/** A stored body's events, or why there are none to apply. */
function eventsOf(o: WebhookRouteOptions, rec: StoredInbound): PagerDutyEventInput[] | undefined {
  const parsed = parseJson(rec.body);
  if (parsed === undefined) {
    o.log.warn({ dedupeKey: rec.dedupeKey }, 'stored PagerDuty body is not JSON; ignored');
    return undefined;
  }
  const decoded = decodePagerDutyWebhook(parsed);
  if (!decoded.ok) {
    o.log.warn({ dedupeKey: rec.dedupeKey, reason: decoded.reason }, 'PagerDuty body not understood; stored and ignored');
    o.onEvent?.('ignored', 'unparseable');
    return undefined;
  }
  return decoded.events.map(toInput);
}

/**
 * Applies what an intake pass claimed: runs of stored bodies, each run one
 * PagerDuty incident's (its order key), oldest first. Their events go to
 * `ingestPagerDutyRuns` together, so the pass lands on its incidents in a few
 * transactions. One result per body of each run.
 */
async function applyStoredRuns(o: WebhookRouteOptions, runs: StoredInbound[][]): Promise<Settled[][]> {
  const bodies = runs.map((recs) => recs.map((rec) => eventsOf(o, rec) ?? []));
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
function logIgnored(o: WebhookRouteOptions, ignored: readonly IgnoredEvent[]): void {
  if (ignored.length === 0) return;
  for (const ev of ignored) o.log.debug(ev, 'PagerDuty event ignored');
  const examples = ignored.slice(0, IGNORED_EXAMPLES);
  o.log.info({ ignored: ignored.length, examples }, ignored.length === 1 ? 'PagerDuty event ignored' : `${ignored.length} PagerDuty events ignored`);
}

/** Each body's result from its events' results (`results` holds them all, body after body). */
async function settleBodies(o: WebhookRouteOptions, recs: StoredInbound[], bodies: PagerDutyEventInput[][], results: (IngestResult | IngestFailure)[], ignored: IgnoredEvent[]): Promise<Settled[]> {
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
async function retryUnlinkedLater(o: WebhookRouteOptions, rec: StoredInbound): Promise<void> {
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
