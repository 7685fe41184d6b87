/**
 * A Web API proxy in front of the Slack stand-in that can hold one call in
 * flight: either before Slack sees it (`before`: the call never happens) or
 * after Slack did it (`after`: Slack's answer never reaches Kranz). The
 * stand-in has outages and rate limits but no delay; the kill -9 test needs
 * Kranz stuck at an exact point of a declare so it can be killed there.
 */
import { createServer, request, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readAll } from './net.ts';

/** Which calls to hold, and where. */
export interface HoldRule {
  /** Web API method, e.g. `conversations.create`. */
  method: string;
  /** Further narrows the calls held (form arguments as sent). */
  match?: (args: URLSearchParams) => boolean;
  /** `before`: never forwarded; `after`: forwarded, the answer withheld. */
  at: 'before' | 'after';
}

/** A call being held, with Slack's answer when it was forwarded. */
export interface HeldCall {
  method: string;
  args: URLSearchParams;
  /** Slack's answer (for `after`), parsed. */
  answer?: unknown;
}

export interface SlackProxy {
  /** Web API base for SLACK_API_URL: `http://127.0.0.1:PORT/api/`. */
  apiUrl: string;
  /** Holds every call matching `rule` from now on; resolves with the first one held. */
  hold(rule: HoldRule): Promise<HeldCall>;
  /** Stops holding; calls already held stay unanswered until their client gives up. */
  release(): void;
  /** Every method the proxy saw, in order (forwarded or held). */
  seen: string[];
  close(): Promise<void>;
}

/** Starts a proxy to `target` (the stand-in's base URL, e.g. `http://127.0.0.1:4000`). */
export async function startSlackProxy(target: string): Promise<SlackProxy> {
  const upstream = new URL(target);
  const rules: { rule: HoldRule; held: (c: HeldCall) => void }[] = [];
  const seen: string[] = [];
  const open = new Set<ServerResponse>();

  const forward = (req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers: OutgoingHttpHeaders = { ...req.headers, host: upstream.host };
      const up = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, agent: false }, (res) => {
        void readAll(res).then((b) => {
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string' && k !== 'transfer-encoding') h[k] = v;
          resolve({ status: res.statusCode ?? 502, headers: h, body: b });
        }, reject);
      });
      up.on('error', reject);
      up.end(body);
    });

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const method = decodeURIComponent((req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '');
      seen.push(method);
      const args = new URLSearchParams((req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded') ? body.toString('utf8') : '');
      const hit = rules.find((r) => r.rule.method === method && (r.rule.match?.(args) ?? true));
      if (hit?.rule.at === 'before') {
        open.add(res);
        res.on('close', () => open.delete(res));
        hit.held({ method, args });
        return;
      }
      const answer = await forward(req, body);
      if (hit?.rule.at === 'after') {
        open.add(res);
        res.on('close', () => open.delete(res));
        let parsed: unknown;
        try {
          parsed = JSON.parse(answer.body.toString('utf8'));
        } catch {
          parsed = undefined;
        }
        hit.held({ method, args, answer: parsed });
        return;
      }
      res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
      res.end(answer.body);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    seen,
    hold(rule) {
      return new Promise<HeldCall>((resolve) => {
        let first = true;
        rules.push({
          rule,
          held: (c) => {
            if (first) resolve(c);
            first = false;
          },
        });
      });
    },
    release() {
      rules.length = 0;
    },
    close() {
      for (const r of open) r.destroy();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
