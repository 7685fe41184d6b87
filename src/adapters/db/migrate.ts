/**
 * Forward-only SQL migrations: `migrations/NNNN_name.sql`, applied in numeric
 * order, each in its own transaction together with its row in
 * `kranz_migrations`. Replicas may start (and migrate) at the same time: the
 * whole run holds a session-level advisory lock, so late callers wait and then
 * find everything applied.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { coerceError, KranzError, sqlStateOf } from './errors.ts';
import type { DbLogger } from './logger.ts';
import type { Queryable } from './queryable.ts';

/** `<package root>/migrations/`, resolved from this file so the working directory does not matter. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));

/** Advisory lock key ("KRANZ" in ASCII); advisory locks are per database, so one key is enough. */
export const MIGRATION_LOCK_KEY = '323287338586';

const FILE_NAME = /^(\d+)_([A-Za-z0-9][A-Za-z0-9_-]*)\.sql$/;

/** One migration file on disk. */
export interface MigrationFile {
  version: number;
  /** `NNNN_name`, the id used in results and messages. */
  id: string;
  /** The `name` part after the version. */
  name: string;
  file: string;
  path: string;
  /** sha256 (hex) of the file with CRLF line ends normalised to LF. */
  checksum: string;
  sql: string;
}

/** Options for {@link migrate}. */
export interface MigrateOptions {
  /** Directory of `NNNN_name.sql` files. Default {@link DEFAULT_MIGRATIONS_DIR}. */
  dir?: string | URL;
  log: DbLogger;
  /** Give up waiting for another migrating replica after this long. Default 10 min. */
  lockTimeoutMs?: number;
}

/** Outcome of {@link migrate}: ids (`NNNN_name`) applied by this call, and all applied ids now. */
export interface MigrateResult {
  applied: string[];
  current: string[];
}

