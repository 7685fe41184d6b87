/**
 * The Bolt app. In HTTP mode Kranz owns the HTTP server (one port for Slack,
 * PagerDuty, health and metrics) and hands `/slack/events` requests to Bolt's
 * receiver. With SLACK_APP_TOKEN set, Kranz connects out over Socket Mode
 * and the envelopes go through the same receiver (stored, then acked).
 */
import { App } from '@slack/bolt';
import type { RequestListener } from 'node:http';
import { WebClient, LogLevel } from '@slack/web-api';
import { registerListeners, type SlackListenerDeps } from './listeners/index.ts';

import { KranzReceiver, type RejectReason } from './receiver.ts';
import { socketModeConnection } from './socket-mode.ts';
import { slackLogger } from './logger.ts';
import type { Intake } from '../intake/intake.ts';

const BoltLogLevel = LogLevel;

export interface SlackAppOptions {
  botToken: string;
  signingSecret: string;
  apiUrl: string;
  appToken?: string;
  listeners: SlackListenerDeps;
  /** Durable intake: requests are stored before they are acked (HTTP mode). */
  intake: Intake;
  /** How long a slash command's ack waits for its answer (receiver.ts). */
  answerInAckWaitMs?: number;
  onAckLatency?: (ms: number, kind: string) => void;
  onRejected?: (reason: RejectReason) => void;
}

export interface SlackApp {
  app: InstanceType<typeof App>;
  /** Handles `POST /slack/events` in HTTP mode; undefined in Socket Mode. */
  requestListener?: RequestListener;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A WebClient for the outbox: no hidden retries (the outbox retries and keeps order), 429s surface at once. */
export function outboxWebClient(botToken: string, apiUrl: string, log: PinoLike): WebClient {
  // The outbox logs each failure itself; the client's own lines go through pino at debug.
  return new WebClient(botToken, { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 10_000, logger: slackLogger(quietWarnings(log), 'slack-web-api') });
}

type PinoLike = Parameters<typeof slackLogger>[0];

/** The WebClient warns on every failed call the outbox will retry and report anyway: those go to debug. */
function quietWarnings(log: PinoLike): PinoLike {
  return { debug: log.debug.bind(log), info: log.debug.bind(log), warn: log.debug.bind(log), error: log.error.bind(log) } as PinoLike;
}

export function createSlackApp(o: SlackAppOptions): SlackApp {
  const logger = slackLogger(o.listeners.log, 'slack-bolt');
  const clientOptions = { slackApiUrl: o.apiUrl, retryConfig: { retries: 1 }, timeout: 10_000, logger: slackLogger(o.listeners.log, 'slack-web-api') };
  const authorize = cachedAuthorize(o.botToken, new WebClient(o.botToken, { ...clientOptions, retryConfig: { retries: 0 } }));
  // One receiver for both transports, so Socket Mode stores before it acknowledges, as HTTP does.
  const receiver = new KranzReceiver({ signingSecret: o.signingSecret, intake: o.intake, log: o.listeners.log, ...(o.answerInAckWaitMs !== undefined ? { answerInAckWaitMs: o.answerInAckWaitMs } : {}), ...(o.onAckLatency ? { onAckLatency: o.onAckLatency } : {}), ...(o.onRejected ? { onRejected: o.onRejected } : {}) });
  // No conversation store: Kranz keeps its state in Postgres, and Bolt's in-memory one builds an Error for every request it has nothing for.
  const app: InstanceType<typeof App> = new App({ authorize, receiver, clientOptions, logger, logLevel: BoltLogLevel.INFO, convoStore: false });
  const socket = o.appToken ? socketModeConnection({ appToken: o.appToken, apiUrl: o.apiUrl, receiver, log: o.listeners.log }) : undefined;
  app.error(async (e) => {
    o.listeners.log.error({ err: { code: (e as { code?: string }).code, message: e.message } }, 'slack listener error');
    // Rethrown so the receiver leaves the stored request unapplied: the intake's recovery pass
    // applies it again later (use cases are idempotent), instead of it being lost.
    throw e;
  });
  registerListeners(app, o.listeners);
  return {
    app,
    ...(socket ? {} : { requestListener: receiver.handle as unknown as RequestListener }),
    start: async () => {
      await socket?.start();
    },
    stop: async () => {
      await socket?.stop().catch(() => undefined);
    },
  };
}

/**
 * Bolt's built-in single-token authorize either calls auth.test at
 * construction (crashing a start while Slack is unreachable) or, with token
 * verification off, on every request before the ack. This one calls it once,
 * in the background, and never lets it delay or fail a request: the bot's own
 * messages are also skipped by `bot_id` in the listeners.
 */
export function cachedAuthorize(botToken: string, client: WebClient) {
  let ids: { botId?: string; botUserId?: string } | undefined;
  let inflight: Promise<void> | undefined;
  const fetchIds = (): Promise<void> => {
    inflight ??= client.auth.test()
      .then((r) => {
        ids = { ...(r.bot_id ? { botId: r.bot_id } : {}), ...(r.user_id ? { botUserId: r.user_id } : {}) };
      })
      .catch(() => undefined)
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };
  void fetchIds();
  return async () => {
    if (!ids) {
      // Wait briefly for the first answer, never long enough to miss Slack's 3 s.
      await Promise.race([fetchIds(), new Promise((r) => setTimeout(r, 300).unref())]);
    }
    return { botToken, ...ids };
  };
}
