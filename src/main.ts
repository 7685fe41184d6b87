/**
 * The composition root: the only place I/O objects are built. `startKranz`
 * opens the database (embedded when DATABASE_URL is unset), refuses a wrong
 * data dir or database, migrates, and wires Slack, PagerDuty, the outbox
 * worker and the scheduler behind one HTTP port.
 */
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
import { createHttpServer, type Handler } from './adapters/http/server.ts';
import { activityReads } from './adapters/db/activity-sql.ts';
import { healthRoute } from './adapters/http/health-route.ts';
import { createSlackApp, outboxWebClient, type SlackApp } from './adapters/slack/bolt-app.ts';
import { slackPeopleDirectory } from './adapters/slack/people.ts';
import { slackAccessDirectory } from './adapters/slack/access-directory.ts';
import { SlackDeliverer } from './adapters/slack/deliverer.ts';
import { Intake } from './adapters/intake/intake.ts';
import { createMetrics, type Metrics } from './adapters/metrics.ts';
import { incidentTimes, openIncidentCounts } from './adapters/db/incident-stats-sql.ts';
import { nextOutboxDue, outboxStats } from './adapters/db/outbox-sql.ts';
import { listenForOutbox } from './adapters/db/outbox-listen.ts';
import { WakeTimer } from './lib/wake-timer.ts';
import { failedInboundCount } from './adapters/db/repair-sql.ts';
import { leaseHolders, releaseLeasesOf } from './adapters/db/leases-sql.ts';
import { dataDirTag, newWorkerId, parseWorkerId } from './adapters/db/worker-identity.ts';
import { Spool } from './adapters/intake/spool.ts';
import { retentionTick } from './adapters/intake/retention.ts';
import { startScheduler } from './scheduler/scheduler.ts';
import { coalesce } from './lib/coalesce.ts';
import type { ExtensionHandle, Kranz, KranzOptions, KranzRuntime } from './runtime.ts';

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

/** How soon a row found due but not claimable (held by another replica's claim) is looked at again. */
const OVERDUE_RECHECK_MS = 50;