const BOOTSTRAP = `
CREATE TABLE IF NOT EXISTS kranz_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

const toPath = (dir: string | URL) => (dir instanceof URL ? fileURLToPath(dir) : dir);

/**
 * Reads and validates the migration files of `dir`, sorted by version.
 * Refuses `.sql` files that do not follow `NNNN_name.sql` and duplicate versions.
 */
export async function readMigrations(dir: string | URL = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const path = toPath(dir);
  let entries: string[];
  try {
    entries = await readdir(path);
  } catch (cause) {
    throw new KranzError('KRANZ_MIGRATIONS_DIR_MISSING', `Cannot read the migrations directory ${path}.`, {
      details: { dir: path },
      cause,
    });
  }
  const files: MigrationFile[] = [];
  for (const file of entries.filter((e) => e.endsWith('.sql')).sort()) {
    const m = FILE_NAME.exec(file);
    if (!m || Number(m[1]) <= 0) {
      throw new KranzError('KRANZ_MIGRATION_BAD_NAME', `Migration file ${file} in ${path} is not named NNNN_name.sql.`, {
        details: { file, dir: path },
      });
    }
    const sql = await readFile(join(path, file), 'utf8');
    const checksum = createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
    const version = Number(m[1]);
    const dup = files.find((f) => f.version === version);
    if (dup) {
      throw new KranzError('KRANZ_MIGRATION_DUPLICATE_VERSION', `Migrations ${dup.file} and ${file} share version ${version}.`, {
        details: { files: [dup.file, file], version },
      });
    }
    files.push({ version, id: file.slice(0, -4), name: m[2]!, file, path: join(path, file), checksum, sql });
  }
  return files.sort((a, b) => a.version - b.version);
}

interface Recorded {
  version: number;
  name: string;
  checksum: string;
}

async function recorded(db: Queryable): Promise<Recorded[] | undefined> {
  const t = await db.query<{ t: string | null }>("SELECT to_regclass('kranz_migrations')::text AS t");
  if (t.rows[0]?.t == null) return undefined;
  const r = await db.query<Recorded>('SELECT version, name, checksum FROM kranz_migrations ORDER BY version');
  return r.rows;
}

/**
 * Ids (`NNNN_name`) of migration files not yet applied to the database; all
 * of them when it has no `kranz_migrations` table. Takes no lock; for health
 * checks and `doctor`.
 */
export async function pendingMigrations(db: Queryable, dir: string | URL = DEFAULT_MIGRATIONS_DIR): Promise<string[]> {
  const files = await readMigrations(dir);
  const done = new Set((await recorded(db))?.map((r) => r.version));
  return files.filter((f) => !done.has(f.version)).map((f) => f.id);
}

/**
 * Applies pending migrations under the migration lock. Before applying
 * anything it refuses a database whose history disagrees with the files:
 * `KRANZ_MIGRATION_CHECKSUM_MISMATCH` (an applied file was edited),
 * `KRANZ_MIGRATION_MISSING` (an applied file is gone),
 * `KRANZ_MIGRATION_OUT_OF_ORDER` (a new file sorts before an applied one).
 * A failing migration is rolled back and reported as `KRANZ_MIGRATION_FAILED`.
 */
export async function migrate(pool: pg.Pool, opts: MigrateOptions): Promise<MigrateResult> {
  const { log } = opts;
  const files = await readMigrations(opts.dir);
  const client = await pool.connect();
  // After any error the session's state is unknown: destroy the client rather
  // than pool it (closing the session also frees the advisory lock).
  let failed = false;
  try {
    await acquireLock(client, opts.lockTimeoutMs ?? 600_000, log);
    try {
      await client.query(BOOTSTRAP);
      const pending = verify(files, (await recorded(client)) ?? []);
      const applied: string[] = [];
      for (const m of pending) {
        await applyOne(client, m, log);
        applied.push(m.id);
      }
      const history = (await recorded(client)) ?? [];
      const current = history.map((r) => files.find((f) => f.version === r.version)?.id ?? String(r.version));
      return { applied, current };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]).catch(() => {
        failed = true;
      });
    }
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    client.release(failed);
  }
}

async function acquireLock(client: pg.PoolClient, timeoutMs: number, log: DbLogger): Promise<void> {
  const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [MIGRATION_LOCK_KEY]);
  if (got.rows[0]?.ok) return;
  log.info({ lockKey: MIGRATION_LOCK_KEY }, 'another Kranz is migrating this database; waiting for it');
  await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
  } catch (err) {
    if (sqlStateOf(err) === '55P03') {
      throw new KranzError('KRANZ_MIGRATION_LOCK_TIMEOUT', `Waited ${timeoutMs} ms for another Kranz to finish migrating; giving up.`, {
        details: { lockKey: MIGRATION_LOCK_KEY, timeoutMs },
        cause: err,
      });
    }
    throw err;
  } finally {
    await client.query('RESET lock_timeout').catch(() => undefined);
  }
}

function verify(files: MigrationFile[], history: Recorded[]): MigrationFile[] {
  const byVersion = new Map(files.map((f) => [f.version, f]));
  for (const r of history) {
    const f = byVersion.get(r.version);
    if (!f) {
      throw new KranzError(
        'KRANZ_MIGRATION_MISSING',
        `Migration ${String(r.version).padStart(4, '0')}_${r.name}.sql was applied to this database but its file is missing. ` +
          'Run the Kranz version that matches the database, or restore the file.',
        { details: { version: r.version, name: r.name, recordedChecksum: r.checksum } },
      );
    }
    if (f.checksum !== r.checksum) {
      throw new KranzError(
        'KRANZ_MIGRATION_CHECKSUM_MISMATCH',
        `Migration ${f.file} was changed after it was applied: recorded checksum ${r.checksum}, file checksum ${f.checksum}. ` +
          'Applied migrations are immutable; restore the file and put the change in a new migration.',
        { details: { file: f.file, path: f.path, recordedChecksum: r.checksum, fileChecksum: f.checksum } },
      );
    }
  }
  const done = new Set(history.map((r) => r.version));
  const last = Math.max(0, ...done);
  const pending = files.filter((f) => !done.has(f.version));
  const early = pending.find((f) => f.version < last);
  if (early) {
    throw new KranzError(
      'KRANZ_MIGRATION_OUT_OF_ORDER',
      `Migration ${early.file} is new but sorts before version ${last}, which is already applied. Renumber it after ${last}.`,
      { details: { file: early.file, lastApplied: last } },
    );
  }
  return pending;
}

async function applyOne(client: pg.PoolClient, m: MigrationFile, log: DbLogger): Promise<void> {
  const t0 = Date.now();
  await client.query('BEGIN');
  try {
    await client.query(m.sql);
    await client.query('INSERT INTO kranz_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    const cause = coerceError(err);
    const pos = Number((err as { position?: unknown }).position);
    const line = Number.isFinite(pos) && pos > 0 ? m.sql.slice(0, pos).split('\n').length : undefined;
    throw new KranzError(
      'KRANZ_MIGRATION_FAILED',
      `Migration ${m.file} failed${line ? ` at line ${line}` : ''}: ${cause.message}. Nothing from it was applied.`,
      { details: { file: m.file, line, sqlState: cause.sqlState }, cause, ...(cause.sqlState ? { sqlState: cause.sqlState } : {}) },
    );
  }
  log.info({ migration: m.id, ms: Date.now() - t0 }, 'migration applied');
}
