/**
 * Kranz's one HTTP port: Slack, PagerDuty, health and metrics. Unknown paths
 * get 404 with a reason; a handler that throws gets 500 without a stack trace.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { sendJson } from '../../lib/json-response.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** The web view: the paths it claims (pages, API, sign-in) and its handler. */
export interface WebRoute {
  match(path: string): boolean;
  handle: Handler;
}

export interface Routes {
  slackEvents?: RequestListener;
  pagerDutyWebhook?: Handler;
  healthz: Handler;
  metrics?: Handler;
  web?: WebRoute;
}

export function createHttpServer(routes: Routes, log: { error(o: unknown, m?: string): void }): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = (): Handler | RequestListener | undefined => {
      if (path === '/slack/events' && req.method === 'POST') return routes.slackEvents;
      if (path === '/pagerduty/webhook' && req.method === 'POST') return routes.pagerDutyWebhook;
      if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) return routes.healthz;
      if (path === '/metrics' && req.method === 'GET') return routes.metrics;
      if (routes.web?.match(path)) return routes.web.handle;
      return undefined;
    };
    const h = route();
    if (!h) {
      sendJson(res, 404, { error: 'not_found', reason: `No route for ${req.method} ${path}. Kranz serves POST /slack/events, POST /pagerduty/webhook, GET /healthz and GET /metrics.` });
      return;
    }
    Promise.resolve()
      .then(() => h(req, res))
      .catch((e: unknown) => {
        log.error({ err: e instanceof Error ? { message: e.message } : e, path }, 'request failed');
        sendJson(res, 500, { error: 'internal_error', reason: 'Kranz could not handle this request; it was logged.' });
      });
  });
}
