/**
 * Kranz's own Bolt receiver. Over HTTP it verifies Slack's signature (401 on
 * a missing, wrong or stale one); in Socket Mode the envelopes come from
 * `socket-mode.ts`. Either way it stores the request durably (archive, or
 * the local spool when Postgres is down) and only then lets Bolt ack and run
 * the listener. A request stored but not applied (a crash, an
 * outage) is applied later by the intake's recovery pass, through the same
 * Bolt app, so nothing acknowledged is lost.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPModuleFunctions as H, type App, type Receiver, type ReceiverEvent } from '@slack/bolt';
import type { StoredInbound } from '../db/inbound-sql.ts';
import type { Intake, ProcessResult } from '../intake/intake.ts';
import { isUnstorable } from '../intake/storable.ts';
import { cleanStrings } from '../../lib/clean-text.ts';
import { OrderedLanes, queueNow, type ArrivalOrder } from '../../lib/ordered-lanes.ts';
import { sendJson } from '../../lib/json-response.ts';
import { Throttle } from '../../lib/throttle.ts';
import { parseIncidentCommand } from './command-parser.ts';
import { conversationOf, dedupeKey, parseBody, storedBody, type Body } from './request-body.ts';
import { verifySlackSignature } from './signature.ts';

export { conversationOf, dedupeKey, parseBody, storedBody };


const BODY_LIMIT = 1_048_576;
/** Slack retries after 3 s; answer before that even if a listener forgot to ack. */
const ACK_DEADLINE_MS = 2_800;
/**
 * How long a stored slash command's ack waits for its answer. Most commands
 * apply in a few milliseconds and their answer rides on the ack; one that
 * takes longer (a busy incident, a slow Slack lookup) is acknowledged empty
 * and answered on response_url, so the ack itself stays fast: the store (a
 * few ms) plus this wait keeps it within its p99 target of 50 ms at 200 req/s
 * (bench/ack.ts). Not shorter: under load an answer that misses the ack costs
 * a second HTTP request, which at 25 ms was about an eighth of Kranz's CPU per
 * note at saturation (1,187 notes/s at 25 ms, 1,319/s at 40 ms).
 */
const ANSWER_IN_ACK_WAIT_MS = 40;
export const SPOOLED_REPLY = ':floppy_disk: Recorded. Kranz\'s database is unavailable right now; your request will apply when it is back.';
/** Spooled behind requests from an outage that are still being replayed, so it does not overtake them. */
export const CATCHING_UP_REPLY = ':floppy_disk: Recorded. Kranz is catching up after a database outage; your request will apply in a few seconds.';
/** The database refused the request's data (see intake/storable.ts); it is kept on disk, not applied. */
export const REJECTED_REPLY = ':warning: Kranz could not record this request: the database refused its text. Nothing was applied; please try again with different text.';
/** Neither the database nor the local disk took the request: nothing is stored, so nothing will apply. */
export const UNRECORDED_REPLY = ':warning: Kranz could not record this request: neither its database nor its local disk accepted it. Nothing was applied; please try again in a minute.';
/** Why a request was refused before it was stored, as counted in `kranz_requests_rejected_total{reason}`. */
export type RejectReason = 'signature' | 'stale_timestamp' | 'future_timestamp' | 'too_large' | 'unparseable';

const LIKELY_CAUSE: Record<RejectReason, string> = {
  signature: 'check SLACK_SIGNING_SECRET (it must be the signing secret of this Slack app, not its client secret or verification token)',
  stale_timestamp: "check this host's clock (NTP), or a proxy delaying requests by over 5 minutes; a replayed request looks the same",
  future_timestamp: "check this host's clock (NTP): it runs behind Slack's; a forged request looks the same",
  too_large: 'Slack requests are at most 1 MB; this did not come from Slack',
  unparseable: 'a correctly signed body that is neither JSON nor a form: a proxy rewriting bodies?',
};

