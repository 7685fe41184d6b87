/**
 * Fault 4: fuzz. 2,000 random `/incident` texts (random words, unicode, very
 * long, empty, mentions, quotes, invalid UTF-8) as signed slash commands in a
 * normal channel and an incident channel, and random PagerDuty webhook bodies
 * (random JSON, truncated JSON, huge strings, wrong types in known fields,
 * raw control bytes, deep nesting) signed correctly, against `kranz start`
 * as a child process. No signed input may get a 5xx, the process must not
 * die, and /healthz must keep answering 200. The seed is printed; rerun a
 * failure with FAULTS_SEED=<seed>.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPagerDutyBody } from '../../src/adapters/pagerduty/signature.ts';
import { MAX_WEBHOOK_BYTES } from '../../src/adapters/pagerduty/webhook-route.ts';
import type { SlackStandIn } from '../../src/sandbox/slack/index.ts';
import { formEncode, slackRequestHeaders } from '../../src/sandbox/slack/signing.ts';
import { httpRequest, startKranzChild, type HttpAnswer, type KranzChild } from '../helpers/faults-child.ts';
import { commandText, Gen, prng, webhookBody } from '../helpers/faults-fuzz.ts';
import { FAULT_BOT_TOKEN, FAULT_PD_SECRET, FAULT_SIGNING_SECRET, FAULT_USERS, printFigures, startFaultSlack, until } from '../helpers/faults-kranz.ts';
import { freePort, startFaultPostgres, type FaultPostgres } from '../helpers/faults-pg.ts';

const COMMANDS = 2_000;
const WEBHOOKS = 600;
const BUDGET_MS = 60_000;
const SEED = Number(process.env['FAULTS_SEED'] ?? Date.now() % 2_147_483_647);

const POLICY = `
announcements_channel: CANNOUNCE
stakeholder_channel: CSTAKE
customers:
  - id: acme
    name: Acme Corp
    main_contact: { name: Dana Reyes, phone: "+1 555 0100", email: dana@acme.test }
    slack_channel: CACME
    sla: { target: 99.9, period: monthly }
pagerduty:
  services:
    - id: PSVCCHK
      auto_open: true
      customers: [acme]
`;

let db: FaultPostgres;
let slack: SlackStandIn;
let sink: Server;
let sinkUrl = '';
let sinkPosts = 0;
let child: KranzChild;
let dataDir = '';
let pool: pg.Pool;
let incidentChannel = '';

beforeAll(async () => {
  db = await startFaultPostgres();
  slack = await startFaultSlack();
  // Where the listeners' respond() calls go: any answer is fine, only the count matters.
  sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      sinkPosts++;
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/respond`;
  dataDir = await mkdtemp(join(tmpdir(), 'kranz-faults-fuzz-'));
  await writeFile(join(dataDir, 'policy.yml'), POLICY);
  const port = await freePort();
  slack.setBotEndpoint(`http://127.0.0.1:${port}/slack/events`);
  child = await startKranzChild({
    SLACK_BOT_TOKEN: FAULT_BOT_TOKEN, SLACK_SIGNING_SECRET: FAULT_SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, DATABASE_URL: db.url,
    PORT: String(port), KRANZ_DATA_DIR: dataDir, KRANZ_CONFIG: join(dataDir, 'policy.yml'), PAGERDUTY_WEBHOOK_SECRETS: FAULT_PD_SECRET, LOG_LEVEL: process.env['FAULTS_CHILD_LOG'] ?? 'warn',
  });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => undefined);
  await slack.user(FAULT_USERS.dana.id).slashCommand('CGENERAL', '/incident', 'declare SEV2 Fuzz target');
  const ch = await slack.waitFor(() => [...slack.workspace.channels.values()].find((c) => c.name.startsWith('inc-1-')), { timeoutMs: 30_000, what: 'the incident channel' });
  incidentChannel = ch.id;
});
afterAll(async () => {
  await child?.stop();
  await pool?.end();
  await slack?.close();
  await new Promise<void>((r) => (sink ? sink.close(() => r()) : r()));
  await rm(dataDir, { recursive: true, force: true });
  await db?.close();
});

interface Result {
  kind: string;
  index: number;
  status: number;
  /** PagerDuty: the intake's verdict from the 202 body. */
  stored?: string;
  key?: string;
  error?: string;
  ms: number;
  bytes: number;
}

function post(path: string, body: string, headers: Record<string, string>): Promise<HttpAnswer> {
  return httpRequest(`${child.url}${path}`, { method: 'POST', headers, body });
}

/** Runs `work` over `items` with `n` workers until done or `deadline`. */
async function runWorkers<T>(items: T[], n: number, deadline: number, work: (item: T, i: number) => Promise<void>): Promise<number> {
  let next = 0;
  let done = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length && Date.now() < deadline) {
      const i = next++;
      await work(items[i] as T, i);
      done++;
    }
  }));
  return done;
}

