/**
 * A local stand-in for Slack: an in-memory workspace behind a real HTTP Web
 * API (point `@slack/web-api`'s `slackApiUrl` at {@link SlackStandIn.apiUrl})
 * that also plays the people in it, signing and POSTing commands, clicks,
 * modal submissions and events to the bot as Slack does.
 *
 * @example
 * const slack = await startSlackStandIn({ users: [{ id: 'U1', name: 'ana', email: 'ana@x.io' }] });
 * const client = new WebClient(slack.workspace.config.botToken, { slackApiUrl: slack.apiUrl });
 * await client.conversations.create({ name: 'inc-1' });
 * await slack.close();
 */
import { Activity } from './activity.ts';
import { resolveConfig } from './config.ts';
import { BotDelivery } from './delivery.ts';
import { BotEvents } from './events.ts';
import { Faults } from './faults.ts';
import { ResponseUrls } from './response-urls.ts';
import { createStandInServer } from './server.ts';
import { AUTHORIZE_PATH, OpenIdProvider } from './openid.ts';
import { SimulatedUser } from './simulated-user.ts';
import { Workspace } from './workspace.ts';
import type { DeliveryRecord, SlackStandInOptions } from './types.ts';
import { listenLocally } from '../listen.ts';

/** A running stand-in. */
export interface SlackStandIn {
  /** Web API base with trailing slash, as WebClient's `slackApiUrl` expects: `http://127.0.0.1:PORT/api/`. */
  readonly apiUrl: string;
  /** `http://127.0.0.1:PORT`. */
  readonly baseUrl: string;
  /** Sign in with Slack's authorize page: `SLACK_API_URL` with `api/` replaced by `openid/connect/authorize`. */
  readonly authorizeUrl: string;
  /** The app's client id and secret for Sign in with Slack. */
  readonly oauth: { clientId: string; clientSecret: string };
  /** All state and the call/delivery logs. */
  readonly workspace: Workspace;
  /** Failure injection for Web API methods, and for response URLs under `RESPONSE_URL_FAULT`. */
  readonly faults: Faults;
  /** The person `userId` (a seeded user), ready to act. */
  user(userId: string): SimulatedUser;
  /** Sets (or clears) the bot's request URL, e.g. `http://127.0.0.1:3000/slack/events`. */
  setBotEndpoint(url: string | undefined): void;
  /** A fresh trigger id for `userId`, for tests that call views.open directly. */
  issueTriggerId(userId: string): string;
  /** Sends Slack's `url_verification` challenge; ok when the bot echoes it. */
  verifyUrl(): Promise<{ ok: boolean; delivery: DeliveryRecord }>;
  /** Sends a delivered event again with `X-Slack-Retry-Num` (default 1) and `X-Slack-Retry-Reason`. */
  redeliverEvent(eventId: string, opts?: { retryNum?: number; reason?: string }): Promise<DeliveryRecord>;
  /** Resolves once every queued delivery to the bot has been answered. */
  waitForDeliveries(): Promise<void>;
  /**
   * Resolves once neither the bot nor the stand-in has had anything in flight
   * for `quietMs` (default 50). Work the bot starts after acking is caught only
   * if its first request arrives within that window; prefer {@link waitFor}.
   */
  idle(quietMs?: number): Promise<void>;
  /**
   * Polls `check` (every 10 ms, real time) until it returns something truthy
   * and resolves with it; rejects after `timeoutMs` (default 5000). The sure
   * way to wait for work the bot does after acknowledging a request.
   */
  waitFor<T>(check: () => T | undefined | null | false, opts?: { timeoutMs?: number; what?: string }): Promise<T>;
  /** Stops the server, dropping open connections. */
  close(): Promise<void>;
}

/** Starts a stand-in on `opts.port` (default: a free port on 127.0.0.1). */
export async function startSlackStandIn(opts: SlackStandInOptions = {}): Promise<SlackStandIn> {
  const config = resolveConfig(opts);
  const ws = new Workspace(config);
  for (const u of opts.users ?? []) ws.addUser(u);
  for (const c of opts.channels ?? []) ws.addChannel(c);
  for (const g of opts.userGroups ?? []) ws.addUserGroup(g);
  const activity = new Activity();
  const delivery = new BotDelivery(config, ws, activity);
  delivery.endpoint = opts.botUrl;
  const events = new BotEvents(ws, delivery);
  const responseUrls = new ResponseUrls(ws, events);
  const faults = new Faults(config.now);
  const openid = new OpenIdProvider(ws, config);
  const server = createStandInServer({ ws, faults, events, responseUrls, activity, openid });

  config.baseUrl = await listenLocally(server, config.port, config.host);

  const users = new Map<string, SimulatedUser>();
  return {
    apiUrl: `${config.baseUrl}/api/`,
    baseUrl: config.baseUrl,
    authorizeUrl: `${config.baseUrl}${AUTHORIZE_PATH}`,
    oauth: { clientId: config.clientId, clientSecret: config.clientSecret },
    workspace: ws,
    faults,
    user(userId) {
      const rec = ws.users.get(userId);
      if (!rec || rec.is_bot) throw new Error(`Slack stand-in: no person ${userId} in the workspace`);
      let u = users.get(userId);
      if (!u) {
        u = new SimulatedUser(rec, { ws, events, delivery, responseUrls });
        users.set(userId, u);
      }
      return u;
    },
    setBotEndpoint(url) {
      delivery.endpoint = url;
    },
    issueTriggerId(userId) {
      return ws.issueTrigger(userId);
    },
    async verifyUrl() {
      const challenge = ws.ids.next('challenge', 12);
      const d = await delivery.send({
        kind: 'url_verification',
        type: 'url_verification',
        payload: { token: config.verificationToken, challenge, type: 'url_verification' },
        encoding: 'json',
      });
      const echoed = d.responseBody === challenge || d.responseBody.includes(`"challenge":"${challenge}"`);
      return { ok: d.status === 200 && echoed, delivery: d };
    },
    redeliverEvent(eventId, o = {}) {
      return events.redeliver(eventId, o.retryNum ?? 1, o.reason ?? 'http_timeout');
    },
    waitForDeliveries() {
      return delivery.drained();
    },
    idle(quietMs = 50) {
      return activity.settled(quietMs);
    },
    async waitFor(check, o = {}) {
      const deadline = Date.now() + (o.timeoutMs ?? 5000);
      for (;;) {
        const v = check();
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`Slack stand-in: timed out waiting for ${o.what ?? 'a condition'}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export { DEFAULT_BOT_EVENTS } from './config.ts';
export type { StandInConfig } from './config.ts';
export { TRIGGER_TTL_MS, Workspace } from './workspace.ts';
export { Faults, RESPONSE_URL_FAULT } from './faults.ts';
export type { FaultDecision, OutageFault, OutageStyle, RateLimitFault } from './faults.ts';
export { SimulatedUser } from './simulated-user.ts';
export type { ActionTarget, BotReply, CommandReply, UserActionResult, ViewSubmissionReply } from './simulated-user.ts';
export type { ViewAnswer } from './bot-answers.ts';
export { signSlackRequest } from './signing.ts';
export { implementedMethods } from './methods/index.ts';
export { METHOD_SPECS } from './method-specs.ts';
export type { MethodSpec } from './method-specs.ts';
export { canvasMarkdown } from './methods/canvases.ts';
export { MAX_MESSAGE_BLOCKS, MAX_VIEW_BLOCKS } from './blocks.ts';
export type * from './types.ts';
