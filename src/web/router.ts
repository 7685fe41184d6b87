/**
 * The web view's routes, served on Kranz's one port beside Slack, PagerDuty,
 * health and metrics. Everything but sign-in and the static files needs a
 * session; pages send a visitor without one to Slack, the API answers 401.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listIncidents, showIncident, type BrowseDeps } from '../app/browse-incidents.ts';
import type { Viewer } from '../app/incident-visibility.ts';
import { WEB_VIEW_ENV_KEYS } from '../config/env.ts';
import { ASSETS } from './assets.ts';
import { createAuth, CALLBACK_PATH, type AuthDeps } from './auth.ts';
import { parseFilter } from './filters.ts';
import { html } from './html.ts';
import { decodePath, redirect, requestUrl, sendHtml, sendJsonBody, sendText } from './http.ts';
import { messagePage, noIncidentPage, notFoundPage, page } from './layout.ts';
import { streamIncident, type LiveOptions } from './live.ts';
import { apiIncident, apiIncidents } from './api.ts';
import { incidentBody } from './pages/incident.ts';
import { listBody, PAGE_SIZE } from './pages/list.ts';
import { reportRoutes } from './pages/report.ts';
import { analyticsRoutes } from './pages/analytics.ts';

export interface WebDeps extends BrowseDeps, AuthDeps {
  /** Incident time (the clocks on the list and the incident page). */
  incidentNow: () => number;
  live?: Partial<LiveOptions>;
}

export type WebHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Paths the web view answers (the rest of the port belongs to Slack, PagerDuty, health and metrics). */
export function isWebPath(path: string): boolean {
  return path === '/' || path === '/login' || path === '/logout' || path === '/signed-out' || path === CALLBACK_PATH || path === '/favicon.ico'
    || /^\/(incidents|api|analytics|static|report)(\/|$)/.test(path);
}

/** What the web paths answer when the web view is off: 404 with the sentence that turns it on. */
export function webViewOff(missing: readonly string[]): WebHandler {
  const all = WEB_VIEW_ENV_KEYS.join(', ');
  const reason = `The web view is off. Set ${all} to turn it on${missing.length < WEB_VIEW_ENV_KEYS.length ? ` (missing: ${missing.join(', ')})` : ''}.`;
  return async (req, res) => {
    if (requestUrl(req).pathname.startsWith('/api/')) return sendJsonBody(res, 404, { error: 'web_view_off', reason });
    sendHtml(res, 404, messagePage('Web view is off', [reason]));
  };
}

const INCIDENT = /^\/incidents\/(\d{1,9})(?:\/(live|report)(?:\/([^/]+))?)?$/;
const LIVE = /^\/incidents\/\d{1,9}\/live$/;

export function createWebHandler(d: WebDeps): WebHandler {
  const auth = createAuth(d);
  const live: LiveOptions = { nowMs: d.incidentNow, ...d.live };
  const reports = reportRoutes(d);
  const analytics = analyticsRoutes(d);

  return async (req, res) => {
    const url = requestUrl(req);
    const path = url.pathname;
    const get = req.method === 'GET' || req.method === 'HEAD';
    const asset = ASSETS.get(path);
    if (asset && get) return sendText(res, 200, asset.body, asset.type, { 'cache-control': 'public, max-age=31536000, immutable' });
    if (path === '/login' && get) return auth.login(req, res);
    if (path === CALLBACK_PATH && get) return auth.callback(req, res);
    if (path === '/logout' && req.method === 'POST') {
      // SameSite=Lax keeps the cookie off cross-site posts; a foreign Origin is refused outright.
      const origin = req.headers.origin;
      if (origin && origin !== new URL(d.settings.publicUrl).origin && origin !== `http://${req.headers.host ?? ''}`) {
        return sendHtml(res, 403, messagePage('Refused', ['Signing out is only possible from Kranz\'s own pages.']));
      }
      return auth.logout(req, res);
    }
    if (path === '/signed-out' && get) return sendHtml(res, 200, messagePage('Signed out', ['You are signed out of Kranz.', html`<a href="/login">Sign in with Slack</a>`]));
    if (path === '/favicon.ico') return sendText(res, 204, '', 'image/x-icon');

    const session = auth.session(req);
    const api = path.startsWith('/api/');
    if (!session) {
      if (api) return sendJsonBody(res, 401, { error: 'not_signed_in', reason: 'Sign in with Slack at /login first; the API uses the same session cookie as the pages.' });
      // A live stream reconnecting after sign-out is no page to send to Slack: a 401 ends the browser's EventSource.
      if (!get || LIVE.test(path)) return sendHtml(res, 401, messagePage('Not signed in', [html`<a href="/login">Sign in with Slack</a>`]));
      return redirect(res, `/login?next=${encodeURIComponent(path + url.search)}`);
    }
    if (!get) return sendText(res, 405, 'Method not allowed', 'text/plain; charset=utf-8', { allow: 'GET' });
    const viewer: Viewer = { userId: session.userId, teamId: session.teamId, name: session.name };
    // Checked once for the whole path: a segment decoded later (a customer id) then cannot throw.
    if (decodePath(path) === undefined) {
      const reason = `The address ${path} is not valid percent-encoding: each % must be followed by two hex digits, and the bytes they spell must be UTF-8 text.`;
      if (api) return sendJsonBody(res, 400, { error: 'bad_request', reason });
      return sendHtml(res, 400, messagePage('Bad request', [reason, html`<a href="/">All incidents</a>`], viewer));
    }

    if (api) {
      if (path === '/api/incidents') return apiIncidents(d, viewer, url, res);
      const m = /^\/api\/incidents\/(\d{1,9})$/.exec(path);
      if (m) return apiIncident(d, viewer, Number(m[1]), url, res);
      return sendJsonBody(res, 404, { error: 'not_found', reason: `No API route ${path}. There are /api/incidents and /api/incidents/<number>.` });
    }
    if (path === '/') {
      const f = parseFilter(url.searchParams);
      const r = await listIncidents(d, viewer, f.filter, { limit: PAGE_SIZE, offset: (f.page - 1) * PAGE_SIZE });
      return sendHtml(res, 200, page({ title: 'Incidents', viewer, body: listBody({ ...r, f, policy: d.policy, nowMs: d.incidentNow() }) }));
    }
    if (path === '/analytics' || path.startsWith('/analytics/')) return analytics(viewer, url, res);
    const m = INCIDENT.exec(path);
    if (m) {
      const n = Number(m[1]);
      const sub = m[2];
      if (sub === 'report') return reports(viewer, n, m[3] === undefined ? undefined : decodeURIComponent(m[3]), res);
      const view = await showIncident(d, viewer, n, { withEvents: sub !== 'live' });
      if (!view) return sendHtml(res, 404, noIncidentPage(n, viewer));
      if (sub === 'live') {
        const after = Number(url.searchParams.get('after') ?? '0');
        return streamIncident(req, res, { deps: d, viewer, state: view.state, afterSeq: Number.isSafeInteger(after) && after >= 0 ? after : 0, live, sessionExp: session.exp, now: d.now });
      }
      return sendHtml(res, 200, page({ title: `INC-${n}`, viewer, live: view.state.status !== 'closed', body: incidentBody({ ...view, nowMs: d.incidentNow() }) }));
    }
    sendHtml(res, 404, notFoundPage(path, viewer));
  };
}
