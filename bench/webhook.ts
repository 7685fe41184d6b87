/**
 * PagerDuty webhook intake: sustained throughput and latency of signed V3
 * deliveries (distinct PagerDuty incidents, distinct event ids) into Kranz's
 * /pagerduty/webhook, against a bare `node:http` server doing one `pg` insert
 * per request into a table shaped like `inbound_archive`, same database.
 *
 * Intake (the 202s) is measured apart from applying. The service is known but
 * not auto-open, so applying is Kranz's bookkeeping path (claim in order-key
 * order, decode, look the incident up, mark the row): auto-open incidents and
 * their Slack work are what bench/storm.ts and bench/alert-to-channel.ts
 * measure. Kranz applies while it takes deliveries in, as it does in
 * production, so the intake figure includes that competition.
 *
 * Run: `npx tsx bench/webhook.ts`. Results: `bench/results/webhook.json`.
 * Soak (memory over time, not in `npm run bench`): `npx tsx bench/webhook.ts --soak [minutes]`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { latency, loadAverage, progress, round, table, uptimeLine, waitUntil, writeResult, yesNo, type BenchOutcome, type Latency } from './lib/format.ts';
import { meterCpu, perItem, type CpuUse } from './lib/cpu.ts';
import { rssMb, sampleRss, type RssSampler } from './lib/rss.ts';
import { runLoad, type LoadResult } from './lib/loadgen.ts';
import { pagerDutyEnv, pagerDutyStandIn } from './lib/pagerduty.ts';
import { countOf, freePort } from './lib/postgres.ts';
import { baseEnv, startChild, startKranzProcess } from './lib/procs.ts';
import { BOT_TOKEN, SIGNING_SECRET } from './lib/requests.ts';
import { migratedDatabase, slackStandIn, withBench, writePolicy } from './lib/setup.ts';

const LOAD = { concurrency: 32, count: 30_000, maxMs: 8_000 };
const INCIDENTS = 5_000;
const RATIO_TARGET = 1.0;
/** Every acknowledged delivery applied within this long after the last 202. */
const APPLIED_WITHIN_S = 5;
const APPLY_WAIT_MS = 120_000;
/** Soak mode (`--soak [minutes]`, not in `npm run bench`): a steady open-loop rate, RSS sampled throughout. */
const SOAK = { rate: 300, minutes: 10, sampleEveryMs: 10_000 };

export interface WebhookSide {
  sent: number;
  accepted: number;
  failed: number;
  rowsStored: number;
  lost: number;
  intakePerSec: number;
  latency: Latency;
  /** Kranz only: seconds after the last 202 until nothing was left unapplied, and applied rows per second overall. */
  applyDoneSeconds?: number;
  applyPerSec?: number;
  unapplied?: number;
  /** Kranz only: rows still `received` 5 s after the last 202 (the issue's target is none). */
  receivedAfter5s?: number;
  /** Resident set size of the server process during its load, MB. */
  rssPeakMb?: number;
  /** CPU of the server and of PostgreSQL over the load (Kranz: until every row was applied), and the machine's idle share. */
  cpu?: CpuUse & { serverMsPer?: number; postgresMsPer?: number };
}

function peak(s: RssSampler): { rssPeakMb?: number } {
  const r = s.stop();
  return r.peakMb !== undefined ? { rssPeakMb: r.peakMb } : {};
}

function intake(r: LoadResult, rowsStored: number): WebhookSide {
  const secs = Math.max(0.001, (r.lastAnswerAt - r.firstSendAt) / 1000);
  return {
    sent: r.sent, accepted: r.ok2xx, failed: r.sent - r.ok2xx, rowsStored, lost: Math.max(0, r.ok2xx - rowsStored),
    intakePerSec: round(r.ok2xx / secs, 0), latency: latency(r.latenciesMs),
  };
}

