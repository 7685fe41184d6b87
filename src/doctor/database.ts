/**
 * Doctor checks against the database: reachable, migrated, writable, the
 * installation Kranz belongs to, and dead letters in the outbox.
 *
 * Read-only where it matters: unlike start-up, doctor never writes
 * `<dataDir>/installation.json` and never initialises an embedded cluster.
 * The one write is the health check's heartbeat row, the same one
 * `GET /healthz` writes, because only a write proves the database takes them.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { EnvConfig } from '../config/env.ts';
import { openDatabase, type Database } from '../adapters/db/pool.ts';
import { embeddedPaths } from '../adapters/db/embedded.ts';
import { loadOrCreateCredentials } from '../adapters/db/embedded-credentials.ts';
import { checkDatabaseHealth } from '../adapters/db/health.ts';
import { checkEmbeddedDataDir, readDatabaseInstallationId, readInstallationState, INSTALLATION_FILE } from '../adapters/db/installation.ts';
import { pendingMigrations } from '../adapters/db/migrate.ts';
import { listDeadLetters, outboxStats } from '../adapters/db/outbox-sql.ts';
import { failedInboundCount } from '../adapters/db/repair-sql.ts';
import { coerceError, isKranzError, sqlStateOf } from '../adapters/db/errors.ts';
import type { DbLogger } from '../adapters/db/logger.ts';
import { redactDatabaseUrl } from '../adapters/db/url.ts';
import { CheckTimeout, fail, formatMs, messageOf, pass, withTimeout, type CheckResult, type DoctorTimeouts } from './check.ts';

/** What the database checks need. */
export interface DatabaseCheckOptions {
  /**
   * `start`: pending migrations pass (start applies them), and an embedded
   * server already run by another Kranz is not attached to (start cannot run it).
   */
  mode: 'doctor' | 'start';
  timeouts: DoctorTimeouts;
  log: DbLogger;
}

/** How many dead letters are listed under the failed check. */
export const DEAD_LETTERS_SHOWN = 5;


/** Runs the database checks; stops after the first one when the database cannot be opened. */
export async function databaseChecks(env: EnvConfig, opts: DatabaseCheckOptions): Promise<CheckResult[]> {
  const opened = await open(env, opts);
  if ('result' in opened) return [opened.result];
  const { db, label } = opened;
  try {
    const results: CheckResult[] = [pass(`database reachable (${label})`)];
    const call = <T>(p: Promise<T>): Promise<T> => withTimeout(p, opts.timeouts.callMs);
    results.push(await guard('database schema', () => schemaCheck(db, opts.mode, call)));
    // A failed read must fail the installation check, not pass for "the database has no installation".
    const id: { remote?: string } = {};
    results.push(
      await guard('installation id', async () => {
        const remote = await call(readDatabaseInstallationId(db.pool));
        if (remote !== undefined) id.remote = remote;
        return installationCheck(db, env.dataDir, remote, call);
      }, true),
    );
    const { remote } = id;
    if (remote !== undefined) results.push(await guard('database accepts writes', () => writeCheck(db, remote, opts.timeouts.callMs)));
    const dead = await guard('dead letters', () => deadLetterCheck(db, call));
    if (dead) results.push(dead);
    return results;
  } finally {
    await db.close().catch(() => undefined);
  }
}

async function open(env: EnvConfig, opts: DatabaseCheckOptions): Promise<Attempt | { result: CheckResult }> {
  const what = 'database reachable';
  const { log, timeouts } = opts;
  if (env.databaseUrl) {
    const label = redactDatabaseUrl(env.databaseUrl);
    return attempt(openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir, log, poolMax: 3 }), label, timeouts.connectMs, 'check DATABASE_URL (host, port, user, password, database name) and that the server runs and accepts connections from this host');
  }
  const paths = embeddedPaths(env.dataDir);
  if (!(await exists(paths.versionFile))) {
    // No cluster yet. Refuse now if the data dir says there should be one; otherwise start creates it.
    try {
      await checkEmbeddedDataDir(env.dataDir);
    } catch (e) {
      return { result: fail(what, messageOf(e), 'restore the embedded database or set DATABASE_URL, as the problem describes', { fatal: true }) };
    }
    return { result: pass(`embedded database not created yet: kranz start creates it in ${paths.pgDir}`) };
  }
  const label = `embedded PostgreSQL in ${paths.pgDir}`;
  const fix = `see the problem; the embedded database lives in ${paths.pgDir} (KRANZ_DATA_DIR)`;
  const r = await attempt(openDatabase({ dataDir: env.dataDir, log, poolMax: 3 }), label, timeouts.embeddedStartMs, fix);
  // At start the refusal stands: this Kranz could not run the server either.
  if ('db' in r || opts.mode === 'start' || !isKranzError(r.error, 'KRANZ_EMBEDDED_IN_USE')) return r;
  // A running Kranz owns the server: ask it directly instead of starting a second one.
  let url: string;
  try {
    const creds = await loadOrCreateCredentials(paths.credentialsFile, true);
    url = `postgres://${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@127.0.0.1:${creds.port}/kranz`;
  } catch {
    return r;
  }
  return attempt(openDatabase({ databaseUrl: url, dataDir: env.dataDir, log, poolMax: 3 }), `${label}, run by a live Kranz`, timeouts.connectMs, fix);
}

type Attempt = { db: Database; label: string } | { result: CheckResult; error: unknown };

async function attempt(opening: Promise<Database>, label: string, ms: number, fix: string): Promise<Attempt> {
  try {
    return { db: await withTimeout(opening, ms), label };
  } catch (error) {
    // The open may still succeed after we gave up on it; close it then.
    if (error instanceof CheckTimeout) opening.then((db) => db.close(), () => undefined).catch(() => undefined);
    const problem = error instanceof CheckTimeout ? `${label} did not answer within ${formatMs(ms)}` : messageOf(error);
    return { result: fail('database reachable', problem, fix, { fatal: true }), error };
  }
}

