/**
 * An in-process Kranz for the fault tests: real HTTP on a free port, the
 * Slack stand-in, optionally the PagerDuty stand-in and the PagerDuty
 * extension with webhook secrets, against the fault test's own PostgreSQL
 * (see faults-pg.ts) rather than the main suite's shared server.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadEnv } from '../../src/config/env.ts';
import type { Clock } from '../../src/app/ports.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { pagerDutyExtension } from '../../src/extensions.ts';
import { createLogger, startKranz } from '../../src/main.ts';
import type { Kranz } from '../../src/runtime.ts';
import { startPagerDutyStandIn, STAND_IN_TOKEN, type PagerDutyStandIn } from '../../src/sandbox/pagerduty/stand-in.ts';
import { SEED } from '../../src/sandbox/pagerduty/state.ts';
import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/index.ts';
import { testPolicy } from './domain.ts';
import { asPdServiceId } from '../../src/domain/ids.ts';

export const FAULT_SIGNING_SECRET = 'faults-signing-secret';
export const FAULT_BOT_TOKEN = 'xoxb-faults-token';
export const FAULT_PD_SECRET = 'faults-pd-webhook-secret';
/** The PagerDuty stand-in's seeded service; the fault policy auto-opens incidents for it. */
export const PD_SERVICE = SEED.services.checkout;

export const FAULT_USERS = {
  dana: { id: 'UDANA', name: 'dana', real_name: 'Dana Commander', email: 'dana@corp.test' },
  eve: { id: 'UEVE', name: 'eve', real_name: 'Eve Liaison', email: 'eve@corp.test' },
  alice: { id: 'UALICE', name: 'alice', real_name: 'Alice Archer', email: SEED.emails.alice },
};

/** Relay channels the fault policy uses: the customer's shared channel and the stakeholders'. */
export const RELAY_CHANNELS = ['CACME', 'CSTAKE'] as const;

/** testPolicy plus a PagerDuty service that opens incidents on its own. */
export const faultPolicy: Policy = {
  ...testPolicy,
  pagerduty: {
    ...testPolicy.pagerduty,
    services: [{ serviceId: asPdServiceId(PD_SERVICE), autoOpen: true, severityByPriority: {}, severityByUrgency: { high: 'SEV1', low: 'SEV3' }, customers: [] }],
  },
};

/** Starts the Slack stand-in with the fault tests' workspace. */
export function startFaultSlack(o: { now?: () => number } = {}): Promise<SlackStandIn> {
  return startSlackStandIn({
    botToken: FAULT_BOT_TOKEN,
    signingSecret: FAULT_SIGNING_SECRET,
    users: Object.values(FAULT_USERS),
    channels: [
      { id: 'CGENERAL', name: 'general', members: Object.values(FAULT_USERS).map((u) => u.id), botIsMember: true, is_general: true },
      { id: 'CACME', name: 'acme-shared', members: [FAULT_USERS.eve.id], botIsMember: true },
      { id: 'CSTAKE', name: 'stakeholders', members: [FAULT_USERS.dana.id], botIsMember: true },
      { id: 'CANNOUNCE', name: 'incidents', members: [], botIsMember: true },
    ],
    // A Kranz under fault (a stopped database) may take longer than Slack's 3 s; the test judges the ack time itself.
    deliveryTimeoutMs: 10_000,
    ...(o.now ? { now: o.now } : {}),
  });
}

export interface FaultKranz {
  kranz: Kranz;
  slack: SlackStandIn;
  pd: PagerDutyStandIn | undefined;
  /** A pool of the test's own for reading what Kranz stored (survives a restart of the server). */
  pool: pg.Pool;
  dataDir: string;
  /** `<dataDir>/spool/inbound.jsonl`. */
  spoolFile: string;
  close(): Promise<void>;
}

