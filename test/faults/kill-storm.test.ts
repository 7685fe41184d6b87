/**
 * Fault 6: `kill -9` during a storm of 15 PagerDuty triggers, each of which
 * opens an incident and its channel. At the kill, the dead process holds a
 * lease on every one of them: 14 inbound requests claimed and stuck in their
 * declare (the test holds a lock on `incidents`), and one outbox row whose
 * `conversations.create` is held in flight at a proxy. Restarted on the same
 * data dir, Kranz must free its previous incarnation's leases at once and
 * give every acknowledged webhook its channel within 10 s, not after the
 * 60 s lease.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendPagerDutyWebhook } from '../../src/sandbox/pagerduty/webhook-sender.ts';
import type { SlackStandIn } from '../../src/sandbox/slack/index.ts';
import { startKranzChild, type KranzChild } from '../helpers/faults-child.ts';
import { FAULT_BOT_TOKEN, FAULT_PD_SECRET, FAULT_SIGNING_SECRET, PD_SERVICE, printFigures, startFaultSlack, until } from '../helpers/faults-kranz.ts';
import { freePort, startFaultPostgres, type FaultPostgres } from '../helpers/faults-pg.ts';
import { startSlackProxy, type SlackProxy } from '../helpers/faults-slack-proxy.ts';

const STORM = 15;
const POLICY = `
pagerduty:
  services:
    - id: ${PD_SERVICE}
      auto_open: true
`;

let db: FaultPostgres;
let slack: SlackStandIn;
let proxy: SlackProxy;
let pool: pg.Pool;
let dataDir = '';
const children: KranzChild[] = [];

beforeAll(async () => {
  db = await startFaultPostgres();
  slack = await startFaultSlack();
  proxy = await startSlackProxy(slack.baseUrl);
  dataDir = await mkdtemp(join(tmpdir(), 'kranz-faults-storm-'));
  await writeFile(join(dataDir, 'policy.yml'), POLICY);
  pool = new pg.Pool({ connectionString: db.url, max: 3 });
  pool.on('error', () => undefined);
});
afterAll(async () => {
  for (const c of children) await c.kill9();
  await proxy?.close();
  await slack?.close();
  await pool?.end();
  await rm(dataDir, { recursive: true, force: true });
  await db?.close();
});

async function n(sql: string, params: unknown[] = []): Promise<number> {
  const r = await pool.query<{ n: string }>(`select count(*)::text as n from (${sql}) x`, params);
  return Number(r.rows[0]?.n ?? 0);
}

function trigger(url: string, i: number) {
  return sendPagerDutyWebhook({
    url, secrets: [FAULT_PD_SECRET],
    event: { eventType: 'incident.triggered', incident: { id: `PSTORM${String(i).padStart(2, '0')}`, number: 500 + i, title: `Storm alert ${i}`, serviceId: PD_SERVICE, serviceName: 'Checkout', urgency: 'high', priority: null } },
  });
}

const stormChannels = (): number => [...slack.workspace.channels.values()].filter((c) => /^inc-\d+-storm-alert/.test(c.name)).length;

describe('fault 6: kill -9 during a webhook storm', () => {
  it('gives every acknowledged webhook its channel within 10 s of the restart', async () => {
    const port = await freePort();
    slack.setBotEndpoint(`http://127.0.0.1:${port}/slack/events`);
    const env = {
      SLACK_BOT_TOKEN: FAULT_BOT_TOKEN, SLACK_SIGNING_SECRET: FAULT_SIGNING_SECRET, SLACK_API_URL: proxy.apiUrl, DATABASE_URL: db.url,
      PORT: String(port), KRANZ_DATA_DIR: dataDir, KRANZ_CONFIG: join(dataDir, 'policy.yml'), PAGERDUTY_WEBHOOK_SECRETS: FAULT_PD_SECRET,
      LOG_LEVEL: process.env['FAULTS_CHILD_LOG'] ?? 'warn',
    };
    const first = await startKranzChild(env);
    children.push(first);
    const url = `${first.url}/pagerduty/webhook`;

    // 1: the first trigger's channel creation is in flight when the process dies.
    const held = proxy.hold({ method: 'conversations.create', at: 'before' });
    const answers = [await trigger(url, 1)];
    await held;
    // 2: the other 14 are claimed and stuck in their declare.
    const locker = await pool.connect();
    await locker.query('begin');
    await locker.query('lock table incidents in exclusive mode');
    // Sent together, so they are stored within a moment of each other: a pass that starts while some are
    // still on their way claims only those, gets stuck in their declare, and leaves the rest unclaimed
    // until the lock goes (sent one by one, a poll tick in the middle of the sending did that once under load).
    answers.push(...(await Promise.all(Array.from({ length: STORM - 1 }, (_, k) => trigger(url, k + 2)))));
    expect(answers.map((a) => a.status)).toEqual(Array(STORM).fill(202));
    expect(answers.map((a) => (JSON.parse(a.body) as { status: string }).status)).toEqual(Array(STORM).fill('stored'));
    await until(async () => (await n("select 1 from inbound_archive where source = 'pagerduty' and status = 'received' and lease_until > now()")) === STORM - 1, { timeoutMs: 20_000, what: 'the storm to be claimed' });
    const leasedInbound = await n("select 1 from inbound_archive where status = 'received' and lease_until > now() and leased_by like $1", [`%:${first.pid}:%`]);
    const leasedOutbox = await n("select 1 from outbox where op like '%create%' and status = 'pending' and lease_until > now() and leased_by like $1", [`%:${first.pid}:%`]);

    await first.kill9();
    await locker.query('rollback');
    locker.release();
    proxy.release();
    expect(stormChannels()).toBe(0);

    const spawnedAt = Date.now();
    const second = await startKranzChild(env);
    children.push(second);
    const healthyAt = Date.now();
    await until(async () => (stormChannels() === STORM && (await n("select 1 from incident_events where type = 'channel_created'")) === STORM ? true : undefined), {
      timeoutMs: 60_000, everyMs: 100, what: 'every storm incident to have its channel',
    });
    const doneAt = Date.now();
    const afterHealthyS = (doneAt - healthyAt) / 1000;
    const afterSpawnS = (doneAt - spawnedAt) / 1000;

    const incidents = await n('select 1 from incidents');
    printFigures({
      fault: `kill -9 with ${STORM} acknowledged triggers leased by the dead process`,
      sent: STORM,
      acknowledged: answers.filter((a) => a.status === 202).length,
      applied: incidents,
      duplicated: Math.max(0, stormChannels() - STORM),
      lost: STORM - incidents,
      extra: {
        'leased by the dead process at the kill': `${leasedInbound} inbound requests, ${leasedOutbox} outbox row (conversations.create in flight)`,
        'every channel created, after the restart was healthy': `${afterHealthyS.toFixed(1)} s (${afterSpawnS.toFixed(1)} s after the restart command)`,
      },
    });
    expect(leasedInbound).toBe(STORM - 1);
    expect(leasedOutbox).toBe(1);
    expect(incidents).toBe(STORM);
    expect(stormChannels()).toBe(STORM);
    expect(afterHealthyS).toBeLessThan(10);
    await second.stop();
  });
});
