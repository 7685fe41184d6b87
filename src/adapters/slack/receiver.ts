/**
 * Kranz's own Bolt receiver for HTTP mode. It verifies Slack's signature
 * (401 on a missing, wrong or stale one), stores the raw request durably
 * (archive, or the local spool when Postgres is down) and only then lets Bolt
 * ack and run the listener. A request stored but not applied (a crash, an
 * outage) is applied later by the intake's recovery pass, through the same
 * Bolt app, so nothing acknowledged is lost.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { HTTPModuleFunctions as H, verifySlackRequest, type App, type Receiver, type ReceiverEvent } from '@slack/bolt';
import type { StoredInbound } from '../db/inbound-sql.ts';
import type { Intake, ProcessResult } from '../intake/intake.ts';


const BODY_LIMIT = 1_048_576;
/** Slack retries after 3 s; answer before that even if a listener forgot to ack. */
const ACK_DEADLINE_MS = 2_800;
export const SPOOLED_REPLY = ':floppy_disk: Recorded. Kranz\'s database is unavailable right now; your request will apply when it is back.';
/** Spooled behind requests from an outage that are still being replayed, so it does not overtake them. */
export const CATCHING_UP_REPLY = ':floppy_disk: Recorded. Kranz is catching up after a database outage; your request will apply in a few seconds.';
/** The database refused the request's data (see intake/storable.ts); it is kept on disk, not applied. */
export const REJECTED_REPLY = ':warning: Kranz could not store this request, so it was not applied. Please try again with different text.';

export interface KranzReceiverOptions {
  signingSecret: string;
  intake: Intake;
  now?: () => number;
  log: { warn(o: object, m?: string): void; error(o: object, m?: string): void; debug(o: object, m?: string): void };
  onAckLatency?: (ms: number, kind: string) => void;
}

type Body = Record<string, unknown> & { type?: string; event_id?: string; trigger_id?: string; team_id?: string; command?: string; payload?: string; view?: { id?: string } };

export class KranzReceiver implements Receiver {
  private app: App | undefined;

