import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Activity } from './activity.ts';
import { formEncode, slackRequestHeaders } from './signing.ts';
import type { StandInConfig } from './config.ts';
import type { DeliveryRecord } from './types.ts';
import type { Workspace } from './workspace.ts';

/** What to send to the bot. */
export interface DeliveryRequest {
  kind: DeliveryRecord['kind'];
  type: string;
  eventId?: string;
  payload: Record<string, unknown>;
  /**
   * `json` for Events API bodies, `form` for slash commands (fields as they
   * are), `payload` for interactivity (`payload=<json>` form field).
   */
  encoding: 'json' | 'form' | 'payload';
  retryNum?: number;
  retryReason?: string;
}

interface HttpAnswer {
  status: number;
  body: string;
  timedOut: boolean;
  error: string | undefined;
}

/**
 * Signs and POSTs requests to the bot's request URL, one at a time in the
 * order they were made, and logs each with the bot's answer.
 */
export class BotDelivery {
  /** The bot's request URL; nothing is sent while it is unset. */
  endpoint: string | undefined;
  private readonly own = new Activity();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: StandInConfig,
    private readonly ws: Workspace,
    private readonly activity: Activity,
  ) {}

  /** Deliveries queued or in flight. */
  get outstanding(): number {
    return this.own.inFlight;
  }

  /** Resolves when every queued delivery has been answered. */
  async drained(): Promise<void> {
    await this.own.settled(5);
  }

  /**
   * Queues a request. Resolves with its record once the bot answered (or
   * failed to), after any retries the config asks for.
   */
  send(req: DeliveryRequest): Promise<DeliveryRecord> {
    const endOwn = this.own.begin();
    const endShared = this.activity.begin();
    // One delivery at a time keeps the order the test caused things in.
    const run = this.tail.then(() => this.sendWithRetries(req));
    this.tail = run.catch(() => undefined);
    return run.finally(() => {
      endOwn();
      endShared();
    });
  }

  private async sendWithRetries(req: DeliveryRequest): Promise<DeliveryRecord> {
    let rec = await this.sendOnce(req);
    let retry = req.retryNum ?? 0;
    while (req.kind === 'event' && !isSuccess(rec) && retry < this.config.eventRetries) {
      retry += 1;
      rec = await this.sendOnce({ ...req, retryNum: retry, retryReason: rec.timedOut ? 'http_timeout' : 'http_error' });
    }
    return rec;
  }

  private async sendOnce(req: DeliveryRequest): Promise<DeliveryRecord> {
    const endpoint = this.endpoint;
    if (!endpoint) throw new Error('Slack stand-in: no bot request URL; pass botUrl or call setBotEndpoint()');
    const rawBody =
      req.encoding === 'json'
        ? JSON.stringify(req.payload)
        : req.encoding === 'form'
          ? formEncode(Object.fromEntries(Object.entries(req.payload).map(([k, v]) => [k, String(v)])))
          : formEncode({ payload: JSON.stringify(req.payload) });
    const contentType = req.encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
    const ts = Math.floor(this.config.signatureNow() / 1000);
    const headers = slackRequestHeaders(this.config.signingSecret, ts, rawBody, contentType);
    if (req.retryNum !== undefined && req.retryNum > 0) {
      headers['x-slack-retry-num'] = String(req.retryNum);
      headers['x-slack-retry-reason'] = req.retryReason ?? 'http_timeout';
    }
    const rec: DeliveryRecord = {
      seq: this.ws.deliveries.length + 1,
      kind: req.kind,
      eventId: req.eventId,
      type: req.type,
      payload: req.payload,
      rawBody,
      headers,
      retryNum: req.retryNum ?? 0,
      status: 0,
      responseBody: '',
      timedOut: false,
      error: undefined,
      at: this.ws.nowMs(),
    };
    this.ws.deliveries.push(rec);
    const answer = await post(endpoint, headers, rawBody, this.config.deliveryTimeoutMs);
    Object.assign(rec, {
      status: answer.status,
      responseBody: answer.body,
      timedOut: answer.timedOut,
      error: answer.error,
    });
    return rec;
  }
}

function isSuccess(rec: DeliveryRecord): boolean {
  return rec.status >= 200 && rec.status < 300;
}

function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (a: HttpAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(a);
    };
    // agent:false closes each connection, so the bot's server can stop without waiting on idle sockets.
    const req = send(
      target,
      { method: 'POST', agent: false, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          finish({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            timedOut: false,
            error: undefined,
          }),
        );
        res.on('error', (e) => finish({ status: res.statusCode ?? 0, body: '', timedOut: false, error: e.message }));
      },
    );
    const timer = setTimeout(() => {
      finish({ status: 0, body: '', timedOut: true, error: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e) => finish({ status: 0, body: '', timedOut: false, error: e.message }));
    req.end(body);
  });
}
