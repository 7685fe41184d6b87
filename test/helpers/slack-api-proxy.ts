/**
 * A pass-through HTTP proxy in front of the Slack stand-in's Web API that
 * answers chosen methods itself. It stands for workspace settings the
 * stand-in cannot express (e.g. file uploads turned off by an admin, which
 * Slack answers with `{ ok: false, error: 'file_uploads_disabled' }`): the
 * stand-in's faults only produce 429s, 5xx and dropped connections.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readAll } from './net.ts';

export interface SlackApiProxy {
  /** Base URL to give Kranz as SLACK_API_URL (trailing slash, like the stand-in's). */
  readonly apiUrl: string;
  /** The real Web API base; set before Kranz makes its first call. */
  target: string;
  /** Methods answered here with this JSON body (HTTP 200), instead of being forwarded. */
  readonly answers: Map<string, Record<string, unknown>>;
  /** Calls answered here, by method. */
  readonly intercepted: string[];
  close(): Promise<void>;
}

export async function startSlackApiProxy(): Promise<SlackApiProxy> {
  const answers = new Map<string, Record<string, unknown>>();
  const intercepted: string[] = [];
  let target = '';
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').replace(/^\/api\//, '');
      const method = path.split('?')[0] ?? '';
      const body = await readAll(req);
      const canned = answers.get(method);
      if (canned) {
        intercepted.push(method);
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(canned));
        return;
      }
      const url = new URL(path, target);
      const headers = { ...req.headers, host: url.host, 'content-length': String(body.length) };
      const out = request(url, { method: req.method ?? 'POST', headers, agent: false }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      // A dropped upstream connection (an injected outage) is passed on as one.
      out.on('error', () => res.destroy());
      out.end(body);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    get target() {
      return target;
    },
    set target(v: string) {
      target = v;
    },
    answers,
    intercepted,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
