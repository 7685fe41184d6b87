/**
 * The pdjs traps (see src/adapters/pagerduty/transport.ts), each exercised over
 * real HTTP: 429s surface at once instead of after pdjs's 20 s retries, nothing
 * holds the process after a timeout or a network error, odd bodies classify.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PagerDutyClient } from '../../src/adapters/pagerduty/client.ts';
import { retryAfterMs } from '../../src/adapters/pagerduty/errors.ts';
import { RATE_LIMIT_BODY } from '../../src/sandbox/pagerduty/faults.ts';
import { SEED } from '../../src/sandbox/pagerduty/state.ts';
import { STAND_IN_TOKEN, startPagerDutyStandIn, type PagerDutyStandIn } from '../../src/sandbox/pagerduty/stand-in.ts';
import { fixture } from './helpers/fixtures.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(cleanups.map((c) => c()));
});

async function standIn(): Promise<{ pd: PagerDutyStandIn; client: PagerDutyClient }> {
  const pd = await startPagerDutyStandIn();
  cleanups.push(() => pd.close());
  return { pd, client: new PagerDutyClient({ apiUrl: pd.url, token: STAND_IN_TOKEN, from: SEED.emails.bot, timeoutMs: 2_000, defaultRetryAfterMs: 12_345 }) };
}

/** A server whose every request gets `answer`; `answer` may also never respond. */
async function rawServer(answer: (res: ServerResponse) => void): Promise<{ url: string; server: Server; hits: () => number }> {
  let hits = 0;
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => {
    hits += 1;
    answer(res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits: () => hits };
}

describe('429: surfaced at once, never retried by pdjs', () => {
  it('returns rate_limited with ratelimit-reset in ms, after exactly one request, in well under pdjs’s 20 s', async () => {
    const { pd, client } = await standIn();
    const incident = pd.state.addIncident({ title: 'x', serviceId: SEED.services.checkout });
    pd.faults.rateLimit('getIncident', { times: 1, resetSec: 7 });
    const started = performance.now();
    const r = await client.getIncident(incident.id);
    const elapsed = performance.now() - started;
    expect(r.ok || r.error).toEqual({ kind: 'rate_limited', retryAfterMs: 7_000 });
    expect(elapsed).toBeLessThan(1_500);
    // The fault was armed once: a pdjs retry would have succeeded and shown up here.
    expect(pd.requests.filter((q) => q.route === 'getIncident')).toHaveLength(1);
    // The limit is over: the caller's own retry goes through.
    expect((await client.getIncident(incident.id)).ok).toBe(true);
  });

  it('applies to writes too, without writing anything', async () => {
    const { pd, client } = await standIn();
    const incident = pd.state.addIncident({ title: 'x', serviceId: SEED.services.checkout });
    pd.faults.rateLimit('createIncidentNote', { resetSec: 3 });
    const r = await client.createIncidentNote(incident.id, 'note');
    expect(r.ok || r.error).toEqual({ kind: 'rate_limited', retryAfterMs: 3_000 });
    expect(pd.state.notes).toHaveLength(0);
    expect(pd.requests).toHaveLength(1);
  });

  it('uses the configured default when a 429 carries no headers (PagerDuty warns this happens)', async () => {
    const { pd, client } = await standIn();
    pd.faults.rateLimit('listServices', { withHeaders: false });
    const r = await client.listServices();
    expect(r.ok || r.error).toEqual({ kind: 'rate_limited', retryAfterMs: 12_345 });
  });

  it('reads Retry-After when ratelimit-reset is absent', async () => {
    const s = await rawServer((res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '4' });
      res.end(JSON.stringify(RATE_LIMIT_BODY));
    });
    const client = new PagerDutyClient({ apiUrl: s.url, token: 't', from: 'f@example.com' });
    const r = await client.getIncident('P1');
    expect(r.ok || r.error).toEqual({ kind: 'rate_limited', retryAfterMs: 4_000 });
    expect(s.hits()).toBe(1);
  });

  it('serves the 429 body PagerDuty documents', () => {
    expect(RATE_LIMIT_BODY).toEqual(fixture('rest/error.429.json'));
  });
});

describe('retryAfterMs', () => {
  const from = (h: Record<string, string>) => (name: string) => h[name];
  it('prefers ratelimit-reset, then Retry-After seconds or date, then the fallback', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(retryAfterMs(from({ 'ratelimit-reset': '20', 'retry-after': '5' }), now)).toBe(20_000);
    expect(retryAfterMs(from({ 'retry-after': '5' }), now)).toBe(5_000);
    expect(retryAfterMs(from({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }), now)).toBe(30_000);
    expect(retryAfterMs(from({ 'ratelimit-reset': 'soon' }), now, 999)).toBe(999);
  });
  it('never suggests less than a second', () => {
    expect(retryAfterMs(from({ 'ratelimit-reset': '0' }))).toBe(1_000);
  });
});

