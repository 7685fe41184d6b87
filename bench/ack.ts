/**
 * Slash-command ack latency: signed `/incident note …` in an incident channel
 * POSTed to Kranz's /slack/events at fixed open-loop rates, against a no-op
 * Bolt app (stock `HTTPReceiver`, a listener that only acks).
 *
 * Kranz acks only after the raw request is committed to `inbound_archive`
 * (fsync on), so every ack includes one durable insert; the note itself is
 * applied after the ack, in the same process, and competes for the same two
 * cores. Each rate gets a fresh incident, so a growing timeline from an
 * earlier rate does not slow a later one. A closed-loop saturation run adds
 * the most each app can answer.
 *
 * Run: `npx tsx bench/ack.ts`. Results: `bench/results/ack.json`.
 */
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { latency, loadAverage, progress, round, table, uptimeLine, waitUntil, writeResult, yesNo, type BenchOutcome, type Latency } from './lib/format.ts';
import { meterCpu, perItem, type CpuUse } from './lib/cpu.ts';
import { sampleRss } from './lib/rss.ts';
import { runLoad, type LoadMode, type LoadResult } from './lib/loadgen.ts';
import { freePort, countOf, printStatements, resetStatements } from './lib/postgres.ts';
import { baseEnv, startChild, startKranzProcess, type ChildServer } from './lib/procs.ts';
import { BOT_TOKEN, SIGNING_SECRET, slashCommand } from './lib/requests.ts';
import { BENCH_USER, migratedDatabase, slackStandIn, withBench } from './lib/setup.ts';

const RATES = [50, 200, 500] as const;
const SECONDS_PER_RATE = 5;
/** How long Kranz may take to apply a phase's notes before the next phase starts anyway (the last phase may take longer). */
const APPLY_WAIT_MS = 45_000;
const LAST_APPLY_WAIT_MS = 60_000;
const SATURATION = { concurrency: 32, maxMs: 4_000, count: 40_000 };
const P99_TARGET_MS = 50;
const THROUGHPUT_RATIO_TARGET = 0.8;
/** Notes applied on one incident per second, from the first request until the last note is on the timeline. */
const APPLIED_RATE_TARGET = 2_000;
/** Applying keeps up at 500 req/s: every note on the timeline within this long after the last ack. */
const KEEPS_UP_S = 1;
const MAX_SOCKETS = 64;

export interface AckRow {
  app: 'kranz' | 'noop-bolt';
  load: string;
  offered: number | 'max';
  sent: number;
  ok: number;
  failed: number;
  latency: Latency;
  throughput: number;
  maxLagMs: number;
  resentAfterIdleReset: number;
  /** Kranz only: notes on the incident when everything was applied, and seconds after the load until then. */
  applied?: number;
  applySeconds?: number;
  /** Kranz only: notes applied per second, first request to last note applied. */
  appliedPerSec?: number;
  /** Peak RSS of the server during the phase, MB. */
  rssPeakMb?: number;
  /** CPU per request of the server and of PostgreSQL (Kranz: until its notes were applied), and the machine's idle share. */
  cpu?: CpuUse & { serverMsPer?: number; postgresMsPer?: number };
}

/** Counts the ephemeral answers Kranz posts to response_url after applying each note. */
function responseSink(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    resolve({ url: `http://127.0.0.1:${port}/respond`, count: () => n, close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }) });
  }));
}

