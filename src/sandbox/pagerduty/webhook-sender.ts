/**
 * Sends PagerDuty-shaped webhooks to a Kranz endpoint the way PagerDuty does:
 * POST, compact JSON, `X-PagerDuty-Signature`, `X-Webhook-Id`,
 * `X-Webhook-Subscription`, `User-Agent: PagerDuty-Webhook/V3.0`. Options
 * produce the deliveries a receiver must reject (wrong secret, tampered body,
 * no signature) or must accept (rotated secrets, legacy V2).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { signPagerDutyBody } from '../../adapters/pagerduty/signature.ts';
import { buildV2WebhookBody, buildV3WebhookBody, type V2EventName, type WebhookEventSpec } from './webhook-bodies.ts';

export { buildV2WebhookBody, buildV3WebhookBody, newV3EventId, type V2EventName, type WebhookEventSpec, type WebhookIncident } from './webhook-bodies.ts';

/** What to send and how to sign it. */
export interface SendWebhookOptions {
  /** Receiver URL. */
  url: string;
  /** One of these (first match wins): a V3 event, legacy V2 messages, or a ready body. */
  event?: WebhookEventSpec;
  legacyV2?: readonly { event: V2EventName; spec: WebhookEventSpec; messageId?: string }[];
  body?: unknown;
  /** Signing secrets; several give several `v1=` values, as during rotation. */
  secrets: readonly string[];
  /** Sign with a secret the receiver does not know instead. */
  wrongSecret?: boolean;
  /** Send a body other than the one signed (default: change one character). */
  tamper?: boolean | ((raw: string) => string);
  /** Leave `X-PagerDuty-Signature` out. */
  omitSignature?: boolean;
  /** Send this header value verbatim instead of a computed signature. */
  signatureHeader?: string;
  webhookId?: string;
  subscriptionId?: string;
  /** Extra or overriding headers. */
  headers?: Readonly<Record<string, string>>;
  /** Default 5 000 ms. */
  timeoutMs?: number;
}

/** What was sent and what came back. */
export interface SentWebhook {
  status: number;
  /** Response body text. */
  body: string;
  /** The exact bytes that were POSTed. */
  requestBody: string;
  requestHeaders: Record<string, string>;
}

/** Builds the body a `SendWebhookOptions` describes, as compact JSON. */
export function webhookBodyText(opts: Pick<SendWebhookOptions, 'event' | 'legacyV2' | 'body'>): string {
  if (opts.event) return JSON.stringify(buildV3WebhookBody(opts.event));
  if (opts.legacyV2) return JSON.stringify(buildV2WebhookBody(opts.legacyV2));
  if (opts.body !== undefined) return typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  throw new TypeError('sendPagerDutyWebhook needs event, legacyV2 or body');
}

/** Signs and POSTs one webhook; resolves with the receiver's answer. */
export async function sendPagerDutyWebhook(opts: SendWebhookOptions): Promise<SentWebhook> {
  const signed = webhookBodyText(opts);
  const secrets = opts.wrongSecret ? [`wrong-${randomUUID()}`] : opts.secrets;
  let sent = signed;
  if (opts.tamper) sent = typeof opts.tamper === 'function' ? opts.tamper(signed) : tamperWith(signed);

  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': opts.legacyV2 ? 'PagerDuty-Webhook/V2.0' : 'PagerDuty-Webhook/V3.0',
    'x-webhook-id': opts.webhookId ?? randomUUID(),
    'x-webhook-subscription': opts.subscriptionId ?? 'PSUBSBX',
  };
  const signature = opts.signatureHeader ?? (secrets.length > 0 ? signPagerDutyBody(Buffer.from(signed, 'utf8'), secrets) : undefined);
  if (!opts.omitSignature && signature !== undefined) headers['x-pagerduty-signature'] = signature;
  Object.assign(headers, Object.fromEntries(Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])));

  const res = await post(opts.url, sent, headers, opts.timeoutMs ?? 5_000);
  return { ...res, requestBody: sent, requestHeaders: headers };
}

/** Changes the first digit (or letter) of the body so the JSON stays valid-looking. */
function tamperWith(raw: string): string {
  const i = raw.search(/[0-9]/);
  if (i >= 0) return `${raw.slice(0, i)}${raw[i] === '9' ? '8' : String(Number(raw[i]) + 1)}${raw.slice(i + 1)}`;
  return `${raw} `;
}

function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    // agent: false — one connection per delivery, closed afterwards, so a
    // sender never keeps a test process alive.
    const req = request(target, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`webhook receiver did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