export async function startKranz(o: KranzOptions): Promise<Kranz> {
  const log = o.log ?? createLogger(o.env.logLevel);
  const clock = o.clock ?? systemClock;
  const { db, installationId, applied } = await openCheckedDatabase(o.env, log);
  if (applied.length) log.info({ applied }, 'migrations applied');
  // Customer-facing publication goes only where this environment can reach (STATUSPAGE_API_KEY, SMTP_URL).
  const store = new PostgresStore(db.pool);
  const deps = appDeps(store, clock, withOutlets(o.policy, o.env));
  // Channel and user-group membership for the permissions policy; set before extensions start, since the web view shares it (admins).
  if (o.env.slack.botToken) deps.access = slackAccessDirectory(outboxWebClient(o.env.slack.botToken, o.env.slack.apiUrl, log));
  const tag = await dataDirTag(o.env.dataDir);
  const workerId = newWorkerId(tag);
  await releaseLeasesOfTheDead(db, clock, log, tag);

  let outbox: OutboxWorker | undefined;
  // One outbox pass in flight and one more if kicked meanwhile: a kick means "there may be new rows".
  // Once nothing is due, the timer is set to the next row that will be: a wake-up that came a
  // moment too soon (or a row another replica retried) is not left to the idle poll.
  const kick = coalesce(
    async () => {
      if (!outbox) return;
      while ((await outbox.runOnce()) > 0) { /* drain what is due */ }
      await wakeWhenDue();
    },
    (e) => log.warn({ err: e instanceof Error ? e.message : e }, 'outbox pass failed; will retry'),
  );
  const dueTimer = new WakeTimer(kick, () => clock.now().getTime());
  // A commit here that queued rows wakes the worker at once, whatever use case made it (a reply feels
  // instant), and a command that queued nothing (a note) costs no pass.
  store.onQueued(kick);
  /**
   * Sets the timer to the next due row (rows retried by another replica, or before a restart).
   * A row already due that the pass did not get (another replica's claim holds it) is looked at
   * again shortly, not in a loop.
   */
  const wakeWhenDue = async (): Promise<void> => {
    const due = await nextOutboxDue(db.pool).catch(() => undefined);
    if (due) dueTimer.in(Math.max(OVERDUE_RECHECK_MS, due.getTime() - clock.now().getTime()));
  };
  const spool = new Spool(o.env.dataDir);
  await spool.depth();
  const metrics = createMetrics({
    outbox: () => outboxStats(db.pool, clock.now()), spoolDepth: () => spool.knownDepth, inboundFailed: () => failedInboundCount(db.pool),
    incidents: async () => ({ open: await openIncidentCounts(db.pool), times: await incidentTimes(db.pool) }),
    severities: o.policy.severities.map((s) => s.key),
  }, { defaults: o.listen !== false });
  // A refusal is the operator's business too (a misconfigured rule, someone probing): logged and counted, never on a timeline.
  deps.audit = {
    denied: (d) => {
      metrics.permissionDenied.inc({ action: d.action, reason: d.reason });
      log.warn({ action: d.action, userId: d.userId, incidentId: d.incidentId, incident: d.number === undefined ? undefined : `INC-${d.number}`, reason: d.reason }, 'permission denied');
    },
  };
  const intake = new Intake({ pool: db.pool, spool, clock, log, workerId, onStored: (source, result) => metrics.eventsIngested.inc({ source, result }) });
  const runtime: KranzRuntime = { env: o.env, deps, db, log, installationId, activity: activityReads(db.pool), kick, workerId, intake, spool, metrics };

  const handles = await startExtensions(o, runtime);
  const deliverers: Record<string, Deliverer> = { ...o.deliverers };
  for (const h of handles) Object.assign(deliverers, h.deliverers);
  // The policy with its outlets: the Slack target offers Send by email only where email can go.
  const slack = wireSlack(runtime, runtime.deps.policy, handles, deliverers, o.answerInAckWaitMs);
  outbox = createOutbox(runtime, deliverers, o.outboxBatch, (at) => dueTimer.in(at.getTime() - clock.now().getTime()));
  // The worker wakes when a row is due: at once for new rows (a kick here, a NOTIFY from any
  // replica), at its Retry-After or backoff for a retried row (a timer to that moment). The
  // idle poll only covers what nobody announces (a dead replica's lease running out), so it can be slow.
  const listener = listenForOutbox(db.pool, { onNotify: kick, log, ignoreFrom: store.announcerId });
  // Each pass ends by setting the timer to the next due row, so the poll and the first kick need nothing more.
  const poll = setInterval(kick, o.outboxPollMs ?? 5_000);
  poll.unref();
  const server = o.listen !== false ? await listen(runtime, o, handles, slack) : undefined;
  const url = server ? `http://127.0.0.1:${(server.address() as AddressInfo).port}` : '';
  if (server) log.info({ url, installationId, embedded: db.embedded, socketMode: Boolean(o.env.slack.appToken) }, 'Kranz is listening');
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

  const stop = stopOnce(async () => {
    clearInterval(poll);
    dueTimer.stop();
    await listener.stop();
    // Stop intake first, then let in-flight work and one outbox pass finish.
    if (server) await closeServer(server);
    await slack?.stop();
    await retention.stop();
    await intake.stop();
    for (const h of handles.reverse()) await h.stop?.().catch((e: unknown) => log.warn({ err: e }, 'extension stop failed'));
    await kick.idle();
    await outbox!.runOnce().catch(() => 0);
    await db.close();
  });
  return { ...runtime, url, ...(server ? { server } : {}), ...(slack ? { slack } : {}), outbox, stop };
}

function appDeps(store: PostgresStore, clock: Clock, policy: KranzOptions['policy']): AppDeps {
  return {
    store,
    clock,
    policy,
    newId: randomUUID,
    sha256: (t) => createHash('sha256').update(t).digest('hex'),
  };
}