export interface KranzReceiverOptions {
  signingSecret: string;
  intake: Intake;
  now?: () => number;
  log: { warn(o: object, m?: string): void; error(o: object, m?: string): void; debug(o: object, m?: string): void };
  onAckLatency?: (ms: number, kind: string) => void;
  /** How long a slash command's ack waits for its answer (default 25 ms). */
  answerInAckWaitMs?: number;
  /** A request refused before it was stored (counted in `kranz_requests_rejected_total`). */
  onRejected?: (reason: RejectReason) => void;
}


export class KranzReceiver implements Receiver {
  private app: App | undefined;
  /** One warning per reason a minute: a wrong secret fails every request. */
  private readonly warnings = new Throttle(60_000);

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
      this.rejected('too_large', req);
      return reply(res, 413, { error: 'payload_too_large', reason: 'Slack requests are at most 1 MB.' });
    }
    const verdict = verifySlackSignature({
      signingSecret: this.o.signingSecret, rawBody: raw, nowMs: this.o.now?.() ?? Date.now(),
      signature: header(req, 'x-slack-signature'), timestamp: header(req, 'x-slack-request-timestamp'),
    });
    if (!verdict.ok) {
      this.rejected(verdict.reason, req, verdict.reason === 'signature' ? {} : { skewSeconds: verdict.skewSeconds });
      return reply(res, 401, { error: 'invalid_signature', reason: verdict.message });
    }
    const body = parseBody(raw, String(req.headers['content-type'] ?? ''));
    if (!body) {
      this.rejected('unparseable', req);
      return reply(res, 400, { error: 'bad_request', reason: 'The body is neither JSON nor a form.' });
    }
    if (body.type === 'url_verification') return reply(res, 200, { challenge: body['challenge'] });
    if (body['ssl_check']) return reply(res, 200, {});
    await this.accept({ body, raw, contentType: String(req.headers['content-type'] ?? ''), started, retry: retryNum(req) }, (status, response) => reply(res, status, response));
  };

  /**
   * Socket Mode: one envelope's payload, with the function that acknowledges
   * it over the socket. The same promise as over HTTP: stored first, then
   * acknowledged; an envelope that could not be stored is not acknowledged,
   * so Slack delivers it again.
   */
  readonly handleSocketEnvelope = async (e: { body: Record<string, unknown>; ack: (response?: Record<string, unknown>) => Promise<void>; retryNum?: number }): Promise<void> => {
    const started = performance.now();
    const body = cleanStrings(e.body) as Body;
    if (!body || typeof body !== 'object') return;
    await this.accept({ body, raw: JSON.stringify(body), contentType: 'application/json', started, ...(e.retryNum !== undefined ? { retry: e.retryNum } : {}) }, (status, response) => {
      if (status >= 300) return;
      void e.ack(response === undefined ? undefined : (response as Record<string, unknown>)).catch((err: unknown) => this.o.log.warn({ err: (err as Error).message }, 'could not acknowledge a Socket Mode envelope; Slack delivers it again'));
    });
  };

  /** Stores a verified, parsed request, acknowledges it (through `send`), then applies it. */
  private async accept(r: { body: Body; raw: string; contentType: string; started: number; retry?: number }, send: (status: number, response: unknown) => void): Promise<void> {
    const { body, raw, started } = r;
    const kind = body.command ? 'command' : body.type === 'event_callback' ? 'event' : 'interaction';
    let stored: Awaited<ReturnType<Intake['accept']>>;
    try {
      stored = await this.o.intake.accept({
        source: 'slack', dedupeKey: dedupeKey(body, raw), receivedAt: new Date(this.o.now?.() ?? Date.now()).toISOString(),
        headers: { 'content-type': r.contentType }, body: storedBody(raw, body),
      });
    } catch (e) {
      // Neither the archive nor the spool took it: say so. Slack retries events on a 5xx;
      // a person who typed a command is told it did not count, never that it will apply.
      this.o.log.error({ err: (e as Error).message, kind }, 'could not store a Slack request (database and spool both failed)');
      if (kind === 'command') return send(200, { response_type: 'ephemeral', text: UNRECORDED_REPLY });
      return send(503, { error: 'not_recorded', reason: 'Kranz could not record this request; retry later.' });
    }
    if (stored.kind !== 'stored') {
      // A redelivery of something stored, or spooled while the database is down: ack, apply later.
      this.o.onAckLatency?.(performance.now() - started, kind);
      if (kind === 'command' && stored.kind !== 'duplicate') {
        const text = stored.kind === 'rejected' ? REJECTED_REPLY : stored.reason === 'backlog' ? CATCHING_UP_REPLY : SPOOLED_REPLY;
        return send(200, { response_type: 'ephemeral', text });
      }
      return send(200, undefined);
    }
    let acked = false;
    const ack = async (response?: unknown): Promise<void> => {
      if (acked) return;
      acked = true;
      this.o.onAckLatency?.(performance.now() - started, kind);
      send(200, response === undefined || response === '' ? undefined : typeof response === 'string' ? { text: response } : response);
    };
    // Stored durably, so acknowledged now: the work must not hold the ack. Two kinds wait: a modal
    // submission, whose ack may carry field errors (up to Slack's deadline), and a slash command, whose
    // answer rides on its ack when it is ready within a few milliseconds (`answerInAck`) instead of a
    // second request to response_url.
    if (body.type !== 'view_submission' && !isSlashCommand(body)) await ack();
    const deadline = setTimeout(() => void ack(), isSlashCommand(body) ? this.o.answerInAckWaitMs ?? ANSWER_IN_ACK_WAIT_MS : ACK_DEADLINE_MS);
    const answer: AnswerInAck | undefined = isSlashCommand(body) ? async (message) => {
      if (acked) return false;
      await ack(message);
      return true;
    } : undefined;
    let result: ProcessResult;
    // Set when the listener's command marked this request processed in its own transaction.
    let markedWithCommand = false;
    try {
      result = await this.dispatch(body, ack, r.retry, { ...(answer ? { answer } : {}), appliedWithRequest: () => (markedWithCommand = true) });
    } catch (e) {
      // Stored, so acknowledged: left unapplied for the recovery pass rather than a 500 Slack would retry.
      clearTimeout(deadline);
      await ack();
      if (isUnstorable(e)) {
        // The database refuses this request's data: every retry would fail the same way.
        // Marked failed at once (the listener has told the person); `kranz inbound replay` re-runs it.
        this.o.log.error({ err: (e as Error).message, id: stored.id }, 'Slack request refused by the database; marked failed');
        await this.o.intake.finish(stored.id, 'failed', (e as Error).message).catch(() => undefined);
        return;
      }
      this.o.log.warn({ err: (e as Error).message }, 'Slack request failed inline; the recovery pass applies it');
      return;
    }
    clearTimeout(deadline);
    await ack();
    if (markedWithCommand) return;
    await this.o.intake.finish(stored.id, result).catch((e: unknown) => {
      // Left as received: the recovery pass applies it again (commands are idempotent).
      this.o.log.warn({ err: (e as Error).message }, 'could not mark the Slack request applied');
    });
  }

  /** Counts a refused request and warns, at most once a minute per reason, with its likely cause. */
  private rejected(reason: RejectReason, req: IncomingMessage, extra: Record<string, unknown> = {}): void {
    this.o.onRejected?.(reason);
    this.warnings.hit(reason, (suppressed) => {
      this.o.log.warn(
        { source: 'slack', reason, likelyCause: LIKELY_CAUSE[reason], remote: req.socket.remoteAddress, ...extra, ...(suppressed ? { moreSinceLastWarning: suppressed } : {}) },
        `Slack request refused (${reason}): ${LIKELY_CAUSE[reason]}`,
      );
    });
  }

  /** Requests of one conversation run in arrival order (lib/ordered-lanes.ts). */
  private readonly lanes = new OrderedLanes();

  /**
   * Runs requests of one conversation one after another, in arrival order:
   * `/incident resolve` then `/incident close` typed quickly must apply in
   * that order, not race. Other conversations run in parallel. Notes overlap:
   * they start together and queue on the incident in the order they came, so
   * a busy channel's notes apply together instead of one per round trip.
   */
  private async dispatch(body: Body, ack: (r?: unknown) => Promise<void>, retry?: number, hooks: ListenerHooks = {}): Promise<ProcessResult> {
    const lane = conversationOf(body);
    if (!lane) return this.run(body, ack, retry, undefined, hooks);
    return this.lanes.run(lane, isNote(body), (order) => this.run(body, ack, retry, order, hooks));
  }

  private async run(body: Body, ack: (r?: unknown) => Promise<void>, retry: number | undefined, order: ArrivalOrder | undefined, hooks: ListenerHooks): Promise<ProcessResult> {
    if (!this.app) throw new Error('receiver used before Bolt initialised it');
    const customProperties: Record<string, unknown> = {};
    // The listener queues its command through it (`arrivalOrderOf`), so notes keep the order they came in.
    if (order) customProperties[ARRIVAL_ORDER] = order;
    if (hooks.answer) customProperties[ANSWER_IN_ACK] = hooks.answer;
    if (hooks.appliedWithRequest) customProperties[APPLIED_WITH_REQUEST] = hooks.appliedWithRequest;
    const event: ReceiverEvent = {
      body: body as ReceiverEvent['body'],
      ack,
      ...(retry !== undefined ? { retryNum: retry } : {}),
      ...(order || hooks.answer || hooks.appliedWithRequest ? { customProperties } : {}),
    };
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

/**
 * `/incident note …`: it only queues its command on the incident, and a note
 * before it changes nothing its own permission check reads (that check is
 * made again under the incident's lock), so it may overlap the note before it.
 */
function isNote(body: Body): boolean {
  if (typeof body.command !== 'string') return false;
  const parsed = parseIncidentCommand(String((body as Record<string, unknown>)['text'] ?? ''));
  return parsed.ok && parsed.command.kind === 'note';
}

function isSlashCommand(body: Body): boolean {
  return typeof body.command === 'string';
}

/**
 * Answers a slash command in its acknowledgement: true when it was not
 * acknowledged yet and the message went with the ack; false when it already
 * was (its short wait ended first, or it is a replay after an outage), and
 * the listener posts the answer to `response_url` instead.
 */
export type AnswerInAck = (message: { response_type: 'ephemeral'; text: string }) => Promise<boolean>;

const ANSWER_IN_ACK = 'kranzAnswerInAck';
const ALREADY_ACKNOWLEDGED: AnswerInAck = async () => false;

/** How the listener of this request may answer in its ack (never, outside a live slash command). */
export function answerInAckOf(context: Record<string, unknown>): AnswerInAck {
  const answer = context[ANSWER_IN_ACK];
  return typeof answer === 'function' ? (answer as AnswerInAck) : ALREADY_ACKNOWLEDGED;
}

/** What the receiver hands a live request's listener on Bolt's context. */
interface ListenerHooks {
  answer?: AnswerInAck;
  /** The listener's command was applied with `requestKey` (app/command-meta.ts): the request is marked processed already. */
  appliedWithRequest?: () => void;
}

const APPLIED_WITH_REQUEST = 'kranzAppliedWithRequest';

/**
 * Tells the receiver that this request's command was applied and marked the
 * stored request processed in its transaction, so it need not write the
 * mark itself. A replayed request has no one to tell: the intake marks it.
 */
export function appliedWithRequestOf(context: Record<string, unknown>): () => void {
  const applied = context[APPLIED_WITH_REQUEST];
  return typeof applied === 'function' ? (applied as () => void) : () => undefined;
}

/** Where a request's place in its conversation travels on Bolt's context. */
const ARRIVAL_ORDER = 'kranzArrivalOrder';

/** The arrival order of the request a listener handles (at once for a request outside any conversation). */
export function arrivalOrderOf(context: Record<string, unknown>): ArrivalOrder {
  const order = context[ARRIVAL_ORDER];
  return typeof order === 'function' ? (order as ArrivalOrder) : queueNow;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  sendJson(res, status, body);
}

/** One request header as a string (joined when repeated), or undefined when absent. */
function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function retryNum(req: IncomingMessage): number | undefined {
  const v = req.headers['x-slack-retry-num'];
  return v === undefined ? undefined : Number(v);
}
