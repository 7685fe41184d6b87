/**
 * The composition root: the only place I/O objects are built. `startKranz`
 * opens the database (embedded when DATABASE_URL is unset), refuses a wrong
 * data dir or database, migrates, and wires Slack, PagerDuty, the outbox
 * worker and the scheduler behind one HTTP port.
 */
import { coalesce } from './lib/coalesce.ts';
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { createLogger as makeLogger } from './adapters/logging.ts';
import type { AppDeps, Clock } from './app/ports.ts';
import { systemClock } from './app/ports.ts';
import { OutboxWorker, type Deliverer } from './app/deliver-outbox.ts';
import { statusPagePolicy, type Policy } from './domain/policy.ts';
import type { EnvConfig } from './config/env.ts';
import { openDatabase, type Database } from './adapters/db/pool.ts';
import { migrate } from './adapters/db/migrate.ts';
import { checkInstallation, recordInstallation } from './adapters/db/installation.ts';
import { checkDatabaseHealth } from './adapters/db/health.ts';
import { PostgresStore, deliveryReads, outboxQueue } from './adapters/db/store.ts';
import { createHttpServer, type Handler, type WebRoute } from './adapters/http/server.ts';
import { healthRoute } from './adapters/http/health-route.ts';
import { createSlackApp, outboxWebClient, type SlackApp } from './adapters/slack/bolt-app.ts';
import { slackPeopleDirectory } from './adapters/slack/people.ts';
import { SlackDeliverer } from './adapters/slack/deliverer.ts';
import type { SnoozeFn } from './adapters/slack/listeners/context.ts';
import { Intake } from './adapters/intake/intake.ts';
import { createMetrics, type Metrics } from './adapters/metrics.ts';
import { incidentTimes, openIncidentCounts } from './adapters/db/incident-stats-sql.ts';
import { outboxStats } from './adapters/db/outbox-sql.ts';
import { failedInboundCount } from './adapters/db/repair-sql.ts';
import { leaseHolders, releaseLeasesOf } from './adapters/db/leases-sql.ts';
import { dataDirTag, newWorkerId, parseWorkerId } from './adapters/db/worker-identity.ts';
import { Spool } from './adapters/intake/spool.ts';
import { retentionTick } from './adapters/intake/retention.ts';
import { startScheduler } from './scheduler/scheduler.ts';

export interface KranzOptions {
  env: EnvConfig;
  policy: Policy;
  log?: Logger;
  clock?: Clock;
  /** Extra outbox targets (tests). */
  deliverers?: Record<string, Deliverer>;
  /** How often the outbox is polled when nobody kicks it. */
  outboxPollMs?: number;
  /**
   * Outbox rows claimed and delivered side by side per pass (default 20).
   * The demo uses 1 so Kranz's calls happen, and are told, in the order it queued them.
   */
  outboxBatch?: number;
  /** How often spooled and unapplied inbound requests are retried. */
  intakePollMs?: number;
  /** How long one `/healthz` check's result is shared by every caller (default 2 s). */
  healthCacheMs?: number;
  /** Start the HTTP server (false for `kranz migrate`-like uses). */
  listen?: boolean;
  /** Hooks later layers plug in (PagerDuty intake, reminders, metrics). */
  extensions?: KranzExtension[];
}

/** A feature that needs the running Kranz (PagerDuty intake, scheduler, metrics). */
export interface KranzExtension {
  name: string;
  start(k: KranzRuntime): Promise<ExtensionHandle | void>;
}
export interface ExtensionHandle {
  routes?: { pagerDutyWebhook?: Handler; metrics?: Handler; web?: WebRoute };
  snooze?: SnoozeFn;
  deliverers?: Record<string, Deliverer>;
  stop?(): Promise<void>;
}

export interface KranzRuntime {
  env: EnvConfig;
  deps: AppDeps;
  db: Database;
  intake: Intake;
  spool: Spool;
  metrics: Metrics;
  log: Logger;
  installationId: string;
  kick(): void;
  workerId: string;
}

export interface Kranz extends KranzRuntime {
  url: string;
  server?: Server;
  slack?: SlackApp;
  outbox: OutboxWorker;
  stop(): Promise<void>;
}

/** The service's logger: JSON on stdout (pretty on a terminal unless LOG_FORMAT=json). */
export function createLogger(level: string): Logger {
  return makeLogger({ level });
}

