/**
 * Alert storm: 10,000 signed deliveries about 50 PagerDuty incidents on an
 * auto-open service, round-robin into 3 Kranz processes (`src/cli.ts start`)
 * sharing one PostgreSQL, each with its own data dir. Each incident gets a
 * trigger first, then annotations (timeline notes) and acknowledgements
 * (a post in the incident channel). Measured: time until everything is
 * applied and the outbox is empty. Checked: exactly 50 incidents and 50
 * channels, no Slack message posted twice, and every delivered event id
 * recorded on an incident (0 lost).
 *
 * Baseline: the same deliveries into 1 process, on a fresh database and fresh
 * stand-ins, in the same run.
 *
 * Run: `npx tsx bench/storm.ts`. Results: `bench/results/storm.json`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { latency, loadAverage, progress, round, table, uptimeLine, waitUntil, writeResult, yesNo, type BenchOutcome, type Latency } from './lib/format.ts';
import { meterCpu, perItem } from './lib/cpu.ts';
import { sampleRss } from './lib/rss.ts';
import { runLoad } from './lib/loadgen.ts';
import { pagerDutyEnv, pagerDutyStandIn } from './lib/pagerduty.ts';
import { countOf, freePort, printStatements } from './lib/postgres.ts';
import { startKranzProcess, type ChildServer } from './lib/procs.ts';
import { BOT_TOKEN, SIGNING_SECRET } from './lib/requests.ts';
import { migratedDatabase, slackStandIn, withBench, writePolicy, type BenchContext } from './lib/setup.ts';

const DELIVERIES = 10_000;
const INCIDENTS = 50;
/** After the trigger: three notes to one channel post, like a noisy incident. */
const LATER = ['incident.annotated', 'incident.annotated', 'incident.annotated', 'incident.acknowledged'];
const SEND = { concurrency: 32, maxMs: 180_000 };
const DRAIN_WAIT_MS = 240_000;
const DRAIN_TARGET_S = 8;

export interface StormRun {
  processes: number;
  sent: number;
  accepted: number;
  /** Answers other than 2xx, and transport errors, by status or error code. */
  refused: Record<string, number>;
  resentAfterIdleReset: number;
  ingestPerSec: number;
  ingestLatency: Latency;
  /** Seconds from the first delivery until all applied and the outbox empty (or the wait ran out). */
  drainSeconds: number;
  drained: boolean;
  incidents: number;
  channels: number;
  channelCreates: number;
  appliedEventIds: number;
  lost: number;
  posts: number;
  duplicatePosts: number;
  /** Outbox keys of the messages posted more than once, with the op and the outbox row's attempts. */
  duplicated: { key: string; times: number; op: string; attempts: number }[];
  deadOutboxRows: number;
  /** Peak resident set size of each Kranz process during the run, MB. */
  rssPeakMb: (number | undefined)[];
  /** CPU ms per delivery until drained: every Kranz process together, and PostgreSQL; the machine's idle share. */
  cpu: { kranzMsPer?: number; postgresMsPer?: number; machineIdlePct?: number };
  /** Transactions PostgreSQL committed in this database until drained, per delivery (every statement outside one counts). */
  commitsPer: number;
}

/** Transactions committed in the pool's database so far (the statistics lag a moment: read after a pause). */
async function commitsOf(pool: import('pg').Pool): Promise<number> {
  await new Promise((r) => setTimeout(r, 600));
  return countOf(pool, `select xact_commit as n from pg_stat_database where datname = current_database()`);
}