export async function runWebhookBench(): Promise<BenchOutcome> {
  const loadBefore = loadAverage();
  return withBench('webhook', async (ctx) => {
    const { url: dbUrl, pool } = await migratedDatabase(ctx, 'kranz_webhook');
    const slack = await slackStandIn(ctx);
    const pd = await pagerDutyStandIn(ctx);
    const policy = await writePolicy(ctx, { autoOpen: false });
    const scenario = (run: string) => ({ kind: 'pd' as const, run, incidents: INCIDENTS, first: 'incident.triggered', later: ['incident.acknowledged', 'incident.annotated'] });

    // Baseline first, on its own: then Kranz, whose applying may run on after its intake.
    const barePort = await freePort();
    const bare = await startChild({
      name: 'bare-intake', script: 'bench/servers/bare-intake.ts', port: barePort, readyPath: '/', logDir: ctx.dir,
      env: { ...baseEnv(), PORT: String(barePort), DATABASE_URL: dbUrl },
    });
    ctx.defer(() => bare.stop());
    await runLoad({ targets: [`${bare.url}/`], scenario: scenario('warmb'), mode: { kind: 'closed', concurrency: 8, count: 500, maxMs: 3_000 }, maxSockets: 64, timeoutMs: 10_000 });
    const b0 = await countOf(pool, 'select count(*) as n from bench_inbound');
    const bareRss = sampleRss(bare.pid);
    const bareCpu = meterCpu({ serverPid: bare.pid, postgresDataDir: ctx.pg.dataDir });
    const bareLoad = await runLoad({ targets: [`${bare.url}/`], scenario: scenario('bare'), mode: { kind: 'closed', ...LOAD }, maxSockets: 64, timeoutMs: 10_000 });
    const bareUse = bareCpu.stop();
    const baseline: WebhookSide = { ...intake(bareLoad, (await countOf(pool, 'select count(*) as n from bench_inbound')) - b0), ...peak(bareRss) };
    baseline.cpu = { ...bareUse, ...perItem(bareUse, baseline.accepted) };
    await bare.stop();
    progress(`webhook baseline: ${baseline.intakePerSec}/s, p99 ${baseline.latency.p99} ms`);

    const port = await freePort();
    const kranz = await startKranzProcess('kranz', {
      databaseUrl: dbUrl, dataDir: join(ctx.dir, 'kranz-data'), port, slackApiUrl: slack.apiUrl, botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET,
      pagerduty: pagerDutyEnv(pd), configPath: policy,
    }, ctx.dir);
    ctx.defer(() => kranz.stop());
    const target = [`${kranz.url}/pagerduty/webhook`];
    await runLoad({ targets: target, scenario: scenario('warmk'), mode: { kind: 'closed', concurrency: 8, count: 500, maxMs: 3_000 }, maxSockets: 64, timeoutMs: 10_000 });
    await waitUntil(async () => (await countOf(pool, `select count(*) as n from inbound_archive where status = 'received'`)) === 0, 30_000, 100);
    const k0 = await countOf(pool, 'select count(*) as n from inbound_archive');
    const kranzRss = sampleRss(kranz.pid);
    // Counted until every row is applied: applying is part of what a delivery costs.
    const kranzCpu = meterCpu({ serverPid: kranz.pid, postgresDataDir: ctx.pg.dataDir });
    const kLoad = await runLoad({ targets: target, scenario: scenario('kranz'), mode: { kind: 'closed', ...LOAD }, maxSockets: 64, timeoutMs: 10_000 });
    // Spooled deliveries (database slower than 1.5 s) reach the archive later: wait for every 202 to be a row, then for every row to be applied.
    let rows = 0;
    let unapplied = 0;
    // Sampled by the same poll: the first look at or after 5 s past the last 202 (0 if everything was applied before then).
    let receivedAfter5s: number | undefined;
    await waitUntil(async () => {
      rows = (await countOf(pool, 'select count(*) as n from inbound_archive')) - k0;
      unapplied = await countOf(pool, `select count(*) as n from inbound_archive where status = 'received'`);
      if (receivedAfter5s === undefined && Date.now() - kLoad.lastAnswerAt >= 5_000) receivedAfter5s = unapplied;
      return rows >= kLoad.ok2xx && unapplied === 0;
    }, APPLY_WAIT_MS, 100);
    const doneAt = Date.now();
    const kranzUse = kranzCpu.stop();
    const kranzSide: WebhookSide = {
      ...intake(kLoad, rows),
      ...peak(kranzRss),
      applyDoneSeconds: round((doneAt - kLoad.lastAnswerAt) / 1000, 1),
      applyPerSec: round(rows / Math.max(0.001, (doneAt - kLoad.firstSendAt) / 1000), 0),
      unapplied,
      receivedAfter5s: receivedAfter5s ?? 0,
    };
    kranzSide.cpu = { ...kranzUse, ...perItem(kranzUse, kranzSide.accepted) };
    const statuses = await pool.query<{ status: string; n: string }>(`select status, count(*)::text as n from inbound_archive group by status order by status`);
    progress(`webhook kranz: ${kranzSide.intakePerSec}/s, p99 ${kranzSide.latency.p99} ms, applied ${kranzSide.applyDoneSeconds} s after the last 202`);

    const ratio = round(kranzSide.intakePerSec / Math.max(1, baseline.intakePerSec), 2);
    const targets = {
      [`intake ≥ ${RATIO_TARGET}× bare insert server (${kranzSide.intakePerSec}/s vs ${baseline.intakePerSec}/s: ${ratio}×)`]: ratio >= RATIO_TARGET,
      [`every acknowledged delivery applied within ${APPLIED_WITHIN_S} s of the last 202 (${kranzSide.applyDoneSeconds} s)`]: unapplied === 0 && (kranzSide.applyDoneSeconds ?? Infinity) <= APPLIED_WITHIN_S,
      'nothing lost (every 202 is a row, every row applied)': kranzSide.lost === 0 && unapplied === 0 && kranzSide.failed === 0,
    };
    const loadAfter = loadAverage();
    const text = [
      `PagerDuty V3 webhooks, ${LOAD.concurrency} in flight for ${LOAD.maxMs / 1000} s (keep-alive), ${INCIDENTS} distinct incidents, every event id distinct`,
      '',
      table([
        ['server', 'sent', '202', 'failed', 'rows stored', 'lost', 'intake /s', 'p50 ms', 'p99 ms', 'max ms', 'applied +s after last 202', 'applied /s overall', 'peak RSS MB'],
        ['kranz', kranzSide.sent, kranzSide.accepted, kranzSide.failed, kranzSide.rowsStored, kranzSide.lost, kranzSide.intakePerSec, kranzSide.latency.p50, kranzSide.latency.p99, kranzSide.latency.max, kranzSide.applyDoneSeconds ?? '', kranzSide.applyPerSec ?? '', kranzSide.rssPeakMb ?? '?'],
        ['bare http + 1 insert', baseline.sent, baseline.accepted, baseline.failed, baseline.rowsStored, baseline.lost, baseline.intakePerSec, baseline.latency.p50, baseline.latency.p99, baseline.latency.max, 'n/a', 'n/a', baseline.rssPeakMb ?? '?'],
      ]),
      '',
      `requests resent after an idle keep-alive reset: kranz ${kLoad.resentAfterIdleReset}, bare ${bareLoad.resentAfterIdleReset}`,
      `kranz ÷ bare: ${ratio}; inbound_archive by status (warm-up included): ${statuses.rows.map((r) => `${r.status} ${r.n}`).join(', ')}; rows still unapplied: ${unapplied}`,
      `rows still received 5 s after the last 202: ${kranzSide.receivedAfter5s}`,
      `CPU per delivery, server + PostgreSQL: kranz ${cpuText(kranzSide.cpu)} (stored and applied), bare ${cpuText(baseline.cpu)} (stored)`,
      `load average (1 min) before / after: ${loadBefore} / ${loadAfter} on ${ctx.cores} cores; uptime at the end: ${uptimeLine()}`,
      ...Object.entries(targets).map(([t, m]) => `${t}: ${yesNo(m)}`),
    ].join('\n');
    writeResult('webhook', { load: LOAD, incidents: INCIDENTS, kranz: kranzSide, baseline, ratio, targets, loadAverage: { before: loadBefore, after: loadAfter } });
    return { name: 'webhook', text, targets };
  });
}

