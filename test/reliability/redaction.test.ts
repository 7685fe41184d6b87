/**
 * No secret reaches a log line. A whole incident runs (declare, update,
 * resolve, close; a PagerDuty page that opens a second incident; a Slack
 * outage; forged Slack and PagerDuty requests) with pino at `trace` into
 * memory and the console captured; then neither holds any secret: bot token,
 * signing secret, PagerDuty token, webhook secrets, or the database password
 * inside DATABASE_URL.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { loadEnv, redactPaths } from '../../src/config/env.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { pagerDutyExtension } from '../../src/extensions.ts';
import { startKranz } from '../../src/main.ts';
import type { Kranz } from '../../src/runtime.ts';
import { startPagerDutyStandIn, type PagerDutyStandIn } from '../../src/sandbox/pagerduty/stand-in.ts';
import { SEED } from '../../src/sandbox/pagerduty/state.ts';
import { newV3EventId, sendPagerDutyWebhook } from '../../src/sandbox/pagerduty/webhook-sender.ts';
import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { testPolicy } from '../helpers/domain.ts';
import { USERS } from '../helpers/kranz-harness.ts';
import { asPdServiceId } from '../../src/domain/ids.ts';

const tag = randomBytes(4).toString('hex');
const SECRETS = {
  botToken: `xoxb-SECRETBOT${tag}-1234567890-abcdefghij`,
  signingSecret: `SECRETSIGN${tag}f00dfeedbeef`,
  pagerDutyToken: `SECRETPDTOKEN${tag}u+Zz`,
  webhookSecretNew: `SECRETWHNEW${tag}`,
  webhookSecretOld: `SECRETWHOLD${tag}`,
  dbPassword: `SECRETDBPW${tag}`,
};

const lines: string[] = [];
const consoleOut: string[] = [];
const memory = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
    done();
  },
});

let slack: SlackStandIn;
let pd: PagerDutyStandIn;
let db: TestDatabase;
let pool: pg.Pool;
let kranz: Kranz | undefined;
let dataDir: string;
const role = `redact_${tag}`;

const policy: Policy = {
  ...testPolicy,
  pagerduty: {
    ...testPolicy.pagerduty,
    services: [{ serviceId: asPdServiceId(SEED.services.checkout), autoOpen: true, severityByPriority: {}, severityByUrgency: { high: 'SEV1', low: 'SEV3' }, customers: ['acme'] }],
    mirrorUpdatesAs: 'note',
    resolveInPagerDuty: true,
  },
};

async function settled(timeoutMs = 15_000): Promise<void> {
  await slack.waitForDeliveries();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await pool.query<{ n: number }>(
      `select ((select count(*) from inbound_archive where status = 'received') + (select count(*) from outbox where status = 'pending'))::int as n`,
    );
    if (r.rows[0]?.n === 0) return;
    if (Date.now() > deadline) throw new Error(`not settled: ${r.rows[0]?.n} rows waiting`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

beforeAll(async () => {
  for (const m of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      consoleOut.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
  }
  slack = await startSlackStandIn({
    botToken: SECRETS.botToken,
    signingSecret: SECRETS.signingSecret,
    users: Object.values(USERS),
    channels: [
      { id: 'CGENERAL', name: 'general', members: Object.values(USERS).map((u) => u.id), botIsMember: true, is_general: true },
      { id: 'CACME', name: 'acme-shared', members: [USERS.eve.id], botIsMember: true },
      { id: 'CSTAKE', name: 'stakeholders', members: [USERS.dana.id], botIsMember: true },
      { id: 'CANNOUNCE', name: 'incidents', members: [], botIsMember: true },
    ],
  });
  pd = await startPagerDutyStandIn({ tokens: [SECRETS.pagerDutyToken] });

  // A database owned by a role whose password is one of the secrets.
  db = await createTestDatabase('redact');
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  await admin.query(`create role ${role} login password '${SECRETS.dbPassword}'`);
  await admin.query(`alter database ${db.name} owner to ${role}`);
  await admin.end();
  const url = new URL(db.url);
  url.username = role;
  url.password = SECRETS.dbPassword;
  pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  dataDir = await mkdtemp(join(tmpdir(), 'kranz-redact-'));

  const env = loadEnv({
    SLACK_BOT_TOKEN: SECRETS.botToken,
    SLACK_SIGNING_SECRET: SECRETS.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    DATABASE_URL: url.toString(),
    KRANZ_DATA_DIR: dataDir,
    PAGERDUTY_TOKEN: SECRETS.pagerDutyToken,
    PAGERDUTY_API_URL: pd.url,
    PAGERDUTY_WEBHOOK_SECRETS: `${SECRETS.webhookSecretNew},${SECRETS.webhookSecretOld}`,
    PAGERDUTY_FROM_EMAIL: SEED.emails.bot,
    LOG_LEVEL: 'trace',
  });
  if (!env.ok) throw new Error(env.errors.join('\n'));
  // The logger `createLogger` builds, but into memory.
  const log = pino({ level: 'trace', redact: { paths: [...redactPaths], censor: '[redacted]' } }, memory);
  // Whole objects with secrets, logged the ways a careless call site might.
  log.debug({ env: env.value }, 'configuration loaded');
  log.trace({ env: { SLACK_BOT_TOKEN: SECRETS.botToken, DATABASE_URL: url.toString() } }, 'raw environment');
  kranz = await startKranz({ env: { ...env.value, port: 0 }, policy, log, outboxPollMs: 50, intakePollMs: 200, extensions: [pagerDutyExtension] });
  slack.setBotEndpoint(`${kranz.url}/slack/events`);
});

afterAll(async () => {
  await kranz?.stop();
  await slack?.close();
  await pd?.close();
  await pool?.end();
  await db?.drop();
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  await admin.query(`drop role if exists ${role}`);
  await admin.end();
  await rm(dataDir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

describe('log redaction', () => {
  it('keeps every secret out of trace-level logs through a whole incident', async () => {
    const k = kranz!;
    const dana = slack.user(USERS.dana.id);

    // Declare, with one Slack outage on the way so delivery failures are logged too.
    slack.faults.outage('chat.postMessage', { times: 1 });
    expect((await dana.slashCommand('CGENERAL', '/incident', 'declare SEV1 Checkout API returns 500s')).status).toBe(200);
    const ch = await slack.waitFor(() => [...slack.workspace.channels.values()].find((c) => c.name.startsWith('inc-1-')), { what: 'INC-1 channel' });
    await settled();

    // A status update through the modal.
    await dana.slashCommand(ch.id, '/incident', 'update');
    const modal = await slack.waitFor(() => { const v = slack.workspace.topModal(USERS.dana.id); return v?.callback_id === 'status_update' ? v : undefined; }, { what: 'update modal' });
    expect((await dana.submitView(modal.id, { status: 'identified', summary: 'A bad deploy; rolling back.', next: '15m' })).status).toBe(200);
    await settled();

    // PagerDuty pages: a signed webhook opens INC-2, and Kranz writes back to PagerDuty with its token.
    const pdIncident = pd.state.addIncident({ title: 'Checkout latency', serviceId: SEED.services.checkout });
    const page = await sendPagerDutyWebhook({
      url: `${k.url}/pagerduty/webhook`,
      secrets: [SECRETS.webhookSecretNew],
      event: {
        eventType: 'incident.triggered',
        eventId: newV3EventId(),
        incident: { id: pdIncident.id, number: pdIncident.number, title: pdIncident.title, serviceId: SEED.services.checkout, serviceName: 'Checkout API', urgency: 'high' },
      },
    });
    expect(page.status).toBeLessThan(300);
    const paged = await slack.waitFor(() => [...slack.workspace.channels.values()].find((c) => c.name.startsWith('inc-2-')), { what: 'INC-2 channel' });
    await settled();
    // Resolving it in Kranz resolves it in PagerDuty: an authenticated write.
    await dana.join(paged.id);
    // PagerDuty opened it without a commander: Dana takes the role, then may resolve.
    await dana.slashCommand(paged.id, '/incident', `role commander <@${USERS.dana.id}|dana>`);
    await settled();
    await dana.slashCommand(paged.id, '/incident', 'resolve Latency back to normal');
    await settled();
    await slack.waitFor(() => pd.state.incidents.get(pdIncident.id)?.status === 'resolved', { what: 'PagerDuty incident resolved' });

    // Forged requests: a PagerDuty webhook signed with the wrong secret, a Slack request with a bad signature.
    const forged = await sendPagerDutyWebhook({ url: `${k.url}/pagerduty/webhook`, secrets: [SECRETS.webhookSecretOld], wrongSecret: true, event: { eventType: 'incident.triggered', incident: { id: 'PFORGED', number: 99, title: 'forged', serviceId: SEED.services.checkout, serviceName: 'Checkout API' } } });
    expect(forged.status).toBe(401);
    const badSlack = await fetch(`${k.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-slack-signature': 'v0=deadbeef', authorization: `Bearer ${SECRETS.botToken}` },
      body: 'command=%2Fincident&text=help',
    });
    expect(badSlack.status).toBe(401);

    // Resolve and close INC-1 (the report is drafted and posted).
    await dana.slashCommand(ch.id, '/incident', 'resolve Rolled back');
    await dana.slashCommand(ch.id, '/incident', 'close');
    await settled();
    expect(slack.workspace.history(ch.id).some((m) => (m.text ?? '').includes('Incident report drafted for INC-1'))).toBe(true);
    await k.stop();
    kranz = undefined;

    // The logs are real and detailed: trace and debug lines from start to shutdown.
    const levels = new Set(lines.map((l) => (JSON.parse(l) as { level: number }).level));
    expect(levels.has(10)).toBe(true);
    expect(lines.length).toBeGreaterThan(20);
    const all = [...lines, ...consoleOut].join('\n');
    expect(all).toContain('Kranz is listening');
    expect(all).toContain('[redacted]');

    const leaks = Object.entries(SECRETS).flatMap(([name, value]) => {
      const forms = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
      return [...forms].filter((f) => all.includes(f)).map(() => `${name}: ${lines.find((l) => l.includes(value)) ?? consoleOut.find((l) => l.includes(value))}`);
    });
    expect(leaks).toEqual([]);
  });
});