async function stormRun(ctx: BenchContext, processes: number, label: string): Promise<StormRun> {
  const { url: dbUrl, pool } = await migratedDatabase(ctx, `kranz_storm_${label}`);
  const slack = await slackStandIn(ctx);
  const pd = await pagerDutyStandIn(ctx);
  const policy = await writePolicy(ctx, { autoOpen: true });
  const servers: ChildServer[] = [];
  const start = async (i: number): Promise<ChildServer> => {
    const s = await startKranzProcess(`kranz-${label}-${i}`, {
      databaseUrl: dbUrl, dataDir: join(ctx.dir, `data-${label}-${i}`), port: await freePort(), slackApiUrl: slack.apiUrl,
      botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, pagerduty: pagerDutyEnv(pd), configPath: policy,
    }, ctx.dir);
    ctx.defer(() => s.stop());
    servers.push(s);
    return s;
  };
  // The first one records the installation; replicas then adopt it.
  await start(0);
  await Promise.all(Array.from({ length: processes - 1 }, (_, i) => start(i + 1)));

  const rss = servers.map((s) => sampleRss(s.pid));
  const cpu = servers.map((s, i) => meterCpu({ serverPid: s.pid, ...(i === 0 ? { postgresDataDir: ctx.pg.dataDir } : {}) }));
  const commitsBefore = await commitsOf(pool);
  const load = await runLoad({
    targets: servers.map((s) => `${s.url}/pagerduty/webhook`), maxSockets: 32, timeoutMs: 15_000,
    scenario: { kind: 'pd', run: `st${label}`, incidents: INCIDENTS, first: 'incident.triggered', later: LATER },
    mode: { kind: 'closed', concurrency: SEND.concurrency, count: DELIVERIES, maxMs: SEND.maxMs },
  });
  const drained = await waitUntil(async () => {
    const r = await pool.query<{ rows: string; received: string; pending: string }>(
      `select (select count(*) from inbound_archive)::text as rows, (select count(*) from inbound_archive where status = 'received')::text as received,
              (select count(*) from outbox where status = 'pending')::text as pending`);
    const x = r.rows[0];
    return Number(x?.rows) >= load.ok2xx && x?.received === '0' && x.pending === '0';
  }, DRAIN_WAIT_MS, 100);
  const drainSeconds = round((Date.now() - load.firstSendAt) / 1000, 1);
  const rssPeakMb = rss.map((r) => r.stop().peakMb);
  const used = cpu.map((c) => c.stop());
  const commits = await commitsOf(pool) - commitsBefore;
  if (process.env['KRANZ_BENCH_STATEMENTS']) await printStatements(pool, label);
  // Every process's CPU together, as one server's.
  const kranzMs = used.every((u) => u.serverMs !== undefined) ? used.reduce((n, u) => n + u.serverMs!, 0) : undefined;
  const per = perItem({ ...(kranzMs !== undefined ? { serverMs: kranzMs } : {}), ...(used[0]?.postgresMs !== undefined ? { postgresMs: used[0].postgresMs } : {}) }, load.ok2xx);

  const ws = slack.workspace;
  const incChannels = [...ws.channels.values()].filter((c) => c.name.startsWith('inc-'));
  const keys = new Map<string, number>();
  let posts = 0;
  for (const c of incChannels) for (const m of ws.allMessages(c.id)) {
    const key = (m.metadata?.event_payload as { key?: string } | undefined)?.key;
    if (!key) continue;
    posts++;
    keys.set(key, (keys.get(key) ?? 0) + 1);
  }
  const appliedEventIds = await countOf(pool, `select count(distinct source->>'eventId') as n from incident_events where source->>'kind' = 'pagerduty' and source->>'eventId' like $1`, [`01ST${label.toUpperCase()}%`]);
  const run: StormRun = {
    processes, sent: load.sent, accepted: load.ok2xx,
    resentAfterIdleReset: load.resentAfterIdleReset,
    refused: { ...Object.fromEntries(Object.entries(load.statuses).filter(([k]) => !k.startsWith('2'))), ...load.errors },
    ingestPerSec: round(load.ok2xx / Math.max(0.001, (load.lastAnswerAt - load.firstSendAt) / 1000), 0), ingestLatency: latency(load.latenciesMs),
    drainSeconds, drained,
    incidents: await countOf(pool, 'select count(*) as n from incidents'),
    channels: incChannels.length,
    channelCreates: ws.callsTo('conversations.create').filter((c) => c.ok).length,
    appliedEventIds, lost: load.ok2xx - appliedEventIds,
    posts, duplicatePosts: [...keys.values()].reduce((n, c) => n + (c - 1), 0),
    duplicated: await Promise.all([...keys.entries()].filter(([, c]) => c > 1).slice(0, 10).map(async ([key, times]) => {
      const row = (await pool.query<{ op: string; attempts: number }>('select op, attempts from outbox where idempotency_key = $1', [key])).rows[0];
      return { key, times, op: row?.op ?? '?', attempts: row?.attempts ?? -1 };
    })),
    deadOutboxRows: await countOf(pool, `select count(*) as n from outbox where status = 'dead'`),
    rssPeakMb,
    commitsPer: round(commits / Math.max(1, load.ok2xx), 2),
    cpu: {
      ...(per.serverMsPer !== undefined ? { kranzMsPer: per.serverMsPer } : {}),
      ...(per.postgresMsPer !== undefined ? { postgresMsPer: per.postgresMsPer } : {}),
      ...(used[0]?.machineIdlePct !== undefined ? { machineIdlePct: used[0].machineIdlePct } : {}),
    },
  };
  for (const s of servers) await s.stop();
  await slack.close();
  await pd.close();
  return run;
}

