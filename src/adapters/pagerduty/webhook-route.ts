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
import getRawBody from 'raw-body';
import type { PagerDutyEventInput } from '../../app/ingest-pagerduty-event.ts';
import type { Intake } from '../intake/intake.ts';
import { verifyPagerDutySignature } from './signature.ts';
import { applyStored, applyStoredRuns, parseJson, toInput, type ApplyOptions } from './webhook-apply.ts';
import { decodePagerDutyWebhook } from './webhook-payload.ts';
import { Throttle } from '../../lib/throttle.ts';
import { Handoff } from '../../lib/handoff.ts';
import { sendJson } from '../../lib/json-response.ts';

export const MAX_WEBHOOK_BYTES = 1_048_576;

export interface WebhookRouteOptions extends ApplyOptions {
  secrets: readonly string[];
  legacyV2: { enabled: boolean; token?: string };
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

class TooLarge extends Error {}

/** The body, or `TooLarge` past `limit` (declared or sent): raw-body, as Bolt reads Slack's. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  // A declared length over the limit is refused before a byte is read.
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new TooLarge();
  try {
    return await getRawBody(req, { limit });
  } catch (e) {
    if ((e as { type?: unknown }).type === 'entity.too.large') throw new TooLarge();
    throw e;
  }
}

const safeEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * How many decoded bodies intake keeps for the pass that applies them: a few
 * seconds of a storm. A body applied by another replica, or after a restart,
 * is simply decoded again.
 */
const DECODED_KEPT = 8_192;

export function pagerDutyWebhookHandler(o: WebhookRouteOptions) {
  // Intake decodes each body for its keys; the pass that applies it takes the events from here instead of parsing it again.
  const decodedAtIntake = new Handoff<string, PagerDutyEventInput[]>(DECODED_KEPT);
  o.intake.register('pagerduty', (rec) => applyStored(o, rec, decodedAtIntake), 0, (runs) => applyStoredRuns(o, runs, decodedAtIntake));
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
        sendJson(res, 413, { error: 'payload_too_large', reason: `Webhook bodies are limited to ${MAX_WEBHOOK_BYTES} bytes.` });
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
        sendJson(res, 401, { error: 'invalid_token', reason: o.legacyV2.enabled ? 'Legacy V2 webhooks need ?token= matching pagerduty.legacy_v2.token.' : 'Legacy V2 webhooks are turned off (pagerduty.legacy_v2.enabled).' });
        return;
      }
    } else if (!signed) {
      rejected('signature', req);
      sendJson(res, 401, { error: 'invalid_signature', reason: 'X-PagerDuty-Signature matches none of PAGERDUTY_WEBHOOK_SECRETS.' });
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
      sendJson(res, 503, { error: 'not_recorded', reason: 'Kranz could not record this delivery; retry later.' });
      return;
    }
    // debug, not info: one synchronous log line per delivery halved intake under an alert storm.
    o.log.debug({ webhookId, dedupeKey, stored: stored.kind, eventType: first?.eventType ?? 'unparsed' }, 'pagerduty webhook');
    if (!decoded?.ok) o.onEvent?.('unparseable', 'unknown');
    // Only a row this delivery stored: a duplicate's row holds the body that came first.
    else if (stored.kind === 'stored') decodedAtIntake.put(dedupeKey, decoded.events.map(toInput));
    sendJson(res, 202, { status: stored.kind });
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