describe('timeouts and the event loop', () => {
  it('a server that never answers → unavailable within the configured timeout', async () => {
    const { pd } = await standIn();
    pd.faults.hang('getIncident');
    const client = new PagerDutyClient({ apiUrl: pd.url, token: STAND_IN_TOKEN, from: SEED.emails.bot, timeoutMs: 250 });
    const started = performance.now();
    const r = await client.getIncident('PX');
    const elapsed = performance.now() - started;
    expect(r.ok || r.error).toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/250 ms/) });
    expect(elapsed).toBeGreaterThanOrEqual(200);
    expect(elapsed).toBeLessThan(1_500);
  });

  it('close() ends calls in flight as unavailable and refuses new ones', async () => {
    const { pd } = await standIn();
    pd.faults.hang('listPriorities');
    const client = new PagerDutyClient({ apiUrl: pd.url, token: STAND_IN_TOKEN, from: SEED.emails.bot, timeoutMs: 10_000 });
    const pending = client.listPriorities();
    await new Promise((r) => setTimeout(r, 100));
    client.close();
    expect(await pending).toMatchObject({ ok: false, error: { kind: 'unavailable' } });
    const after = await client.checkToken();
    expect(after.ok || after.error).toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/closed/) });
    expect(pd.requests).toHaveLength(1);
  });

  const child = fileURLToPath(new URL('./helpers/client-child.ts', import.meta.url));
  function runChild(apiUrl: string, timeoutMs: number): Promise<{ code: number | null; wallMs: number; out: string; err: string }> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const p = spawn(process.execPath, ['--import', 'tsx', child, apiUrl, String(timeoutMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (c: Buffer) => (out += c.toString()));
      p.stderr.on('data', (c: Buffer) => (err += c.toString()));
      // pdjs's own timer would hold the child for 30 s; kill well before that.
      const killer = setTimeout(() => p.kill('SIGKILL'), 20_000);
      p.on('error', reject);
      p.on('exit', (code) => {
        clearTimeout(killer);
        resolve({ code, wallMs: performance.now() - started, out, err });
      });
    });
  }

  it('after a timeout, nothing keeps the process alive (it exits by itself)', async () => {
    const s = await rawServer(() => {});
    const r = await runChild(s.url, 300);
    expect(r.err).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.out) as { result: { ok: boolean; error?: { kind: string } }; elapsedMs: number };
    expect(parsed.result).toMatchObject({ ok: false, error: { kind: 'unavailable' } });
    expect(parsed.elapsedMs).toBeLessThan(1_500);
    // Start-up of node + tsx is a few seconds at most; pdjs's stray timer alone is 30 s.
    expect(r.wallMs).toBeLessThan(15_000);
  }, 30_000);

  it('after a network error (connection refused), the process exits at once too', async () => {
    const s = await rawServer(() => {});
    const url = s.url;
    await new Promise<void>((resolve) => s.server.close(() => resolve()));
    const r = await runChild(url, 5_000);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.out) as { result: { ok: boolean; error?: { kind: string; message: string } }; elapsedMs: number };
    expect(parsed.result).toMatchObject({ ok: false, error: { kind: 'unavailable', message: expect.stringMatching(/network error/) } });
    expect(r.wallMs).toBeLessThan(15_000);
  }, 30_000);
});

describe('odd answers', () => {
  it('a 502 with an HTML body (pdjs rejects with the Response) → unavailable 502', async () => {
    const s = await rawServer((res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>Bad gateway</html>');
    });
    const r = await new PagerDutyClient({ apiUrl: s.url, token: 't', from: 'f@example.com' }).getIncident('P1');
    expect(r.ok || r.error).toEqual({ kind: 'unavailable', status: 502, message: 'HTTP 502' });
  });

  it('a 200 that is not JSON → rejected (retrying would not help)', async () => {
    const s = await rawServer((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    const r = await new PagerDutyClient({ apiUrl: s.url, token: 't', from: 'f@example.com' }).getIncident('P1');
    expect(r.ok || r.error).toMatchObject({ kind: 'rejected', status: 200 });
  });

  it('a 200 with the wrong JSON shape → rejected, naming what is missing', async () => {
    const s = await rawServer((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ incident: { id: 'P1' } }));
    });
    const r = await new PagerDutyClient({ apiUrl: s.url, token: 't', from: 'f@example.com' }).getIncident('P1');
    expect(r.ok || r.error).toMatchObject({ kind: 'rejected', status: 200, message: expect.stringMatching(/incident_number/) });
  });

  it('an unreachable host → unavailable without status', async () => {
    const r = await new PagerDutyClient({ apiUrl: 'http://127.0.0.1:1', token: 't', from: 'f@example.com' }).listServices();
    expect(r.ok || r.error).toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/network error/) });
    expect(!r.ok && r.error.kind === 'unavailable' && r.error.status).toBe(undefined);
  });
});
