/**
 * Helpers for the database adapter tests: temp dirs, a recording logger and
 * scratch copies of the migrations directory.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';
import { KranzError } from '../../src/adapters/db/errors.ts';
import type { DbLogger } from '../../src/adapters/db/logger.ts';
import { DEFAULT_MIGRATIONS_DIR } from '../../src/adapters/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object;
  msg: string | undefined;
}

/** A logger that keeps every entry, for assertions. */
export function recordingLogger(): DbLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (obj: object, msg?: string) => {
    entries.push({ level, obj, msg });
  };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const cleanups: Array<() => Promise<void>> = [];

/** A fresh temp dir, removed by {@link cleanupTemp}. */
export async function tempDir(prefix = 'kranz-db-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Removes every dir made by {@link tempDir}; call in afterAll. */
export async function cleanupTemp(): Promise<void> {
  for (const c of cleanups.splice(0)) await c();
}

/**
 * A scratch migrations dir holding the real `0001_kranz_meta.sql` plus `extra`
 * (file name → SQL), so tests do not depend on the other migrations in flux.
 */
export async function scratchMigrations(extra: Record<string, string> = {}): Promise<string> {
  const dir = await tempDir('kranz-migrations-');
  await copyFile(join(DEFAULT_MIGRATIONS_DIR, '0001_kranz_meta.sql'), join(dir, '0001_kranz_meta.sql'));
  for (const [name, sql] of Object.entries(extra)) await writeFile(join(dir, name), sql);
  return dir;
}

/** A pool on `url` that tests must `end()`. Small, so five of them fit easily. */
export function testPool(url: string, max = 3): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle client whose backend goes away (a database dropped WITH (FORCE) while another file's pool still holds one,
  // a server restart under load) is an 'error' event on the pool; unheard, it becomes an uncaught exception in the run.
  pool.on('error', () => undefined);
  return pool;
}

/** Awaits `p`, which must reject with a {@link KranzError}, and returns that error. */
export async function refusal(p: Promise<unknown>): Promise<KranzError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KranzError);
  return err as KranzError;
}

/** The scratch databases and pools of one test file; see {@link scratchDatabases}. */
export interface ScratchDatabases {
  /** Every database made so far; dropped by `cleanup()`. */
  readonly dbs: TestDatabase[];
  /** Every pool to end in `cleanup()`; tests may push their own. */
  readonly pools: pg.Pool[];
  /** A fresh empty database, dropped by `cleanup()`. */
  database(prefix: string): Promise<TestDatabase>;
  /** A fresh empty database and a {@link testPool} on it, both released by `cleanup()`. */
  databaseWithPool(prefix: string): Promise<{ db: TestDatabase; pool: pg.Pool }>;
  /** Ends every pool, then drops every database, then removes the temp dirs; call in afterAll. */
  cleanup(): Promise<void>;
}

/** Tracks the databases and pools a test file makes so one afterAll releases them all. */
export function scratchDatabases(): ScratchDatabases {
  const dbs: TestDatabase[] = [];
  const pools: pg.Pool[] = [];
  const database = async (prefix: string): Promise<TestDatabase> => {
    const db = await createTestDatabase(prefix);
    dbs.push(db);
    return db;
  };
  return {
    dbs,
    pools,
    database,
    async databaseWithPool(prefix) {
      const db = await database(prefix);
      const pool = testPool(db.url);
      pools.push(pool);
      return { db, pool };
    },
    async cleanup() {
      for (const p of pools) await p.end();
      for (const d of dbs) await d.drop();
      await cleanupTemp();
    },
  };
}
