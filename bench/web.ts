/**
 * Web view page speed: the incident list over 10,000 incidents (first page,
 * a title search, a filtered page), the incident page of an incident with
 * 10,000 timeline events, the JSON list, and a static file (the stylesheet,
 * served from memory) as the same-run baseline: what the HTTP server, the
 * session check and loopback cost with no work behind them.
 *
 * One Kranz (web view on) against the Slack stand-in and its own embedded
 * PostgreSQL; a signed-in session; requests one at a time, so each time is
 * the server's time for one page plus loopback.
 * Run: `npx tsx bench/web.ts` (or `npm run bench -- --only web`).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { loadEnv } from '../src/config/env.ts';
import { DEFAULT_POLICY } from '../src/domain/default-policy.ts';
import type { EventPayloads, EventType, IncidentEvent } from '../src/domain/events.ts';
import { project } from '../src/domain/incident.ts';
import { asSlackChannelId, asSlackUserId } from '../src/domain/ids.ts';
import type { Policy } from '../src/domain/policy.ts';
import { webExtension } from '../src/extensions.ts';
import { createLogger, startKranz } from '../src/main.ts';
import { startSlackStandIn } from '../src/sandbox/slack/index.ts';
import { STYLESHEET } from '../src/web/assets.ts';
import { latency, loadAverage, progress, table, type BenchOutcome, type Latency } from './lib/format.ts';
import { freePort, startBenchPostgres } from './lib/postgres.ts';

const INCIDENTS = 10_000;
const BIG_EVENTS = 10_000;
const RUNS = { light: 100, heavy: 30 };
const TARGET_MS = 500;
const POLICY: Policy = {
  ...DEFAULT_POLICY,
  customers: [{ id: 'acme', name: 'Acme Corp', mainContact: { name: 'Jane' }, sla: { targetPercent: 99.9, periodDays: 30 }, serviceCredits: [] }],
};
const WORDS = ['checkout', 'database', 'search', 'login', 'payments', 'latency', 'errors', 'queue', 'cache', 'DNS', 'certificate', 'disk'];

function event<T extends EventType>(incidentId: string, type: T, at: Date, data: EventPayloads[T], actor: IncidentEvent['actor'] = { kind: 'user', userId: asSlackUserId('UBENCH'), name: 'bench' }): IncidentEvent {
  return { id: randomUUID(), incidentId, type, occurredAt: at.toISOString(), recordedAt: at.toISOString(), actor, source: { kind: 'kranz' }, idempotencyKey: randomUUID(), data } as IncidentEvent;
}

/** An incident's events: declared, channel, an update or two, resolved and (for older ones) closed. */
function incidentEvents(n: number, start: Date, extraNotes = 0): IncidentEvent[] {
  const id = randomUUID();
  const at = (min: number): Date => new Date(start.getTime() + min * 60_000);
  const title = `${WORDS[n % WORDS.length]} ${WORDS[(n * 7) % WORDS.length]} degraded in region ${n % 5}`;
  const severity = ['SEV1', 'SEV2', 'SEV3', 'SEV4'][n % 4] as string;
  const evs: IncidentEvent[] = [
    event(id, 'declared', at(0), { number: n, title, severity, description: 'Bench incident', private: n % 100 === 0, commanderId: asSlackUserId('UBENCH'), declaredBy: asSlackUserId('UBENCH'), customers: n % 3 === 0 ? ['acme'] : [], checklist: [{ id: 'call-customer', title: 'Call the customer', dueAt: at(15).toISOString() }] }),
    event(id, 'channel_created', at(0), { channelId: asSlackChannelId(`CB${String(n).padStart(8, '0')}`), channelName: `inc-${n}` }, { kind: 'kranz' }),
    event(id, 'status_update_posted', at(10), { status: 'identified', summary: 'We know what it is', nextUpdateAt: at(40).toISOString(), relayedTo: [] }),
  ];
  for (let i = 0; i < extraNotes; i++) evs.push(event(id, 'note_added', at(10 + i * 0.01), { text: `Observation ${i}: ${WORDS[i % WORDS.length]} looks ${i % 2 ? 'better' : 'worse'} <b>${i}</b>`, via: 'command' }));
  if (n < INCIDENTS - 20) {
    evs.push(event(id, 'resolved', at(45), { summary: 'Fixed' }));
    if (n < INCIDENTS - 100) evs.push(event(id, 'closed', at(60), {}));
  }
  return evs;
}

