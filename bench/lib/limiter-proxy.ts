/**
 * A rate-limiting proxy between a Slack client and the Slack stand-in:
 * `chat.postMessage` is allowed `perSecond` times per second per channel
 * (a token bucket holding at most one second's worth), and answered like
 * Slack's 429 (`Retry-After: 1`, `{"ok":false,"error":"ratelimited"}`) when
 * the bucket is empty. Everything else passes through untouched. The stand-in
 * can refuse a number of calls, but not by rate per channel, hence this.
 */
import http from 'node:http';

/** A post the proxy let through. */
export interface AcceptedPost {
  channel: string;
  text: string;
  /** Epoch ms when the proxy received it. */
  at: number;
}

export interface LimiterProxy {
  /** Web API base for `slackApiUrl`: `http://127.0.0.1:PORT/api/`. */
  apiUrl: string;
  accepted: AcceptedPost[];
  /** 429s answered, per channel. */
  refused: Map<string, number>;
  /** While a channel is held, every post to it is refused (bucket kept full for when it opens). */
  hold(channel: string): void;
  open(channel: string): void;
  close(): Promise<void>;
}

export async function startLimiterProxy(o: { upstream: string; perSecond: number }): Promise<LimiterProxy> {
  const up = new URL(o.upstream);
  const buckets = new Map<string, { tokens: number; at: number }>();
  const held = new Set<string>();
  const accepted: AcceptedPost[] = [];
  const refused = new Map<string, number>();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

  const take = (channel: string, now: number): boolean => {
    const b = buckets.get(channel) ?? { tokens: o.perSecond, at: now };
    b.tokens = Math.min(o.perSecond, b.tokens + ((now - b.at) / 1000) * o.perSecond);
    b.at = now;
    buckets.set(channel, b);
    if (held.has(channel) || b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  };

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void => {
    const headers = { ...req.headers, host: up.host, 'content-length': String(body.length) };
    const out = http.request({ host: up.hostname, port: up.port, path: req.url, method: req.method, headers, agent }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    out.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url?.split('?')[0] !== '/api/chat.postMessage') return forward(req, res, body);
      const args = parseArgs(String(req.headers['content-type'] ?? ''), body.toString('utf8'));
      const channel = args['channel'] ?? '';
      const now = Date.now();
      if (!take(channel, now)) {
        refused.set(channel, (refused.get(channel) ?? 0) + 1);
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end('{"ok":false,"error":"ratelimited"}');
        return;
      }
      accepted.push({ channel, text: args['text'] ?? '', at: now });
      forward(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    accepted,
    refused,
    hold: (c) => void held.add(c),
    open: (c) => void held.delete(c),
    close: () => new Promise<void>((resolve) => {
      agent.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function parseArgs(contentType: string, raw: string): Record<string, string> {
  try {
    if (contentType.includes('application/json')) {
      const j = JSON.parse(raw) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(j).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    }
    return Object.fromEntries(new URLSearchParams(raw));
  } catch {
    return {};
  }
}