export interface FaultKranzOptions {
  databaseUrl: string;
  clock?: Clock;
  /** Slack stand-in clock (ms); defaults to the real one. */
  slackNow?: () => number;
  /** Start the PagerDuty REST stand-in and give Kranz a token for it. */
  pagerDuty?: boolean;
  outboxPollMs?: number;
  intakePollMs?: number;
}

/** Starts the stand-ins and Kranz (with the PagerDuty extension) on `databaseUrl`. */
export async function startFaultKranz(o: FaultKranzOptions): Promise<FaultKranz> {
  const slack = await startFaultSlack(o.slackNow ? { now: o.slackNow } : {});
  const pd = o.pagerDuty ? await startPagerDutyStandIn() : undefined;
  const dataDir = await mkdtemp(join(tmpdir(), 'kranz-faults-data-'));
  const env = loadEnv({
    SLACK_BOT_TOKEN: FAULT_BOT_TOKEN,
    SLACK_SIGNING_SECRET: FAULT_SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    DATABASE_URL: o.databaseUrl,
    KRANZ_DATA_DIR: dataDir,
    PORT: '3000',
    LOG_LEVEL: 'silent',
    PAGERDUTY_WEBHOOK_SECRETS: FAULT_PD_SECRET,
    ...(pd ? { PAGERDUTY_TOKEN: STAND_IN_TOKEN, PAGERDUTY_API_URL: pd.url, PAGERDUTY_FROM_EMAIL: SEED.emails.bot } : {}),
  });
  if (!env.ok) throw new Error(env.errors.join('\n'));
  const kranz = await startKranz({
    env: { ...env.value, port: 0 },
    policy: faultPolicy,
    log: createLogger(process.env['KRANZ_TEST_LOG'] ?? 'silent'),
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.outboxPollMs !== undefined ? { outboxPollMs: o.outboxPollMs } : {}),
    ...(o.intakePollMs !== undefined ? { intakePollMs: o.intakePollMs } : {}),
    extensions: [pagerDutyExtension],
  });
  slack.setBotEndpoint(`${kranz.url}/slack/events`);
  const pool = new pg.Pool({ connectionString: o.databaseUrl, max: 3 });
  // The test stops the server on purpose; an idle client dying then is expected.
  pool.on('error', () => undefined);
  return {
    kranz, slack, pd, pool, dataDir,
    spoolFile: join(dataDir, 'spool', 'inbound.jsonl'),
    async close() {
      await kranz.stop();
      await slack.close();
      await pd?.close();
      await pool.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Records waiting in the spool: the live file plus one being replayed. */
export async function spooledKeys(spoolFile: string): Promise<string[]> {
  const keys: string[] = [];
  for (const f of [spoolFile, `${spoolFile}.replaying`]) {
    const text = await readFile(f, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      keys.push((JSON.parse(line) as { dedupeKey: string }).dedupeKey);
    }
  }
  return keys;
}

/** Polls `check` every `everyMs` until it returns something truthy; throws after `timeoutMs`. */
export async function until<T>(check: () => Promise<T | undefined | false | null>, o: { timeoutMs: number; everyMs?: number; what: string }): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${o.timeoutMs} ms waiting for ${o.what}`);
    await new Promise((r) => setTimeout(r, o.everyMs ?? 100));
  }
}

/** One fault's figures, printed in one block so the run log reads as a table. */
export interface FaultFigures {
  fault: string;
  sent: number;
  acknowledged: number;
  applied: number;
  duplicated: number;
  lost: number;
  extra?: Record<string, string | number>;
}

export function printFigures(f: FaultFigures): void {
  const extra = Object.entries(f.extra ?? {}).map(([k, v]) => `  ${k}: ${v}`).join('\n');
  console.log(
    `\n[faults] ${f.fault}\n  sent: ${f.sent}  acknowledged: ${f.acknowledged}  applied: ${f.applied}  duplicated: ${f.duplicated}  lost: ${f.lost}\n${extra}`,
  );
}