async function seed(pool: pg.Pool): Promise<number> {
  const base = Date.parse('2026-01-01T00:00:00Z');
  let bigNumber = 0;
  for (let from = 1; from <= INCIDENTS; from += 500) {
    const states = [];
    const events: IncidentEvent[] = [];
    for (let n = from; n < from + 500 && n <= INCIDENTS; n++) {
      const big = n === INCIDENTS - 5;
      if (big) bigNumber = n;
      const evs = incidentEvents(n, new Date(base + n * 45 * 60_000), big ? BIG_EVENTS - 4 : 0);
      const s = project(evs);
      if (!s) throw new Error('no state');
      states.push({ s, at: evs[0]?.occurredAt ?? '' });
      events.push(...evs);
    }
    await pool.query(
      `insert into incidents (id, number, title, severity, status, private, channel_id, state, version, created_at, updated_at)
       select * from unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[], $8::jsonb[], $9::int[], $10::timestamptz[], $10::timestamptz[])`,
      [states.map((x) => x.s.id), states.map((x) => x.s.number), states.map((x) => x.s.title), states.map((x) => x.s.severity), states.map((x) => x.s.status), states.map((x) => x.s.private),
        states.map((x) => x.s.channelId ?? null), states.map((x) => JSON.stringify(x.s)), states.map((x) => x.s.eventCount), states.map((x) => x.at)],
    );
    for (let i = 0; i < events.length; i += 5_000) {
      const chunk = events.slice(i, i + 5_000);
      await pool.query(
        `insert into incident_events (id, incident_id, type, occurred_at, recorded_at, actor, source, idempotency_key, data)
         select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::jsonb[], $7::jsonb[], $8::text[], $9::jsonb[])`,
        [chunk.map((e) => e.id), chunk.map((e) => e.incidentId), chunk.map((e) => e.type), chunk.map((e) => e.occurredAt), chunk.map((e) => e.recordedAt),
          chunk.map((e) => JSON.stringify(e.actor)), chunk.map((e) => JSON.stringify(e.source)), chunk.map((e) => e.idempotencyKey), chunk.map((e) => JSON.stringify(e.data))],
      );
    }
  }
  await pool.query(`select setval('incident_number_seq', $1::int)`, [INCIDENTS]);
  await pool.query('analyze');
  return bigNumber;
}

/** Signs in through the stand-in's authorize page, as a browser would. */
async function signIn(base: string, userId: string): Promise<string> {
  const login = await fetch(`${base}/login`, { redirect: 'manual' });
  const loginCookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const authorize = new URL(login.headers.get('location') ?? '');
  const form = new URLSearchParams(authorize.searchParams);
  form.set('user', userId);
  const chosen = await fetch(new URL(authorize.pathname, authorize), { method: 'POST', body: form, redirect: 'manual' });
  const back = await fetch(chosen.headers.get('location') ?? '', { headers: { cookie: loginCookie }, redirect: 'manual' });
  const session = back.headers.getSetCookie().find((c) => c.startsWith('kranz_session='))?.split(';')[0];
  if (!session) throw new Error(`sign-in failed: ${back.status}`);
  return session;
}

async function measure(url: string, cookie: string, runs: number, expect: string): Promise<Latency & { kb: number }> {
  const samples: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs + 3; i++) {
    const t = performance.now();
    const res = await fetch(url, { headers: { cookie } });
    const body = await res.text();
    const ms = performance.now() - t;
    if (res.status !== 200 || !body.includes(expect)) throw new Error(`${url} answered ${res.status} without "${expect}"`);
    bytes = body.length;
    if (i >= 3) samples.push(ms); // the first few warm caches and the JIT
  }
  return { ...latency(samples), kb: Math.round(bytes / 1024) };
}