/** Opens, checks and migrates the database: the part `kranz migrate` shares with start. */
export async function openCheckedDatabase(env: EnvConfig, log: Logger): Promise<{ db: Database; installationId: string; applied: string[] }> {
  const db = await openDatabase({ ...(env.databaseUrl ? { databaseUrl: env.databaseUrl } : {}), dataDir: env.dataDir, log });
  try {
    const opts = { pool: db.pool, dataDir: env.dataDir, databaseLabel: db.url, log };
    await checkInstallation(opts);
    const { applied } = await migrate(db.pool, { log });
    const installationId = await recordInstallation(opts);
    return { db, installationId, applied };
  } catch (e) {
    await db.close();
    throw e;
  }
}

/** The policy with the outlets the environment configures: a status page needs its key, email its SMTP server. */
export function withOutlets(policy: Policy, env: EnvConfig): Policy {
  const sp = statusPagePolicy(policy);
  return { ...policy, statuspage: { ...sp, outlets: { statusPage: Boolean(sp.pageId && env.statuspage.apiKey), email: Boolean(env.email.smtpUrl && env.email.from) } } };
}

export async function startKranz(o: KranzOptions): Promise<Kranz> {
  const log = o.log ?? createLogger(o.env.logLevel);
  const clock = o.clock ?? systemClock;
  const { db, installationId, applied } = await openCheckedDatabase(o.env, log);
  if (applied.length) log.info({ applied }, 'migrations applied');
  const deps: AppDeps = {
    store: new PostgresStore(db.pool),
    clock,
    // Customer-facing publication goes only where this environment can reach (STATUSPAGE_API_KEY, SMTP_URL).
    policy: withOutlets(o.policy, o.env),
    newId: randomUUID,
    sha256: (t) => createHash('sha256').update(t).digest('hex'),
  };
  const tag = await dataDirTag(o.env.dataDir);
  const workerId = newWorkerId(tag);
  await releaseLeasesOfTheDead(db, clock, log, tag);

  let outbox: OutboxWorker | undefined;
  // One outbox pass in flight and one more if kicked meanwhile: a kick means "there may be new rows".
  const kick = coalesce(async () => {
    if (!outbox) return;
    while ((await outbox.runOnce()) > 0) { /* drain what is due */ }
  }, (e) => log.warn({ err: e instanceof Error ? e.message : e }, 'outbox pass failed; will retry'));
  const spool = new Spool(o.env.dataDir);
  await spool.depth();
  const metrics = createMetrics({
    outbox: () => outboxStats(db.pool, clock.now()), spoolDepth: () => spool.knownDepth, inboundFailed: () => failedInboundCount(db.pool),
    incidents: async () => ({ open: await openIncidentCounts(db.pool), times: await incidentTimes(db.pool) }),
    severities: o.policy.severities.map((s) => s.key),
  }, { defaults: o.listen !== false });
  const intake = new Intake({ pool: db.pool, spool, clock, log, workerId, onStored: (source, result) => metrics.eventsIngested.inc({ source, result }) });
  const runtime: KranzRuntime = { env: o.env, deps, db, log, installationId, kick, workerId, intake, spool, metrics };

  const handles: ExtensionHandle[] = [];
  for (const ext of o.extensions ?? []) {
    const h = await ext.start(runtime);
    if (h) handles.push(h);
  }
  const snooze = handles.find((h) => h.snooze)?.snooze;

  const deliverers: Record<string, Deliverer> = { ...o.deliverers };
  for (const h of handles) Object.assign(deliverers, h.deliverers);
  let slack: SlackApp | undefined;
  const { botToken, signingSecret, appToken, apiUrl } = o.env.slack;
  if (botToken) {
    const client = outboxWebClient(botToken, apiUrl, log);
    let botUser: Promise<string> | undefined;
    const botUserId = (): Promise<string> => {
      botUser ??= client.auth.test().then((r) => r.user_id ?? '').catch((e: unknown) => {
        botUser = undefined;
        throw e;
      });
      return botUser;
    };
    deliverers['slack'] = new SlackDeliverer({ client, reads: deliveryReads(db.pool), policy: o.policy, botUserId });
    // Display names for the events (and so the reports), looked up once per person.
    deps.people = slackPeopleDirectory(client);
    slack = createSlackApp({
      botToken, signingSecret: signingSecret ?? '', apiUrl, ...(appToken ? { appToken } : {}),
      listeners: { app: deps, kick, log, ...(snooze ? { snooze } : {}) },
      intake,
      onAckLatency: (ms, kind) => metrics.ackLatency.observe({ kind }, ms / 1000),
      onRejected: (reason) => metrics.requestsRejected.inc({ source: 'slack', reason }),
    });
  }
  outbox = new OutboxWorker(deps, outboxQueue(db.pool), deliverers, {
    workerId,
    ...(o.outboxBatch !== undefined ? { batch: o.outboxBatch } : {}),
    onDelivered: (row) => metrics.delivered.inc({ target: row.target }),
    onFailed: (row, f) => {
      if (f.retryable && f.waiting) {
        log.debug({ op: row.op, orderKey: row.orderKey, reason: f.error }, 'delivery waits for an earlier effect');
        return;
      }
      metrics.apiErrors.inc({ api: row.target, error: f.error.slice(0, 60) });
      log.warn({ op: row.op, orderKey: row.orderKey, attempts: row.attempts, error: f.error, retryable: f.retryable }, f.retryable ? 'delivery failed; will retry' : 'delivery failed permanently (dead letter)');
    },
  });
  // A short poll picks up retries soon after their Retry-After ends (each 429 otherwise costs up to a poll more).
  const poll = setInterval(kick, o.outboxPollMs ?? 250);
  poll.unref();

  const healthz: Handler = healthRoute({
    check: () => checkDatabaseHealth(db.pool, { installationId }),
    installationId, log, ...(o.healthCacheMs !== undefined ? { cacheMs: o.healthCacheMs } : {}),
  });
  let server: Server | undefined;
  let url = '';
  if (o.listen !== false) {
    const routes = Object.assign({}, ...handles.map((h) => h.routes ?? {}));
    const metricsRoute: Handler = async (_req, res) => {
      const text = await metrics.render();
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(text);
    };
    server = createHttpServer({ healthz, metrics: metricsRoute, ...(slack?.requestListener ? { slackEvents: slack.requestListener } : {}), ...routes }, log);
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(o.env.port, () => resolve());
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    log.info({ url, installationId, embedded: db.embedded, socketMode: Boolean(appToken) }, 'Kranz is listening');
  }
  // Raw requests past retention.inbound: checked every minute, pruned once an hour (one replica).
  const prune = retentionTick({ pool: db.pool, spool, retentionMs: o.policy.retention.inboundMs, log });
  const retention = startScheduler({
    tickSeconds: 60, clock, log, name: 'kranz-retention',
    tick: (now) => prune(now),
  });
  await slack?.start();
  intake.start(o.intakePollMs ?? 2_000);
  void intake.runOnce();
  kick();

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    clearInterval(poll);
    // Stop intake first, then let in-flight work and one outbox pass finish.
    // In-flight requests get a grace period, not forever: server.close() waits
    // for every open request, and a client that never finishes sending one
    // would hold shutdown until Node's request timeout (5 minutes).
    if (server) {
      const graceMs = 3_000;
      const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
      server.closeIdleConnections();
      const cutoff = setTimeout(() => server!.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(cutoff);
    }
    await slack?.stop();
    await retention.stop();
    await intake.stop();
    for (const h of handles.reverse()) await h.stop?.().catch((e: unknown) => log.warn({ err: e }, 'extension stop failed'));
    await kick.idle();
    await outbox!.runOnce().catch(() => 0);
    await db.close();
  };
  return { ...runtime, url, ...(server ? { server } : {}), ...(slack ? { slack } : {}), outbox, stop };
}