function post(url: string, req: { body: string; headers: Record<string, string> }): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = http.request(url, { method: 'POST', agent: false, headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

function row(app: AckRow['app'], load: string, offered: AckRow['offered'], r: LoadResult): AckRow {
  const secs = Math.max(0.001, (r.lastAnswerAt - r.firstSendAt) / 1000);
  return {
    app, load, offered, sent: r.sent, ok: r.ok2xx, failed: r.sent - r.ok2xx, latency: latency(r.latenciesMs),
    throughput: round(r.ok2xx / secs, 0), maxLagMs: round(r.maxLagMs, 1), resentAfterIdleReset: r.resentAfterIdleReset,
  };
}

export async function runAckBench(): Promise<BenchOutcome> {
  const loadBefore = loadAverage();
  return withBench('ack', async (ctx) => {
    const { url: dbUrl, pool } = await migratedDatabase(ctx, 'kranz_ack');
    const slack = await slackStandIn(ctx);
    const sink = await responseSink();
    ctx.defer(() => sink.close());
    const kranzPort = await freePort();
    const kranz = await startKranzProcess('kranz', { databaseUrl: dbUrl, dataDir: join(ctx.dir, 'kranz-data'), port: kranzPort, slackApiUrl: slack.apiUrl, botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET }, ctx.dir);
    ctx.defer(() => kranz.stop());
    const noopPort = await freePort();
    const noop = await startChild({
      name: 'noop-bolt', script: 'bench/servers/noop-bolt.ts', port: noopPort, readyPath: '/healthz', logDir: ctx.dir,
      env: { ...baseEnv(), PORT: String(noopPort), SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: slack.apiUrl },
    });
    ctx.defer(() => noop.stop());

    let declared = 0;
    /** Declares a fresh incident through Kranz and waits until its channel is recorded. */
    const freshIncident = async (label: string): Promise<{ id: string; channelId: string }> => {
      const title = `Ack bench ${label} ${++declared}`;
      const status = await post(`${kranz.url}/slack/events`, slashCommand({ text: `declare SEV3 ${title}`, channelId: 'CGENERAL', userId: BENCH_USER.id, triggerId: `declare.${label}.${declared}`, responseUrl: sink.url }));
      if (status !== 200) throw new Error(`declare answered ${status}`);
      let found: { id: string; channel_id: string | null } | undefined;
      const ok = await waitUntil(async () => {
        found = (await pool.query<{ id: string; channel_id: string | null }>('select id, channel_id from incidents where title = $1', [title])).rows[0];
        return Boolean(found?.channel_id);
      }, 60_000, 100);
      if (!ok || !found?.channel_id) throw new Error(`incident "${title}" got no channel within 60 s\n${kranz.tail()}`);
      return { id: found.id, channelId: found.channel_id };
    };

    const load = async (server: ChildServer, run: string, channelId: string, mode: LoadMode): Promise<LoadResult> => runLoad({
      targets: [`${server.url}/slack/events`], maxSockets: MAX_SOCKETS, timeoutMs: 10_000, mode,
      scenario: { kind: 'slack-note', run, channelId, userId: BENCH_USER.id, responseUrl: sink.url },
    });
    /**
     * Waits (bounded) until every acknowledged note is on the incident, spooled
     * ones included; returns the count and the seconds after the load it took.
     */
    const applied = async (incidentId: string, acked: number, waitMs = APPLY_WAIT_MS): Promise<{ applied: number; applySeconds: number }> => {
      const t0 = Date.now();
      let notes = 0;
      await waitUntil(async () => {
        notes = await countOf(pool, `select count(*) as n from incident_events where incident_id = $1 and type = 'note_added'`, [incidentId]);
        return notes >= acked;
      }, waitMs, 100);
      return { applied: notes, applySeconds: round((Date.now() - t0) / 1000, 1) };
    };

    const rows: AckRow[] = [];
    // Warm-up (JIT, sockets, pools), not measured.
    const warm = await freshIncident('warmup');
    const warmed = await load(kranz, 'warmk', warm.channelId, { kind: 'open', rate: 50, durationMs: 2_000 });
    await load(noop, 'warmn', 'CWARM', { kind: 'open', rate: 50, durationMs: 2_000 });
    await applied(warm.id, warmed.ok2xx);

    // 500 req/s last: if Kranz falls behind there, its backlog disturbs no later phase.
    const open = (rate: number) => ({ label: `${rate} req/s`, offered: rate, mode: { kind: 'open' as const, rate, durationMs: SECONDS_PER_RATE * 1000 } });
    const phases: { label: string; offered: AckRow['offered']; mode: LoadMode }[] = [
      open(50), open(200),
      { label: `saturation (${SATURATION.concurrency} in flight)`, offered: 'max', mode: { kind: 'closed', ...SATURATION } },
      open(500),
    ];
    for (const [i, p] of phases.entries()) {
      // The no-op app first: Kranz's work after its acks must not overlap the baseline's run.
      const inc = await freshIncident(`r${i}`);
      const noopRss = sampleRss(noop.pid);
      const noopCpu = meterCpu({ serverPid: noop.pid, postgresDataDir: ctx.pg.dataDir });
      const n = row('noop-bolt', p.label, p.offered, await load(noop, `n${i}`, 'CNOOP', p.mode));
      const noopUse = noopCpu.stop();
      n.cpu = { ...noopUse, ...perItem(noopUse, n.ok) };
      n.rssPeakMb = noopRss.stop().peakMb;
      const kranzRss = sampleRss(kranz.pid);
      const kranzCpu = meterCpu({ serverPid: kranz.pid, postgresDataDir: ctx.pg.dataDir });
      const statements = process.env['KRANZ_BENCH_STATEMENTS'] !== undefined && p.offered === 'max';
      if (statements) await resetStatements(pool);
      const kLoad = await load(kranz, `k${i}`, inc.channelId, p.mode);
      const k = row('kranz', p.label, p.offered, kLoad);
      const a = await applied(inc.id, k.ok, i === phases.length - 1 ? LAST_APPLY_WAIT_MS : APPLY_WAIT_MS);
      const kranzUse = kranzCpu.stop();
      if (statements) await printStatements(pool, `kranz, ${p.label}`);
      k.cpu = { ...kranzUse, ...perItem(kranzUse, k.ok) };
      Object.assign(k, a, { appliedPerSec: round(a.applied / Math.max(0.001, (kLoad.lastAnswerAt - kLoad.firstSendAt) / 1000 + a.applySeconds), 0) });
      k.rssPeakMb = kranzRss.stop().peakMb;
      rows.push(k, n);
      progress(`ack ${p.label}: kranz p99 ${k.latency.p99} ms, ${k.throughput}/s, ${k.applied} applied ${k.applySeconds} s after; no-op p99 ${n.latency.p99} ms, ${n.throughput}/s`);
    }
    const responses = sink.count();

    const at = (app: AckRow['app'], offered: AckRow['offered']): AckRow | undefined => rows.find((r) => r.app === app && r.offered === offered);
    const ratio = (offered: AckRow['offered']): number => round((at('kranz', offered)?.throughput ?? 0) / Math.max(1, at('noop-bolt', offered)?.throughput ?? 1), 2);
    const p99At200 = at('kranz', 200)?.latency.p99 ?? Number.POSITIVE_INFINITY;
    const allOk = rows.every((r) => r.failed === 0);
    const targets = {
      [`p99 ≤ ${P99_TARGET_MS} ms at 200 req/s`]: p99At200 <= P99_TARGET_MS && allOk,
      [`throughput ≥ ${THROUGHPUT_RATIO_TARGET}× no-op at 50/200/500 req/s`]: RATES.every((r) => ratio(r) >= THROUGHPUT_RATIO_TARGET),
      [`throughput ≥ ${THROUGHPUT_RATIO_TARGET}× no-op at saturation`]: ratio('max') >= THROUGHPUT_RATIO_TARGET,
      [`notes applied on one incident ≥ ${APPLIED_RATE_TARGET}/s (best phase: ${Math.max(...rows.map((r) => r.appliedPerSec ?? 0))}/s)`]: rows.some((r) => (r.appliedPerSec ?? 0) >= APPLIED_RATE_TARGET),
      [`applying keeps up with 500 req/s (all applied ≤ ${KEEPS_UP_S} s after the last ack: ${at('kranz', 500)?.applySeconds ?? '?'} s)`]: (at('kranz', 500)?.applySeconds ?? Infinity) <= KEEPS_UP_S && at('kranz', 500)?.applied === at('kranz', 500)?.ok,
    };
    const loadAfter = loadAverage();
    const text = [
      `/incident note → ack: Kranz (durable insert before the ack, note applied after) vs a no-op Bolt app; open loop, ${SECONDS_PER_RATE} s per rate, latency from each request's scheduled time`,
      '',
      table([
        ['load', 'app', 'sent', '2xx', 'failed', 'p50 ms', 'p99 ms', 'max ms', 'answered/s', 'kranz ÷ no-op', 'notes applied', 'apply lag s', 'applied /s', 'peak RSS MB', 'CPU ms/request: server + PostgreSQL', 'machine idle %'],
        ...rows.map((r) => [r.load, r.app, r.sent, r.ok, r.failed, r.latency.p50, r.latency.p99, r.latency.max, r.throughput,
          r.app === 'kranz' ? ratio(r.offered) : '', r.applied ?? '', r.applySeconds ?? '', r.appliedPerSec ?? '', r.rssPeakMb ?? '?',
          `${r.cpu?.serverMsPer ?? '?'} + ${r.cpu?.postgresMsPer ?? '?'}`, r.cpu?.machineIdlePct ?? '?']),
      ]),
      '',
      `answers Kranz posted to response_url (the rest rode on their acks): ${responses}; largest send lag of the generator: ${Math.max(...rows.map((r) => r.maxLagMs))} ms; requests resent after an idle keep-alive reset: ${rows.reduce((n, r) => n + r.resentAfterIdleReset, 0)}`,
      `load average (1 min) before / after: ${loadBefore} / ${loadAfter} on ${ctx.cores} cores; uptime at the end: ${uptimeLine()}`,
      ...Object.entries(targets).map(([t, m]) => `${t}: ${yesNo(m)}`),
    ].join('\n');
    writeResult('ack', { rates: RATES, secondsPerRate: SECONDS_PER_RATE, saturation: SATURATION, rows, responses, targets, loadAverage: { before: loadBefore, after: loadAfter } });
    return { name: 'ack', text, targets };
  });
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  runAckBench().then((o) => {
    console.log(o.text);
    process.exit(0);
  }, (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
