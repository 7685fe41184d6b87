/**
 * Opening Kranz's database: an external PostgreSQL from DATABASE_URL, or the
 * embedded one under the data dir. Also the transaction helper everything
 * else in adapters/db builds on.
 */
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded.ts';
import { coerceError, KranzError } from './errors.ts';
import { checkEmbeddedDataDir } from './installation.ts';
import type { DbLogger } from './logger.ts';
import { redactDatabaseUrl } from './url.ts';

/** Re-exported for callers that open the pool and query it. */
export type { Queryable } from './queryable.ts';

/** Options for {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** External database. When absent (or empty), `process.env.DATABASE_URL` is used; when that is unset too, the embedded server. */
  databaseUrl?: string;
  /** Kranz's data dir (embedded cluster, local state files). */
  dataDir: string;
  log: DbLogger;
  /** Fixed port for the embedded server (see embedded.ts for the default policy). */
  embeddedPort?: number;
  /** Pool size. Default 10. */
  poolMax?: number;
}

/** An open database. */
export interface Database {
  pool: pg.Pool;
  /** Connection URL with the password replaced by `***`; safe for logs and messages. */
  url: string;
  /** True when Kranz started the embedded server itself. */
  embedded: boolean;
  /** Ends the pool, then stops the embedded server if any. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Opens the pool and checks that the server answers. With no database URL it
 * first refuses a data dir whose embedded cluster went missing
 * (`checkEmbeddedDataDir`), then starts the embedded server. Fails with
 * `KRANZ_DB_UNREACHABLE` naming the redacted URL when the server does not answer.
 */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  const { log } = opts;
  const external = (opts.databaseUrl ?? process.env.DATABASE_URL ?? '').trim();
  let stopEmbedded: (() => Promise<void>) | undefined;
  let connectionString = external;
  if (external === '') {
    await checkEmbeddedDataDir(opts.dataDir);
    const server = await startEmbeddedPostgres({
      dataDir: opts.dataDir,
      log,
      ...(opts.embeddedPort !== undefined ? { port: opts.embeddedPort } : {}),
    });
    stopEmbedded = server.stop;
    connectionString = server.url;
  }
  const url = redactDatabaseUrl(connectionString);
  const pool = new pg.Pool({
    connectionString,
    max: opts.poolMax ?? 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'kranz',
  });
  let closing: Promise<void> | undefined;
  // Connections still open: pool.end() returns before their sockets have closed.
  const open = new Set<pg.PoolClient>();
  // An idle client losing its connection (server restart, failover) emits on
  // the pool; unhandled, that 'error' event would crash the process. While we
  // close, a connection cut by our own shutdown is expected, not news.
  pool.on('error', (err) => {
    if (closing) log.debug({ err: coerceError(err), database: url }, 'connection closed while closing');
    else log.error({ err: coerceError(err), database: url }, 'idle database connection failed');
  });
  // A client that loses its connection while checked out emits on itself; the query in flight
  // rejects and the caller retries or spools, so the event only needs to be logged, not crash us.
  pool.on('connect', (client) => {
    open.add(client);
    client.once('end', () => open.delete(client));
    client.on('error', (err) => {
      if (closing) log.debug({ err: coerceError(err), database: url }, 'connection closed while closing');
      else log.warn({ err: coerceError(err), database: url }, 'database connection lost');
    });
  });

  const close = () =>
    (closing ??= (async () => {
      await pool.end();
      // Stopping the embedded server under a connection still saying goodbye cuts it with an error.
      const waitUntil = Date.now() + 2_000;
      while (open.size > 0 && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 10));
      await stopEmbedded?.();
    })());

  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await close().catch(() => undefined);
    const cause = coerceError(err);
    throw new KranzError('KRANZ_DB_UNREACHABLE', `Cannot reach the database at ${url}: ${cause.message}`, {
      details: { database: url, cause: cause.code },
      cause,
      ...(cause.sqlState ? { sqlState: cause.sqlState } : {}),
    });
  }
  log.info({ database: url, embedded: stopEmbedded !== undefined }, 'database connected');
  return { pool, url, embedded: stopEmbedded !== undefined, close };
}

/**
 * Runs `fn` inside BEGIN/COMMIT on one pooled client; on any error it rolls
 * back and rethrows the original error. The client is always released (and
 * discarded if even the ROLLBACK failed, since its state is then unknown).
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let result: T;
  try {
    await client.query('BEGIN');
    result = await fn(client);
    await client.query('COMMIT');
  } catch (err) {
    try {
      await client.query('ROLLBACK');
      client.release();
    } catch (rollbackErr) {
      client.release(rollbackErr instanceof Error ? rollbackErr : true);
    }
    throw err;
  }
  client.release();
  return result;
}