export async function runWebBench(): Promise<BenchOutcome> {
  const pgServer = await startBenchPostgres('web');
  const dataDir = await mkdtemp(join(tmpdir(), 'kranz-bench-web-'));
  const slack = await startSlackStandIn({ users: [{ id: 'UBENCH', name: 'bench', real_name: 'Bench Reader' }] });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  try {
    const url = await pgServer.createDatabase('kranz_web');
    const env = loadEnv({
      SLACK_BOT_TOKEN: 'xoxb-sandbox-token', SLACK_SIGNING_SECRET: 'sandbox-signing-secret', SLACK_API_URL: slack.apiUrl, DATABASE_URL: url, KRANZ_DATA_DIR: dataDir,
      PORT: String(port), LOG_LEVEL: 'silent', SLACK_CLIENT_ID: slack.oauth.clientId, SLACK_CLIENT_SECRET: slack.oauth.clientSecret, KRANZ_PUBLIC_URL: base,
      KRANZ_SESSION_SECRET: 'bench-session-secret-0123456789-0123456789',
    });
    if (!env.ok) throw new Error(env.errors.join('\n'));
    const kranz = await startKranz({ env: env.value, policy: POLICY, log: createLogger('silent'), extensions: [webExtension()] });
    try {
      const pool = new pg.Pool({ connectionString: url, max: 2 });
      const t0 = Date.now();
      const big = await seed(pool);
      await pool.end();
      progress(`web: seeded ${INCIDENTS} incidents and one of ${BIG_EVENTS} events in ${Math.round((Date.now() - t0) / 1000)} s`);
      const cookie = await signIn(base, 'UBENCH');
      const rows: [string, Latency & { kb: number }][] = [];
      const run = async (label: string, path: string, runs: number, expect: string): Promise<void> => {
        rows.push([label, await measure(`${base}${path}`, cookie, runs, expect)]);
        progress(`web: ${label} done`);
      };
      await run('static file (baseline)', STYLESHEET.path, RUNS.light, ':root');
      await run(`list, page 1 of ${INCIDENTS} incidents`, '/', RUNS.light, 'id="incidents"');
      await run('list, title search', '/?q=database', RUNS.light, 'id="incidents"');
      await run('list, SEV1 + customer + dates', '/?severity=SEV1&customer=acme&from=2026-03-01&to=2026-06-30', RUNS.light, 'id="incidents"');
      await run('API list, 50 incidents', '/api/incidents', RUNS.light, '"total":');
      await run(`incident page, ${BIG_EVENTS} events`, `/incidents/${big}`, RUNS.heavy, 'Observation 9990');
      await run(`analytics over ${INCIDENTS} incidents`, '/analytics', 10, 'chart-incidents');
      const baseline = rows[0]?.[1].p99 ?? 1;
      const text = [
        table([
          ['page', 'requests', 'p50 ms', 'p99 ms', 'max ms', 'p99 vs static', 'KB'],
          ...rows.map(([label, l]) => [label, l.n, l.p50, l.p99, l.max, `${Math.round((l.p99 / baseline) * 10) / 10}×`, l.kb]),
        ]),
        '',
        `One request at a time over loopback, after 3 warm-up requests each; one Kranz process, embedded PostgreSQL, 2 shared cores (load average ${loadAverage()}).`,
      ].join('\n');
      const list = rows[1]?.[1].p99 ?? Infinity;
      const page = rows[5]?.[1].p99 ?? Infinity;
      return { name: 'web', text, targets: { [`list p99 under ${TARGET_MS} ms`]: list < TARGET_MS, [`10k-event incident page p99 under ${TARGET_MS * 2} ms`]: page < TARGET_MS * 2 } };
    } finally {
      await kranz.stop();
    }
  } finally {
    await slack.close();
    await pgServer.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runWebBench().then((o) => {
    console.log(o.text);
    for (const [t, met] of Object.entries(o.targets)) console.log(`- ${t}: ${met ? 'met' : 'MISSED'}`);
    process.exit(0);
  }, (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