  constructor(private readonly o: KranzReceiverOptions) {
    o.intake.register('slack', (rec) => this.replay(rec));
  }

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** Handles `POST /slack/events`. */
  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    let raw: string;
    try {
      const buffered = await H.bufferIncomingMessage(req, BODY_LIMIT);
      raw = buffered.rawBody.toString('utf8');
    } catch {
      return reply(res, 413, { error: 'payload_too_large', reason: 'Slack requests are at most 1 MB.' });
    }
    try {
      verifySlackRequest({
        signingSecret: this.o.signingSecret,
        body: raw,
        headers: {
          'x-slack-signature': String(req.headers['x-slack-signature'] ?? ''),
          'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp'] ?? 0),
        },
        ...(this.o.now ? { nowMilliseconds: this.o.now() } : {}),
      });
    } catch (e) {
      return reply(res, 401, { error: 'invalid_signature', reason: (e as Error).message });
    }
    const body = parseBody(raw, String(req.headers['content-type'] ?? ''));
    if (!body) return reply(res, 400, { error: 'bad_request', reason: 'The body is neither JSON nor a form.' });
    if (body.type === 'url_verification') return reply(res, 200, { challenge: body['challenge'] });
    if (body['ssl_check']) return reply(res, 200, {});

    const kind = body.command ? 'command' : body.type === 'event_callback' ? 'event' : 'interaction';
    const stored = await this.o.intake.accept({
      source: 'slack', dedupeKey: dedupeKey(body, raw), receivedAt: new Date(this.o.now?.() ?? Date.now()).toISOString(),
      headers: { 'content-type': String(req.headers['content-type'] ?? '') }, body: raw,
    });
    if (stored.kind !== 'stored') {
      // A redelivery of something stored, or spooled while the database is down: ack, apply later.
      this.o.onAckLatency?.(performance.now() - started, kind);
      if (kind === 'command' && stored.kind !== 'duplicate') {
        const text = stored.kind === 'rejected' ? REJECTED_REPLY : stored.reason === 'backlog' ? CATCHING_UP_REPLY : SPOOLED_REPLY;
        return reply(res, 200, { response_type: 'ephemeral', text });
      }
      return reply(res, 200, undefined);
    }
    let acked = false;
    const ack = async (response?: unknown): Promise<void> => {
      if (acked) return;
      acked = true;
      this.o.onAckLatency?.(performance.now() - started, kind);
      reply(res, 200, response === undefined || response === '' ? undefined : typeof response === 'string' ? { text: response } : response);
    };
    // Stored durably, so acknowledged now: the work (one incident's commands apply one at a time)
    // must not hold the ack. Only a modal submission waits, since its ack may carry field errors.
    if (body.type !== 'view_submission') await ack();
    const deadline = setTimeout(() => void ack(), ACK_DEADLINE_MS);
    let result: ProcessResult;
    try {
      result = await this.dispatch(body, ack, retryNum(req));
    } catch (e) {
      // Stored, so acknowledged: left unapplied for the recovery pass rather than a 500 Slack would retry.
      clearTimeout(deadline);
      await ack();
      this.o.log.warn({ err: (e as Error).message }, 'Slack request failed inline; the recovery pass applies it');
      return;
    }
    clearTimeout(deadline);
    await ack();
    await this.o.intake.finish(stored.id, result).catch((e: unknown) => {
      // Left as received: the recovery pass applies it again (commands are idempotent).
      this.o.log.warn({ err: (e as Error).message }, 'could not mark the Slack request applied');
    });
  };

  /** The request in flight last, per conversation. */
  private readonly lanes = new Map<string, Promise<unknown>>();

  /**
   * Runs requests of one conversation one after another, in arrival order:
   * `/incident resolve` then `/incident close` typed quickly must apply in
   * that order, not race. Other conversations run in parallel.
   */
  private async dispatch(body: Body, ack: (r?: unknown) => Promise<void>, retry?: number): Promise<ProcessResult> {
    const lane = conversationOf(body);
    if (!lane) return this.run(body, ack, retry);
    const previous = this.lanes.get(lane) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(() => this.run(body, ack, retry));
    this.lanes.set(lane, mine);
    try {
      return await mine;
    } finally {
      if (this.lanes.get(lane) === mine) this.lanes.delete(lane);
    }
  }

  private async run(body: Body, ack: (r?: unknown) => Promise<void>, retry?: number): Promise<ProcessResult> {
    if (!this.app) throw new Error('receiver used before Bolt initialised it');
    const event: ReceiverEvent = { body: body as ReceiverEvent['body'], ack, ...(retry !== undefined ? { retryNum: retry } : {}) };
    await this.app.processEvent(event);
    return 'processed';
  }

  /** Applies a stored request that was not applied inline (after a crash or an outage). */
  private async replay(rec: StoredInbound): Promise<ProcessResult> {
    const body = parseBody(rec.body, rec.headers['content-type'] ?? '');
    if (!body) return 'ignored';
    return this.dispatch(body, async () => undefined);
  }
}

/** The Slack conversation a request belongs to, when it names one. */
export function conversationOf(body: Body): string | undefined {
  const b = body as Record<string, any>;
  const fromMeta = (): string | undefined => {
    try {
      return (JSON.parse(String(b['view']?.private_metadata ?? '')) as { channelId?: string }).channelId;
    } catch {
      return undefined;
    }
  };
  const id = b['channel_id'] ?? b['event']?.channel ?? b['event']?.item?.channel ?? b['event']?.channel_id ?? b['channel']?.id ?? b['container']?.channel_id ?? fromMeta();
  return typeof id === 'string' && id ? id : undefined;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function retryNum(req: IncomingMessage): number | undefined {
  const v = req.headers['x-slack-retry-num'];
  return v === undefined ? undefined : Number(v);
}

export function parseBody(raw: string, contentType: string): Body | undefined {
  try {
    if (contentType.includes('application/json')) return JSON.parse(raw) as Body;
    const form = Object.fromEntries(new URLSearchParams(raw)) as Record<string, string>;
    if (typeof form['payload'] === 'string') return JSON.parse(form['payload']) as Body;
    return form as Body;
  } catch {
    return undefined;
  }
}

/** The same request delivered twice maps to the same key. */
export function dedupeKey(body: Body, raw: string): string {
  if (body.event_id) return `slack:event:${body.event_id}`;
  if (body.command && body.trigger_id) return `slack:cmd:${body.team_id ?? ''}:${body.trigger_id}`;
  if (body.trigger_id) return `slack:interaction:${body.type ?? ''}:${body.trigger_id}`;
  return `slack:raw:${createHash('sha256').update(raw).digest('hex')}`;
}
