/**
 * The demo's world, all in this process and all offline: the Slack,
 * PagerDuty and Statuspage stand-ins seeded with the cast, a local SMTP
 * server for the customer emails, and Kranz itself on the embedded
 * PostgreSQL in the demo's own data dir, sharing the story's clock.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { Logger } from 'pino';
import { loadEnv } from '../../config/env.ts';
import type { Policy } from '../../domain/policy.ts';
import type { Kranz, KranzExtension, StartKranz } from '../../runtime.ts';
import { startPagerDutyStandIn, STAND_IN_TOKEN, type PagerDutyStandIn } from '../pagerduty/stand-in.ts';
import { DEFAULT_PRIORITIES } from '../pagerduty/state.ts';
import { startSlackStandIn, type SlackStandIn } from '../slack/index.ts';
import { startSmtpStandIn, type SmtpStandIn } from '../smtp/stand-in.ts';
import { startStatusPageStandIn, STATUSPAGE_STAND_IN_KEY, type StatusPageStandIn } from '../statuspage/stand-in.ts';
import { PAGERDUTY, PEOPLE, SLACK, STATUSPAGE, seedChannels, seedUserGroups, seedUsers } from './cast.ts';
import type { StoryClock } from './story-clock.ts';

/** Everything running for the demo. */
export interface DemoWorld {
  slack: SlackStandIn;
  pd: PagerDutyStandIn;
  statusPage: StatusPageStandIn;
  smtp: SmtpStandIn;
  kranz: Kranz;
  /** Stops Kranz (and with it the embedded PostgreSQL), then the stand-ins. Safe to call twice. */
  close(): Promise<void>;
}

/** Options for {@link startWorld}. */
export interface WorldOptions {
  dataDir: string;
  clock: StoryClock;
  policy: Policy;
  log: Logger;
  start: StartKranz;
  extensions: KranzExtension[];
  /** Kranz's port when it is free (the web view's URL); default any free port. */
  preferredPort?: number;
}

/**
 * Statuspage allows about one call per second per key. The story's minutes
 * pass in moments, so Kranz spaces its calls by a tenth of that, and the
 * stand-in refuses (420) calls closer than half of it: the same rule at the
 * demo's pace, with room for a busy machine's timer jitter, so the story
 * does not change with the load.
 */
export const DEMO_STATUSPAGE_INTERVAL_MS = 100;

/** Gives the Statuspage stand-in the shop's page and its components. */
function seedStatusPage(sp: StatusPageStandIn): void {
  sp.state.addPage({ id: STATUSPAGE.pageId, name: STATUSPAGE.pageName });
  for (const c of Object.values(STATUSPAGE.components)) sp.state.addComponent(STATUSPAGE.pageId, { id: c.id, name: c.name });
}

/** Gives the PagerDuty stand-in the database service and its on-call engineers (who have Slack accounts). */
function seedPagerDuty(pd: PagerDutyStandIn): void {
  const s = pd.state;
  s.addUser({ id: PAGERDUTY.users.mara, name: PEOPLE.mara.real_name, email: PEOPLE.mara.email });
  s.addUser({ id: PAGERDUTY.users.leo, name: PEOPLE.leo.real_name, email: PEOPLE.leo.email });
  s.addUser({ id: PAGERDUTY.users.bot, name: 'Kranz', email: PAGERDUTY.botEmail });
  s.addEscalationPolicy({ id: PAGERDUTY.escalationPolicy, name: 'Database on-call' });
  s.addService({ id: PAGERDUTY.service, name: PAGERDUTY.serviceName, escalationPolicyId: PAGERDUTY.escalationPolicy });
  s.addOnCall({ userId: PAGERDUTY.users.mara, escalationPolicyId: PAGERDUTY.escalationPolicy, level: 1 });
  s.addOnCall({ userId: PAGERDUTY.users.leo, escalationPolicyId: PAGERDUTY.escalationPolicy, level: 1 });
  s.priorities.push(...DEFAULT_PRIORITIES.map((p) => ({ ...p })));
}

/**
 * Runs `start` with `DATABASE_URL` unset. The embedded database is chosen by
 * leaving the URL out, and the pool falls back to `process.env.DATABASE_URL`
 * when it is absent: a demo run in a shell configured for production must
 * never write its story into the production database.
 */
