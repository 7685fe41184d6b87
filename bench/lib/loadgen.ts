/**
 * The load generator, in its own process so its event loop never shares a
 * core's time slice with the stand-ins the bench process hosts, and so its
 * lag is visible. Requests are built and signed before the clock starts.
 *
 * Open loop: request k is due at start + k/rate whatever happened before, and
 * its latency counts from that due time, so a server that stalls is charged
 * for the queue it causes (no coordinated omission). Closed loop: a fixed
 * number of workers send back to back, for saturation throughput.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { eventId, pdIncident, pdWebhook, slashCommand, type BenchRequest } from './requests.ts';

/** How request i is built. */
export type Scenario =
  | { kind: 'slack-note'; run: string; channelId: string; userId: string; responseUrl: string; /** Spread over these channels instead (request i → i % length). */ channelIds?: readonly string[] }
  | {
    kind: 'pd';
    run: string;
    /** Request i is about incident i % incidents (ids `Q<run><n>`). */
    incidents: number;
    /** Event type of an incident's first delivery, then `later` in turn. */
    first: string;
    later: readonly string[];
  };

export type LoadMode = { kind: 'open'; rate: number; durationMs: number } | { kind: 'closed'; concurrency: number; count: number; maxMs: number };

export interface LoadSpec {
  /** Full URLs; request i goes to targets[i % length]. */
  targets: readonly string[];
  scenario: Scenario;
  mode: LoadMode;
  /** Keep-alive sockets per target. */
  maxSockets: number;
  /** Per request. */
  timeoutMs: number;
}

export interface LoadResult {
  /** Requests sent / answered (any status) / answered 2xx. */
  sent: number;
  answered: number;
  ok2xx: number;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  /** Per answered request, ms (open loop: from its due time). */
  latenciesMs: number[];
  /** Wall clock (epoch ms) of the first send and of the last answer. */
  firstSendAt: number;
  lastAnswerAt: number;
  /** Largest delay between a request's due time and its send (open loop). */
  maxLagMs: number;
  /**
   * Requests sent again because a reused keep-alive socket was reset: the
   * server closed it idle just as it was picked (Node's documented race).
   * Counted, not hidden; a reset on a fresh socket is an error.
   */
  resentAfterIdleReset: number;
}

function build(s: Scenario, i: number): BenchRequest {
  if (s.kind === 'slack-note') {
    const channelId = s.channelIds?.length ? (s.channelIds[i % s.channelIds.length] as string) : s.channelId;
    return slashCommand({ text: `note bench ${s.run} #${i}: rolled back the deploy on the canary`, channelId, userId: s.userId, triggerId: `${s.run}.${i}.bench`, responseUrl: s.responseUrl });
  }
  const n = i % s.incidents;
  const seq = Math.floor(i / s.incidents);
  const type = seq === 0 ? s.first : (s.later[(seq - 1) % s.later.length] ?? s.first);
  const incident = pdIncident(`Q${s.run}${String(n).padStart(5, '0')}`.toUpperCase(), n + 1, `Bench ${s.run} alert ${n}`);
  return pdWebhook({ eventType: type, incident, eventId: eventId(s.run, i), agent: `Bench agent ${i}`, note: `bench note ${i}` });
}

/** Runs the load in this process (the child side). */
export async function generate(spec: LoadSpec): Promise<LoadResult> {
  const total = spec.mode.kind === 'open' ? Math.round((spec.mode.rate * spec.mode.durationMs) / 1000) : spec.mode.count;
  const reqs = Array.from({ length: total }, (_, i) => build(spec.scenario, i));
  const targets = spec.targets.map((t) => new URL(t));
  const agents = targets.map(() => new http.Agent({ keepAlive: true, maxSockets: spec.maxSockets }));
  const r: LoadResult = { sent: 0, answered: 0, ok2xx: 0, statuses: {}, errors: {}, latenciesMs: [], firstSendAt: 0, lastAnswerAt: 0, maxLagMs: 0, resentAfterIdleReset: 0 };

  const send = (i: number, t0: number, resend = false): Promise<void> => new Promise((resolve) => {
    const req = reqs[i] as BenchRequest;
    const k = i % targets.length;
    const u = targets[k] as URL;
    if (!resend && r.sent++ === 0) r.firstSendAt = Date.now();
    const out = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent: agents[k], timeout: spec.timeoutMs, headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) } }, (res) => {
      res.resume();
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        r.answered++;
        if (code >= 200 && code < 300) r.ok2xx++;
        r.statuses[code] = (r.statuses[code] ?? 0) + 1;
        r.latenciesMs.push(performance.now() - t0);
        r.lastAnswerAt = Date.now();
        resolve();
      });
    });
    out.on('timeout', () => out.destroy(new Error('timeout')));
    out.on('error', (e) => {
      const code = (e as NodeJS.ErrnoException).code ?? e.message;
      if (code === 'ECONNRESET' && out.reusedSocket && !resend) {
        r.resentAfterIdleReset++;
        void send(i, t0, true).then(resolve);
        return;
      }
      r.errors[code] = (r.errors[code] ?? 0) + 1;
      resolve();
    });
    out.end(req.body);
  });

  const inflight: Promise<void>[] = [];
  if (spec.mode.kind === 'open') {
    const interval = 1000 / spec.mode.rate;
    const start = performance.now() + 20;
    let k = 0;
    while (k < total) {
      const now = performance.now();
      while (k < total && start + k * interval <= now) {
        const due = start + k * interval;
        r.maxLagMs = Math.max(r.maxLagMs, now - due);
        inflight.push(send(k, due));
        k++;
      }
      const next = start + k * interval - performance.now();
      await new Promise((res) => setTimeout(res, Math.max(0, Math.min(next, 5))));
    }
  } else {
    const { concurrency, maxMs } = spec.mode;
    const stopAt = performance.now() + maxMs;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < total && performance.now() < stopAt) {
        const i = next++;
        await send(i, performance.now());
      }
    };
    inflight.push(...Array.from({ length: concurrency }, worker));
  }
  await Promise.all(inflight);
  for (const a of agents) a.destroy();
  return r;
}

/** Runs `spec` in a child process and returns its result. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child'], { execArgv: process.execArgv, serialization: 'advanced' });
    let result: LoadResult | undefined;
    child.on('message', (m) => {
      result = m as LoadResult;
    });
    child.on('error', reject);
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`load generator exited with ${code}`))));
    child.send(spec);
  });
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly && process.argv[2] === '--child') {
  process.once('message', (spec) => {
    generate(spec as LoadSpec).then(
      (res) => process.send?.(res, () => process.exit(0)),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  });
}