/** "0.21 + 0.18 ms; machine 12.5 % idle" (question marks where /proc could not be read). */
function cpuText(c: WebhookSide['cpu']): string {
  return `${c?.serverMsPer ?? '?'} + ${c?.postgresMsPer ?? '?'} ms; machine ${c?.machineIdlePct ?? '?'} % idle`;
}

/**
 * Soak: one Kranz process takes signed deliveries at a steady open-loop rate
 * (300/s) for `minutes` (10), in one-minute stretches; after each, its RSS,
 * the stretch's rate and p99, and the rows not yet applied. Memory is flat
 * when the last minutes stay within a few MB of the second (the first is
 * warm-up: JIT, pools, caches). Not part of `npm run bench`.
 */
export async function runWebhookSoak(minutes = SOAK.minutes): Promise<BenchOutcome> {
  const loadBefore = loadAverage();
  return withBench('webhook-soak', async (ctx) => {
    const { url: dbUrl, pool } = await migratedDatabase(ctx, 'kranz_soak');
    const slack = await slackStandIn(ctx);
    const pd = await pagerDutyStandIn(ctx);
    const policy = await writePolicy(ctx, { autoOpen: false });
    const port = await freePort();
    const kranz = await startKranzProcess('kranz', {
      databaseUrl: dbUrl, dataDir: join(ctx.dir, 'kranz-data'), port, slackApiUrl: slack.apiUrl, botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET,
      pagerduty: pagerDutyEnv(pd), configPath: policy,
    }, ctx.dir);
    ctx.defer(() => kranz.stop());
    const rows: (string | number)[][] = [['minute', 'sent', '202', 'rate /s', 'p99 ms', 'RSS MB at the end', 'rows not yet applied']];
    const rss: number[] = [];
    let failed = 0;
    /** What the deliveries that were not acknowledged got instead: an HTTP status, or a client error code. */
    const notAcked: Record<string, number> = {};
    let resent = 0;
    for (let m = 1; m <= minutes; m++) {
      const r = await runLoad({
        targets: [`${kranz.url}/pagerduty/webhook`], maxSockets: 64, timeoutMs: 10_000,
        // Distinct runs per minute: every event id is new, and so are the incidents.
        scenario: { kind: 'pd', run: `s${m}`, incidents: 2_000, first: 'incident.triggered', later: ['incident.acknowledged', 'incident.annotated'] },
        mode: { kind: 'open', rate: SOAK.rate, durationMs: 60_000 },
      });
      const mb = rssMb(kranz.pid) ?? Number.NaN;
      rss.push(mb);
      failed += r.sent - r.ok2xx;
      resent += r.resentAfterIdleReset;
      for (const [status, n] of Object.entries(r.statuses)) if (!status.startsWith('2')) notAcked[`HTTP ${status}`] = (notAcked[`HTTP ${status}`] ?? 0) + n;
      for (const [code, n] of Object.entries(r.errors)) notAcked[code] = (notAcked[code] ?? 0) + n;
      const backlog = await countOf(pool, `select count(*) as n from inbound_archive where status = 'received'`);
      rows.push([m, r.sent, r.ok2xx, round(r.ok2xx / Math.max(0.001, (r.lastAnswerAt - r.firstSendAt) / 1000), 0), latency(r.latenciesMs).p99, mb, backlog]);
      progress(`soak minute ${m}: RSS ${mb} MB, backlog ${backlog}`);
    }
    const second = rss[1] ?? rss[0] ?? Number.NaN;
    const last = rss.at(-1) ?? Number.NaN;
    const growth = round(last - second, 0);
    const targets = {
      [`RSS flat over ${minutes} min at ${SOAK.rate}/s (last minute − second minute = ${growth} MB, within 32 MB)`]: Math.abs(growth) <= 32,
      'every delivery acknowledged': failed === 0,
    };
    const text = [
      `Soak: PagerDuty V3 webhooks at ${SOAK.rate}/s (open loop) into one Kranz process for ${minutes} min`,
      '',
      table(rows),
      '',
      `not acknowledged: ${failed === 0 ? 'none' : Object.entries(notAcked).map(([k, n]) => `${n} × ${k}`).join(', ') || `${failed} (no status or error recorded)`}; requests resent after an idle keep-alive reset: ${resent}`,
      `load average (1 min) before / after: ${loadBefore} / ${loadAverage()} on ${ctx.cores} cores; uptime at the end: ${uptimeLine()}`,
      ...Object.entries(targets).map(([t, m]) => `${t}: ${yesNo(m)}`),
    ].join('\n');
    writeResult('webhook-soak', { rate: SOAK.rate, minutes, rows, targets });
    return { name: 'webhook-soak', text, targets };
  });
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
const soakAt = process.argv.indexOf('--soak');
if (invokedDirectly && soakAt >= 0) {
  runWebhookSoak(Number(process.argv[soakAt + 1] ?? '') || SOAK.minutes).then((o) => {
    console.log(o.text);
    process.exit(0);
  }, (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else if (invokedDirectly) {
  runWebhookBench().then((o) => {
    console.log(o.text);
    process.exit(0);
  }, (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