/**
 * After a crash (kill -9, an OOM kill) the dead process's leases on outbox
 * rows and inbound requests would hold them for a minute. Freed at start:
 * leases of this data directory's previous incarnations (same tag, whatever
 * their host name and pid: a container restarts with a new host name and
 * pid 1 again), and leases of processes on this host that are gone. A live
 * process is never robbed, even one sharing the tag; other hosts' leases are
 * left to expire, since we cannot tell whether those processes live.
 */
async function releaseLeasesOfTheDead(db: Database, clock: Clock, log: Logger, tag: string): Promise<void> {
  const host = hostname();
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code !== 'ESRCH';
    }
  };
  const holders = await leaseHolders(db.pool, clock.now());
  const dead = holders.filter((id) => {
    const w = parseWorkerId(id);
    if (!w) return false;
    const sameHost = w.host === host;
    // Our own pid on this host can only be an earlier process: this one has held nothing yet.
    const running = sameHost && w.pid !== process.pid && alive(w.pid);
    if (running) return false;
    return (tag !== '' && w.tag === tag) || sameHost;
  });
  const released = await releaseLeasesOf(db.pool, dead);
  if (released.outbox || released.inbound) log.info({ ...released, workers: dead }, 'released the leases of processes that died (a previous run of this data directory, or a dead local process)');
}
