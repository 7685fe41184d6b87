/**
 * A running Kranz against the local Slack (and optionally PagerDuty)
 * stand-ins over real HTTP, on a fresh database of the test run's embedded
 * PostgreSQL. Tests drive it as users would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startSlackStandIn, type SlackStandIn, type SlackStandInOptions } from '../../src/sandbox/slack/index.ts';
import type { Logger } from 'pino';
import { startKranz, createLogger } from '../../src/main.ts';
import type { Kranz, KranzExtension, KranzOptions } from '../../src/runtime.ts';
import { loadEnv } from '../../src/config/env.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { createTestDatabase, testPool, type TestDatabase } from './db.ts';
import { testPolicy } from './domain.ts';

export const SIGNING_SECRET = 'test-signing-secret';
export const BOT_TOKEN = 'xoxb-test-token';

export const USERS = {
  dana: { id: 'UDANA', name: 'dana', real_name: 'Dana Commander', email: 'dana@corp.test' },
  eve: { id: 'UEVE', name: 'eve', real_name: 'Eve Liaison', email: 'eve@corp.test' },
  sam: { id: 'USAM', name: 'sam', real_name: 'Sam Oncall', email: 'sam@corp.test' },
};

export interface Harness {
  kranz: Kranz;
  slack: SlackStandIn;
  pool: pg.Pool;
  db: TestDatabase;
  dataDir: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  policy?: Policy;
  extensions?: KranzExtension[];
  env?: Record<string, string>;
  /** Overrides the stand-in's options, e.g. `{ canvasesEnabled: false }`. */
  standIn?: SlackStandInOptions;
  /** Maps the stand-in's Web API URL to the one Kranz is given (to put a proxy in between). */
  apiUrl?: (standInApiUrl: string) => string;
  /** Kranz's logger (default: silent, or KRANZ_TEST_LOG); tests that read the log pass their own. */
  log?: Logger;
  /** Kranz's port (default: any free one). */
  port?: number;
  /** The outbox's idle poll (default 50 ms, so tests never wait on it). */
  outboxPollMs?: number;
  /** Extra outbox targets. */
  deliverers?: KranzOptions['deliverers'];
  /** How long a slash command's ack waits for its answer (default: Kranz's). */
  answerInAckWaitMs?: number;
}

/** Starts the stand-in, a fresh database and Kranz. */
export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const slack = await startSlackStandIn({
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    users: Object.values(USERS),
    channels: [
      { id: 'CGENERAL', name: 'general', members: Object.values(USERS).map((u) => u.id), botIsMember: true, is_general: true },
      { id: 'CACME', name: 'acme-shared', members: [USERS.eve.id], botIsMember: true },
      { id: 'CSTAKE', name: 'stakeholders', members: [USERS.dana.id], botIsMember: true },
      { id: 'CANNOUNCE', name: 'incidents', members: [], botIsMember: true },
    ],
    ...o.standIn,
  });
  const db = await createTestDatabase('e2e');
  const dataDir = await mkdtemp(join(tmpdir(), 'kranz-e2e-'));
  const env = loadEnv({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: o.apiUrl ? o.apiUrl(slack.apiUrl) : slack.apiUrl,
    DATABASE_URL: db.url,
    KRANZ_DATA_DIR: dataDir,
    PORT: '3000',
    LOG_LEVEL: 'silent',
    ...o.env,
  });
  if (!env.ok) throw new Error(env.errors.join('\n'));
  const kranz = await startKranz({
    // Port 0: the OS picks a free one, so test files can run side by side.
    env: { ...env.value, port: o.port ?? 0 },
    policy: o.policy ?? testPolicy,
    log: o.log ?? createLogger(process.env['KRANZ_TEST_LOG'] ?? 'silent'),
    outboxPollMs: o.outboxPollMs ?? 50,
    intakePollMs: 200,
    extensions: o.extensions ?? [],
    ...(o.deliverers ? { deliverers: o.deliverers } : {}),
    ...(o.answerInAckWaitMs !== undefined ? { answerInAckWaitMs: o.answerInAckWaitMs } : {}),
  });
  slack.setBotEndpoint(`${kranz.url}/slack/events`);
  const pool = testPool(db.url, 3);
  return {
    kranz, slack, pool, db, dataDir,
    async close() {
      await kranz.stop();
      await slack.close();
      await pool.end();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The incident channel of INC-n in the stand-in, once Kranz has created it. */
export async function incidentChannel(h: Harness, number: number): Promise<{ id: string; name: string }> {
  return h.slack.waitFor(() => [...h.slack.workspace.channels.values()].find((c) => c.name.startsWith(`inc-${number}-`)), { what: `channel of INC-${number}` });
}

/**
 * Waits until Kranz has applied every request it acknowledged (the inbound
 * archive has nothing unapplied) and delivered everything it queued.
 */
export async function outboxDrained(h: Harness, timeoutMs = 8_000): Promise<void> {
  await h.slack.waitForDeliveries();
  const start = Date.now();
  for (;;) {
    const r = await h.pool.query<{ inbound: string; outbox: string }>(
      `select (select count(*) from inbound_archive where status = 'received')::text as inbound,
              (select count(*) from outbox where status = 'pending')::text as outbox`,
    );
    const row = r.rows[0];
    if (row?.inbound === '0' && row.outbox === '0') return;
    if (Date.now() - start > timeoutMs) throw new Error(`not settled: ${row?.inbound} inbound unapplied, ${row?.outbox} outbox rows pending`);
    await new Promise((res) => setTimeout(res, 20));
  }
}