async function startExtensions(o: KranzOptions, runtime: KranzRuntime): Promise<ExtensionHandle[]> {
  const handles: ExtensionHandle[] = [];
  for (const ext of o.extensions ?? []) {
    const h = await ext.start(runtime);
    if (h) handles.push(h);
  }
  return handles;
}

/** The Bolt app and the Slack outbox target, when a bot token is configured; adds `slack` to `deliverers`. */
function wireSlack(k: KranzRuntime, policy: KranzOptions['policy'], handles: ExtensionHandle[], deliverers: Record<string, Deliverer>, answerInAckWaitMs: number | undefined): SlackApp | undefined {
  const { botToken, signingSecret, appToken, apiUrl } = k.env.slack;
  if (!botToken) return undefined;
  const client = outboxWebClient(botToken, apiUrl, k.log);
  let botUser: Promise<string> | undefined;
  const botUserId = (): Promise<string> => {
    botUser ??= client.auth.test().then((r) => r.user_id ?? '').catch((e: unknown) => {
      botUser = undefined;
      throw e;
    });
    return botUser;
  };
  deliverers['slack'] = new SlackDeliverer({ client, reads: deliveryReads(k.db.pool), policy, botUserId });
  // Display names for the events (and so the reports), looked up once per person.
  k.deps.people = slackPeopleDirectory(client);
  return createSlackApp({
    botToken, signingSecret: signingSecret ?? '', apiUrl, ...(appToken ? { appToken } : {}),
    listeners: { app: k.deps, log: k.log, remindersRunning: handles.some((h) => h.runsReminders) },
    intake: k.intake,
    ...(answerInAckWaitMs !== undefined ? { answerInAckWaitMs } : {}),
    onAckLatency: (ms, kind) => k.metrics.ackLatency.observe({ kind }, ms / 1000),
    onRejected: (reason) => k.metrics.requestsRejected.inc({ source: 'slack', reason }),
  });
}

function createOutbox(k: KranzRuntime, deliverers: Record<string, Deliverer>, batch: number | undefined, wakeAt: (at: Date) => void): OutboxWorker {
  const { log, metrics } = k;
  return new OutboxWorker(k.deps, outboxQueue(k.db.pool), deliverers, {
    workerId: k.workerId,
    ...(batch !== undefined ? { batch } : {}),
    onRetry: (_row, at) => wakeAt(at),
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
}

/** The one HTTP port: Slack events, health, metrics and the extensions' routes. */
async function listen(k: KranzRuntime, o: KranzOptions, handles: ExtensionHandle[], slack: SlackApp | undefined): Promise<Server> {
  const { db, installationId, metrics, log } = k;
  const healthz: Handler = healthRoute({
    check: () => checkDatabaseHealth(db.pool, { installationId }),
    installationId, log, ...(o.healthCacheMs !== undefined ? { cacheMs: o.healthCacheMs } : {}),
  });
  const metricsRoute: Handler = async (_req, res) => {
    const text = await metrics.render();
    res.writeHead(200, { 'content-type': metrics.registry.contentType });
    res.end(text);
  };
  const routes = Object.assign({}, ...handles.map((h) => h.routes ?? {}));
  const server = createHttpServer({ healthz, metrics: metricsRoute, ...(slack?.requestListener ? { slackEvents: slack.requestListener } : {}), ...routes }, log);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(k.env.port, () => resolve());
  });
  return server;
}

/**
 * In-flight requests get a grace period, not forever: server.close() waits
 * for every open request, and a client that never finishes sending one
 * would hold shutdown until Node's request timeout (5 minutes).
 */
async function closeServer(server: Server): Promise<void> {
  const graceMs = 3_000;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const cutoff = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(cutoff);
}

/** `stop` may be called twice (a signal during shutdown, a test's cleanup): the second call is a no-op. */
function stopOnce(stop: () => Promise<void>): () => Promise<void> {
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    await stop();
  };
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