async function schemaCheck(db: Database, mode: DatabaseCheckOptions['mode'], call: <T>(p: Promise<T>) => Promise<T>): Promise<CheckResult> {
  const pending = await call(pendingMigrations(db.pool));
  if (pending.length === 0) return pass('database schema up to date (no pending migrations)');
  const list = pending.join(', ');
  if (mode === 'start') return pass(`database schema: ${pending.length} pending migrations (${list}); start applies them now`);
  return fail('database schema', `${pending.length} ${pending.length === 1 ? 'migration is' : 'migrations are'} not applied: ${list}`, 'run kranz migrate (kranz start also migrates before it serves)');
}

/** {@link checkInstallation}'s judgement without its side effect (adopting writes the state file). */
async function installationCheck(db: Database, dataDir: string, remote: string | undefined, call: <T>(p: Promise<T>) => Promise<T>): Promise<CheckResult> {
  const what = 'installation id';
  const file = join(embeddedPaths(dataDir).root, INSTALLATION_FILE);
  const local = await call(readInstallationState(dataDir));
  if (local && remote === undefined) {
    return fail(
      what,
      `data dir ${dataDir} belongs to installation ${local.installationId} (last used with ${local.databaseUrl}), but the database ${db.url} has no Kranz installation: it is empty or a different database`,
      `point DATABASE_URL back at the database of installation ${local.installationId}; to start a new, empty installation on purpose, delete ${file}`,
      { fatal: true },
    );
  }
  if (local && remote !== undefined && local.installationId !== remote) {
    return fail(
      what,
      `the database belongs to installation ${remote}, but data dir ${dataDir} to installation ${local.installationId} (last used with ${local.databaseUrl})`,
      `point DATABASE_URL at the database of installation ${local.installationId} or use the data dir of ${remote}; to switch this data dir to ${remote} on purpose, delete ${file}`,
      { fatal: true },
    );
  }
  if (local) return pass(`installation id ${local.installationId} (data dir and database agree)`);
  if (remote !== undefined) return pass(`installation id ${remote} (the data dir has no record yet; start adopts the database's)`);
  return pass('installation id: none yet (a new installation; start records it)');
}

async function writeCheck(db: Database, installationId: string, timeoutMs: number): Promise<CheckResult> {
  const what = 'database accepts writes';
  const h = await checkDatabaseHealth(db.pool, { installationId, timeoutMs });
  // Pending migrations are the schema check's to report.
  if (h.ok || h.code === 'KRANZ_DB_MIGRATIONS_PENDING') return pass(what);
  const fixes: Record<string, string> = {
    KRANZ_DB_READ_ONLY: 'point DATABASE_URL at the primary (writable) server, or turn default_transaction_read_only off for this database',
    KRANZ_DB_PERMISSION_DENIED: "grant the database user INSERT, UPDATE and DELETE on Kranz's tables",
    KRANZ_DB_SCHEMA_MISSING: 'run kranz migrate',
  };
  return fail(what, `${h.reason} [${h.code}]`, fixes[h.code] ?? 'check the database server (load, locks, disk) and run kranz doctor again');
}

/** Undefined when there is no outbox table yet: the schema check already says so. */
async function deadLetterCheck(db: Database, call: <T>(p: Promise<T>) => Promise<T>): Promise<CheckResult | undefined> {
  let stats: Awaited<ReturnType<typeof outboxStats>>;
  try {
    stats = await call(outboxStats(db.pool, new Date()));
  } catch (e) {
    if (sqlStateOf(e) === '42P01') return undefined;
    throw e;
  }
  const backlog = `${stats.pending} pending${stats.pending ? `, oldest ${Math.round(stats.oldestPendingAgeSeconds)} s old` : ''}`;
  const failedInbound = await call(failedInboundCount(db.pool));
  if (stats.dead === 0 && failedInbound === 0) return pass(`no dead letters in the outbox (${backlog}) and no failed inbound requests`);
  const latest = await call(listDeadLetters(db.pool, DEAD_LETTERS_SHOWN));
  const rows = stats.dead === 1 ? 'row' : 'rows';
  const problems = [
    ...(stats.dead ? [`${stats.dead} outbox ${rows} failed permanently and will not be retried${latest.length ? `; the ${Math.min(DEAD_LETTERS_SHOWN, stats.dead)} most recent are listed below` : ''}`] : []),
    ...(failedInbound ? [`${failedInbound} inbound request${failedInbound === 1 ? '' : 's'} could not be applied`] : []),
  ];
  return fail(
    'dead letters',
    problems.join('; '),
    `see them with \`kranz outbox list\` and \`kranz inbound list\`, fix the cause (channel, token, payload), then \`kranz outbox retry <id>\` or \`kranz inbound replay <id>\``,
    { details: latest.map((d) => `#${d.id} ${d.target} ${d.op} (order key ${d.orderKey}, ${d.createdAt}): ${oneLine(d.lastError ?? 'no error recorded')}`) },
  );
}

const oneLine = (s: string): string => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
};

/** Runs one check; an error or timeout becomes its ✗ instead of aborting the rest. */
async function guard<R extends CheckResult | undefined>(what: string, check: () => Promise<R>, fatal = false): Promise<R | CheckResult> {
  try {
    return await check();
  } catch (e) {
    const problem = e instanceof CheckTimeout ? `the database gave ${e.message}` : coerceError(e).message;
    return fail(what, problem, 'check the database server and run kranz doctor again', { fatal });
  }
}

const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);