async function withoutDatabaseUrl<T>(start: () => Promise<T>): Promise<T> {
  const saved = process.env['DATABASE_URL'];
  delete process.env['DATABASE_URL'];
  try {
    return await start();
  } finally {
    if (saved !== undefined) process.env['DATABASE_URL'] = saved;
  }
}

/** `preferred` when it is free (3000 is an easy URL to open), else any free port. */
async function webPort(preferred: number | undefined): Promise<number> {
  const tryPort = (port: number): Promise<number | undefined> => new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : undefined));
    });
  });
  return (preferred !== undefined ? await tryPort(preferred) : undefined) ?? (await tryPort(0)) ?? 0;
}

/** Starts the stand-ins, then Kranz pointed at them; stops what started if a later part fails. */
export async function startWorld(o: WorldOptions): Promise<DemoWorld> {
  const stops: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    // Reverse order: Kranz first, so it never talks to a stand-in that is gone.
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const slack = await startSlackStandIn({
      botToken: SLACK.botToken,
      signingSecret: SLACK.signingSecret,
      users: seedUsers(),
      channels: seedChannels(),
      userGroups: seedUserGroups(),
      team: { name: 'Kranz Demo', domain: 'kranz-demo' },
      // Message times follow the story; request signatures keep real time, as Bolt checks them against its own clock.
      now: () => o.clock.nowMs(),
    });
    stops.push(() => slack.close());
    const pd = await startPagerDutyStandIn({ seed: false, now: () => o.clock.now() });
    stops.push(() => pd.close());
    seedPagerDuty(pd);
    const statusPage = await startStatusPageStandIn({ now: () => o.clock.now(), rateLimit: { max: 1, windowMs: DEMO_STATUSPAGE_INTERVAL_MS / 2 } });
    stops.push(() => statusPage.close());
    seedStatusPage(statusPage);
    const smtp = await startSmtpStandIn();
    stops.push(() => smtp.close());

    // The web view signs in through the local Slack, so Kranz's own URL must be known before it starts.
    const port = await webPort(o.preferredPort);
    const env = loadEnv({
      SLACK_BOT_TOKEN: SLACK.botToken,
      SLACK_SIGNING_SECRET: SLACK.signingSecret,
      SLACK_API_URL: slack.apiUrl,
      KRANZ_DATA_DIR: o.dataDir,
      PORT: '3000',
      PAGERDUTY_TOKEN: STAND_IN_TOKEN,
      PAGERDUTY_API_URL: pd.url,
      PAGERDUTY_WEBHOOK_SECRETS: PAGERDUTY.webhookSecret,
      PAGERDUTY_FROM_EMAIL: PAGERDUTY.botEmail,
      STATUSPAGE_API_KEY: STATUSPAGE_STAND_IN_KEY,
      STATUSPAGE_API_URL: statusPage.apiUrl,
      SMTP_URL: smtp.url,
      KRANZ_MAIL_FROM: STATUSPAGE.mailFrom,
      SLACK_CLIENT_ID: slack.oauth.clientId,
      SLACK_CLIENT_SECRET: slack.oauth.clientSecret,
      KRANZ_PUBLIC_URL: `http://127.0.0.1:${port}`,
      KRANZ_SESSION_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'warn',
      // Reminders are checked every second so a late update is noticed within the demo's pace.
      KRANZ_TICK_SECONDS: '1',
    });
    if (!env.ok) throw new Error(`The demo environment is invalid:\n${env.errors.join('\n')}`);
    const kranz = await withoutDatabaseUrl(() => o.start({
      // A free port (3000 when the web view stays open and 3000 is free), so the demo never clashes with a Kranz already running.
      env: { ...env.value, port },
      policy: o.policy,
      log: o.log,
      clock: o.clock,
      outboxPollMs: 100,
      // One delivery at a time, in the order Kranz queued them: rows of different channels would
      // otherwise race each other, and two runs of the demo would tell the same story in two orders.
      outboxBatch: 1,
      intakePollMs: 200,
      extensions: o.extensions,
    }));
    stops.push(() => kranz.stop());
    slack.setBotEndpoint(`${kranz.url}/slack/events`);
    return { slack, pd, statusPage, smtp, kranz, close };
  } catch (e) {
    await close();
    throw e;
  }
}