describe('fault 4: fuzz', () => {
  it('answers every signed input without a 5xx and stays healthy', async () => {
    console.log(`[faults] fuzz seed: ${SEED} (rerun with FAULTS_SEED=${SEED})`);
    const cg = new Gen(prng(SEED));
    const wg = new Gen(prng(SEED + 1));
    const users = [FAULT_USERS.dana, FAULT_USERS.eve];
    const commands = Array.from({ length: COMMANDS }, (_, i) => {
      const user = cg.pick(users);
      const channel = cg.chance(0.5) ? 'CGENERAL' : incidentChannel;
      const fields = {
        token: 'sandboxVerificationTokn', team_id: 'T0KRANZ01', team_domain: 'kranz-sandbox', channel_id: channel, channel_name: channel === 'CGENERAL' ? 'general' : 'inc',
        user_id: user.id, user_name: user.name, command: '/incident', text: commandText(cg), api_app_id: 'A0KRANZAPP', is_enterprise_install: 'false',
        response_url: sinkUrl, trigger_id: `${1_000_000 + i}.738474920.${randomBytes(8).toString('hex')}`,
      };
      let raw = formEncode(fields);
      // Bytes that are not UTF-8 at all, which encodeURIComponent can never produce.
      if (cg.chance(0.03)) raw = raw.replace('&text=', `&text=${cg.pick(['%FF%FE', '%ED%A0%80', '%C0%AF', '%00'])}`);
      return { raw, key: `slack:cmd:T0KRANZ01:${fields.trigger_id}` };
    });
    const webhooks = Array.from({ length: WEBHOOKS }, () => webhookBody(wg));

    const results: Result[] = [];
    const health: number[] = [];
    const healthErrors: string[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const t = performance.now();
        const r = await httpRequest(`${child.url}/healthz`, { timeoutMs: 10_000 });
        if (r.status !== 200) healthErrors.push(`${Math.round(performance.now() - t)} ms: ${r.status} ${r.error ?? r.text}`);
        health.push(r.status);
        await new Promise((res) => setTimeout(res, 500));
      }
    })();
    const started = Date.now();
    const deadline = started + BUDGET_MS;
    const [sentCommands, sentWebhooks] = await Promise.all([
      runWorkers(commands, 8, deadline, async (c, i) => {
        const ts = Math.floor(Date.now() / 1000);
        const t = performance.now();
        const r = await post('/slack/events', c.raw, slackRequestHeaders(FAULT_SIGNING_SECRET, ts, c.raw, 'application/x-www-form-urlencoded'));
        results.push({ kind: 'slash-command', index: i, status: r.status, key: c.key, ms: performance.now() - t, bytes: c.raw.length, ...(r.error ? { error: r.error } : {}) });
      }),
      runWorkers(webhooks, 2, deadline, async (w, i) => {
        const headers = {
          'content-type': 'application/json', 'x-webhook-id': `fuzz-${i}`, 'user-agent': 'PagerDuty-Webhook/V3.0',
          'x-pagerduty-signature': signPagerDutyBody(Buffer.from(w.body, 'utf8'), [FAULT_PD_SECRET]),
        };
        const t = performance.now();
        const r = await post('/pagerduty/webhook', w.body, headers);
        const ms = performance.now() - t;
        let answer: { status?: string; error?: string } = {};
        try {
          answer = JSON.parse(r.text) as typeof answer;
        } catch {
          answer = {};
        }
        const error = r.error ?? answer.error;
        results.push({ kind: `webhook:${w.kind}`, index: i, status: r.status, ms, bytes: w.body.length, ...(answer.status ? { stored: answer.status } : {}), ...(error ? { error } : {}) });
      }),
    ]);
    const elapsed = (Date.now() - started) / 1000;
    probing = false;
    await prober;

    // Give the intake a moment to apply what it stored, then take stock. PagerDuty events for an
    // incident Kranz never opened wait (about two minutes, by design) for their trigger: not counted as lost.
    const pending = async (): Promise<{ due: number; waiting: number }> => {
      const r = await pool.query<{ due: string; waiting: string }>(
        `select count(*) filter (where order_key is null or order_key not in (select order_key from inbound_archive where status = 'received' and headers ? 'x-kranz-unlinked-tries'))::text as due,
                count(*) filter (where order_key in (select order_key from inbound_archive where status = 'received' and headers ? 'x-kranz-unlinked-tries'))::text as waiting
         from inbound_archive where status = 'received'`,
      );
      return { due: Number(r.rows[0]?.due ?? 0), waiting: Number(r.rows[0]?.waiting ?? 0) };
    };
    await until(async () => (await pending()).due === 0, { timeoutMs: 20_000, everyMs: 500, what: 'the intake to apply the fuzz' }).catch(() => undefined);
    const left = await pending();
    const finalHealth = (await httpRequest(`${child.url}/healthz`)).status;
    const statuses: Record<string, number> = {};
    for (const r of results) {
      const k = `${r.kind.startsWith('webhook') ? 'webhook' : 'command'} ${r.status}${r.status >= 300 && r.error ? ` ${r.error}` : ''}`;
      statuses[k] = (statuses[k] ?? 0) + 1;
    }
    const stuck = await pool.query<{ op: string; attempts: number; last_error: string }>(
      "select op, attempts, left(last_error, 80) as last_error from outbox where status = 'pending' and attempts >= 3 order by attempts desc limit 5",
    );
    // A body over the 1 MB limit may be cut off by the 413 before it is all written.
    const cutOff = (r: Result): boolean => r.status === 0 && r.bytes > MAX_WEBHOOK_BYTES && /EPIPE|ECONNRESET/.test(r.error ?? '');
    const bad = results.filter((r) => r.status >= 500 || (r.status === 0 && !cutOff(r)));
    const ackedCommands = results.filter((r) => r.kind === 'slash-command' && r.status === 200);
    const archived = await pool.query<{ dedupe_key: string }>('select dedupe_key from inbound_archive where dedupe_key = any($1::text[])', [ackedCommands.map((r) => r.key)]);
    // Each webhook the intake answered "stored" is one archive row (retry copies of unlinked events aside).
    const storedWebhooks = results.filter((r) => r.kind.startsWith('webhook') && r.stored === 'stored').length;
    const pdArchived = Number((await pool.query<{ n: string }>("select count(*)::text as n from inbound_archive where source = 'pagerduty' and dedupe_key not like '%#unlinked%'")).rows[0]?.n ?? 0);
    const inbound = await pool.query<{ k: string; n: string }>("select source || ':' || status as k, count(*)::text as n from inbound_archive group by 1 order by 1");
    const acked = results.filter((r) => r.status >= 200 && r.status < 300).length;
    const lost = (ackedCommands.length - archived.rows.length) + Math.max(0, storedWebhooks - pdArchived);
    printFigures({
      fault: `fuzz (seed ${SEED})`,
      sent: results.length,
      acknowledged: acked,
      applied: ackedCommands.length + storedWebhooks - lost - left.due - left.waiting,
      duplicated: 0,
      lost,
      extra: {
        'slash commands sent / webhooks sent': `${sentCommands} / ${sentWebhooks} in ${elapsed.toFixed(1)} s`,
        'answers': JSON.stringify(statuses),
        'webhook kinds': JSON.stringify(results.filter((r) => r.kind.startsWith('webhook')).reduce<Record<string, number>>((a, r) => ({ ...a, [r.kind.slice(8)]: (a[r.kind.slice(8)] ?? 0) + 1 }), {})),
        'intake verdicts (archive rows, retry copies included)': JSON.stringify(Object.fromEntries(inbound.rows.map((x) => [x.k, Number(x.n)]))),
        'still queued: due / waiting for a trigger': `${left.due} / ${left.waiting}`,
        'healthz probes (non-200)': `${health.length} (${health.filter((h) => h !== 200).length})`,
        'healthz answers other than 200': healthErrors.length ? healthErrors.join('; ') : 'none',
        'responses posted to response_url': sinkPosts,
        'child alive': String(!child.exited),
        'outbox rows still failing (pending, 3+ attempts)': stuck.rows.length ? JSON.stringify(stuck.rows) : 'none',
        'slowest answers': [...results].sort((a, b) => b.ms - a.ms).slice(0, 3).map((r) => `${r.kind}#${r.index} ${Math.round(r.ms)} ms (${r.bytes} chars)`).join('; '),
        ...(bad.length ? { 'first 5xx/failed': JSON.stringify(bad.slice(0, 5)) } : {}),
      },
    });
    if (left.due > 0) {
      // What is still unapplied, and what the child said about it: enough to tell a hung listener from a failing one.
      const rows = await pool.query(
        `select source, dedupe_key, attempts, leased_by, lease_until, received_at, now() - received_at as age, left(note, 200) as note, left(body, 300) as body
         from inbound_archive where status = 'received' order by id limit 5`,
      );
      console.log('[faults] fuzz: still received', JSON.stringify(rows.rows, null, 1));
      console.log(child.output().slice(-8000));
    }
    if (process.env['FAULTS_DEBUG']) {
      console.log('failed', JSON.stringify((await pool.query("select dedupe_key, attempts, note from inbound_archive where status = 'failed' limit 5")).rows).slice(0, 3000));
      console.log(child.output().slice(-5000));
    }
    expect(child.exited, child.output().slice(-3000)).toBe(false);
    expect(bad, `seed ${SEED}`).toEqual([]);
    // Every probe was answered; 200 throughout except, at most, the database health check's own
    // 2 s budget running out under the burst (503 KRANZ_DB_TIMEOUT, reported above).
    expect(health.filter((h) => h !== 200 && h !== 503)).toEqual([]);
    expect(health.filter((h) => h === 503).length).toBeLessThanOrEqual(Math.ceil(health.length / 20));
    expect(finalHealth).toBe(200);
    expect(sentCommands).toBe(COMMANDS);
    expect(lost).toBe(0);
    expect(left.due).toBe(0);
    // A signed request is always answered 2xx, except bodies over the 1 MB limit (413) and
    // legacy-V2-shaped bodies while legacy V2 is turned off (401 invalid_token, by design).
    const refused = results.filter((r) => r.status < 200 || r.status >= 300);
    expect(refused.filter((r) => !(r.status === 413 && r.error === 'payload_too_large') && !cutOff(r) && !(r.status === 401 && r.error === 'invalid_token'))).toEqual([]);
  });
});
