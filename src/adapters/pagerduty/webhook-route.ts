/**
 * `POST /pagerduty/webhook`: verify the signature (401 and nothing stored
 * when it fails), store the raw body durably, answer 202 fast, and apply it
 * after the ack, one event at a time per PagerDuty incident. A signed body
 * Kranz cannot parse or does not know is still stored and acknowledged:
 * PagerDuty disables a subscription after repeated 4xx.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AppDeps } from '../../app/ports.ts';
import { ingestPagerDutyEvent, type PagerDutyEventInput } from '../../app/ingest-pagerduty-event.ts';
import type { StoredInbound } from '../db/inbound-sql.ts';
import type { Intake, ProcessResult } from '../intake/intake.ts';
import { verifyPagerDutySignature } from './signature.ts';
import { decodePagerDutyWebhook, type PdWebhookEvent } from './webhook-payload.ts';

export const MAX_WEBHOOK_BYTES = 1_048_576;

export interface WebhookRouteOptions {
  secrets: readonly string[];
  legacyV2: { enabled: boolean; token?: string };
  intake: Intake;
  deps: AppDeps;
  log: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
  onEvent?: (outcome: string, eventType: string) => void;
  /** Called after a body is stored, to apply it soon. */
  kick: () => void;
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
  o.intake.register('pagerduty', (rec) => applyStored(o, rec), 0);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let raw: Buffer;
    try {
      raw = await readBody(req, MAX_WEBHOOK_BYTES);
    } catch (e) {
      if (e instanceof TooLarge) {
        send(res, 413, { error: 'payload_too_large', reason: `Webhook bodies are limited to ${MAX_WEBHOOK_BYTES} bytes.` });
        req.resume();
        return;
      }
      throw e;
    }
    const signature = req.headers['x-pagerduty-signature'];
    const signed = verifyPagerDutySignature(raw, Array.isArray(signature) ? signature.join(',') : signature, o.secrets);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    if (!signed && !legacyAllowed(o, req, parsed)) {
      send(res, 401, { error: 'invalid_signature', reason: 'X-PagerDuty-Signature matches none of PAGERDUTY_WEBHOOK_SECRETS.' });
      return;
    }
    const decoded = parsed === undefined ? undefined : decodePagerDutyWebhook(parsed);
    const first = decoded?.ok ? decoded.events[0] : undefined;
    const webhookId = String(req.headers['x-webhook-id'] ?? '');
    const dedupeKey = first ? `pd:${decoded?.ok && decoded.events.length > 1 ? `batch:${sha(raw)}` : first.eventId}` : `pd:raw:${sha(raw)}`;
    const pdIncidentId = first && 'pdIncidentId' in first ? first.pdIncidentId : undefined;
    const stored = await o.intake.accept({
      source: 'pagerduty', dedupeKey, ...(pdIncidentId ? { orderKey: `pd:${pdIncidentId}` } : {}),
      receivedAt: new Date().toISOString(), headers: { 'x-webhook-id': webhookId }, body: raw.toString('utf8'),
    });
    o.log.info({ webhookId, dedupeKey, stored: stored.kind, eventType: first?.eventType ?? 'unparsed' }, 'pagerduty webhook');
    if (!decoded?.ok) o.onEvent?.('unparseable', 'unknown');
    send(res, 202, { status: stored.kind });
    if (stored.kind === 'stored') o.kick();
  };
}

function legacyAllowed(o: WebhookRouteOptions, req: IncomingMessage, parsed: unknown): boolean {
  if (!o.legacyV2.enabled || !o.legacyV2.token) return false;
  if (!parsed || typeof parsed !== 'object' || !Array.isArray((parsed as { messages?: unknown }).messages)) return false;
  const url = new URL(req.url ?? '/', 'http://x');
  const token = url.searchParams.get('token') ?? String(req.headers['x-kranz-token'] ?? '');
  return safeEqual(token, o.legacyV2.token);
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function applyStored(o: WebhookRouteOptions, rec: StoredInbound): Promise<ProcessResult> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rec.body);
  } catch {
    o.log.warn({ dedupeKey: rec.dedupeKey }, 'stored PagerDuty body is not JSON; ignored');
    return 'ignored';
  }
  const decoded = decodePagerDutyWebhook(parsed);
  if (!decoded.ok) {
    o.log.warn({ dedupeKey: rec.dedupeKey, reason: decoded.reason }, 'PagerDuty body not understood; stored and ignored');
    o.onEvent?.('ignored', 'unparseable');
    return 'ignored';
  }
  let applied = false;
  for (const ev of decoded.events) {
    const r = await ingestPagerDutyEvent(o.deps, toInput(ev));
    o.onEvent?.(r.result, ev.eventType === 'unknown' ? ev.originalEventType : ev.eventType);
    if (r.result !== 'ignored') applied = true;
    else o.log.info({ eventId: ev.eventId, reason: r.reason }, 'PagerDuty event ignored');
  }
  return applied ? 'processed' : 'ignored';
}

export function toInput(ev: PdWebhookEvent): PagerDutyEventInput {
  const base = { eventId: ev.eventId, occurredAt: ev.occurredAt, ...(ev.agent?.summary ? { agentName: ev.agent.summary } : {}) };
  if (ev.eventType === 'unknown') return { ...base, eventType: ev.originalEventType, known: false, ...(ev.pdIncidentId ? { pdIncidentId: ev.pdIncidentId } : {}) };
  const input: PagerDutyEventInput = {
    ...base,
    eventType: ev.eventType,
    known: true,
    pdIncidentId: ev.pdIncidentId,
    ...(ev.pdIncidentNumber !== undefined ? { pdIncidentNumber: ev.pdIncidentNumber } : {}),
    ...(ev.title ? { title: ev.title } : {}),
    ...(ev.serviceId ? { serviceId: ev.serviceId } : {}),
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