export async function runStormBench(): Promise<BenchOutcome> {
  const loadBefore = loadAverage();
  return withBench('storm', async (ctx) => {
    const three = await stormRun(ctx, 3, 'three');
    progress(`storm, 3 processes: drained in ${three.drainSeconds} s (${three.drained ? 'done' : 'NOT drained'})`);
    const one = await stormRun(ctx, 1, 'one');
    progress(`storm, 1 process: drained in ${one.drainSeconds} s (${one.drained ? 'done' : 'NOT drained'})`);
    const correct = (r: StormRun): boolean => r.drained && r.incidents === INCIDENTS && r.channels === INCIDENTS && r.channelCreates === INCIDENTS && r.lost === 0 && r.accepted === DELIVERIES && r.duplicatePosts === 0;
    const targets = {
      '3 processes: 50 incidents, 50 channels, 0 lost, 0 duplicate posts, drained': correct(three),
      '1 process (baseline): same checks': correct(one),
      [`drained in ≤ ${DRAIN_TARGET_S} s (1 process: ${one.drainSeconds} s, 3 processes: ${three.drainSeconds} s)`]: one.drained && three.drained && Math.max(one.drainSeconds, three.drainSeconds) <= DRAIN_TARGET_S,
      '3 processes not slower than 1': three.drained && three.drainSeconds <= one.drainSeconds,
    };
    const loadAfter = loadAverage();
    const col = (f: (r: StormRun) => string | number): [string | number, string | number] => [f(three), f(one)];
    const text = [
      `Alert storm: ${DELIVERIES} signed deliveries over ${INCIDENTS} PagerDuty incidents (auto-open), ${SEND.concurrency} in flight, round-robin over the processes`,
      '',
      table([
        ['', '3 Kranz processes, 1 Postgres', '1 Kranz process (baseline)'],
        ['deliveries sent / 202', ...col((r) => `${r.sent} / ${r.accepted}`)],
        ['not accepted (PagerDuty would retry)', ...col((r) => Object.entries(r.refused).map(([k, n]) => `${k}: ${n}`).join(', ') || 'none')],
        ['resent after an idle keep-alive reset', ...col((r) => r.resentAfterIdleReset)],
        ['intake /s', ...col((r) => r.ingestPerSec)],
        ['intake p50 / p99 / max ms', ...col((r) => `${r.ingestLatency.p50} / ${r.ingestLatency.p99} / ${r.ingestLatency.max}`)],
        ['time to drain s (all applied, outbox empty)', ...col((r) => `${r.drainSeconds}${r.drained ? '' : ' (gave up)'}`)],
        ['incidents / channels / conversations.create ok', ...col((r) => `${r.incidents} / ${r.channels} / ${r.channelCreates}`)],
        ['event ids applied / lost', ...col((r) => `${r.appliedEventIds} / ${r.lost}`)],
        ['Slack posts / posted twice', ...col((r) => `${r.posts} / ${r.duplicatePosts}`)],
        ['dead outbox rows', ...col((r) => r.deadOutboxRows)],
        ['peak RSS per process MB', ...col((r) => r.rssPeakMb.map((m) => m ?? '?').join(' / '))],
        ['CPU ms per delivery until drained: Kranz (all processes) + PostgreSQL', ...col((r) => `${r.cpu.kranzMsPer ?? '?'} + ${r.cpu.postgresMsPer ?? '?'}`)],
        ['machine idle % until drained', ...col((r) => r.cpu.machineIdlePct ?? '?')],
        ['PostgreSQL commits per delivery until drained', ...col((r) => r.commitsPer)],
      ]),
      '',
      ...[three, one].flatMap((r) => r.duplicated.map((d) => `posted ${d.times}× with ${r.processes} process(es): outbox ${d.op} ${d.key} (row attempts: ${d.attempts})`)),
      `3 processes ÷ 1 process, drain time: ${round(three.drainSeconds / Math.max(0.001, one.drainSeconds), 2)}`,
      `load average (1 min) before / after: ${loadBefore} / ${loadAfter} on ${ctx.cores} cores; uptime at the end: ${uptimeLine()}`,
      ...Object.entries(targets).map(([t, m]) => `${t}: ${yesNo(m)}`),
    ].join('\n');
    writeResult('storm', { deliveries: DELIVERIES, incidents: INCIDENTS, later: LATER, send: SEND, three, one, targets, loadAverage: { before: loadBefore, after: loadAfter } });
    return { name: 'storm', text, targets };
  });
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  runStormBench().then((o) => {
    console.log(o.text);
    process.exit(0);
  }, (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
