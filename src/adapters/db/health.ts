/**
 * Database health as Kranz needs it: not "does SELECT 1 answer" but "can
 * Kranz record an incident in the database it belongs to, on the schema it
 * expects". A read-only database (standby, `default_transaction_read_only`,
 * revoked grants) answers reads and still loses every incident update.
 */
import { hostname } from 'node:os';
import type pg from 'pg';
import { coerceError } from './errors.ts';
import { DEFAULT_MIGRATIONS_DIR, pendingMigrations } from './migrate.ts';

/** Outcome of {@link checkDatabaseHealth}; `code` is a `KRANZ_*` code, `reason` is for humans. */
export type DatabaseHealth = { ok: true } | { ok: false; reason: string; code: string };

/** Options for {@link checkDatabaseHealth}. */
export interface HealthOptions {
  /** Where the migration files are; pending files make the check fail. Default: the package's migrations. */
  migrationsDir?: string | URL;
  /** The installation id this process started with; the database must still carry it. */
  installationId: string;
  /** Overall budget. Default 2000 ms. */
  timeoutMs?: number;
}

const notOk = (code: string, reason: string): DatabaseHealth => ({ ok: false, code, reason });

/**
 * Writes a heartbeat row and reads it back in one transaction, then checks
 * that no migration is pending and that the database's installation id is
 * `installationId`. Never throws; gives up after `timeoutMs`.
 */
export async function checkDatabaseHealth(pool: pg.Pool, opts: HealthOptions): Promise<DatabaseHealth> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  let timer: NodeJS.Timeout | undefined;
  const state = { timedOut: false };
  const timeout = new Promise<DatabaseHealth>((resolve) => {
    timer = setTimeout(() => {
      state.timedOut = true;
      resolve(notOk('KRANZ_DB_TIMEOUT', `the database did not complete the health check within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([probe(pool, opts, timeoutMs, state), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function probe(
  pool: pg.Pool,
  opts: HealthOptions,
  timeoutMs: number,
  state: { timedOut: boolean },
): Promise<DatabaseHealth> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    return notOk('KRANZ_DB_UNREACHABLE', `cannot connect: ${coerceError(err).message}`);
  }
  let failed = false;
  try {
    if (state.timedOut) return notOk('KRANZ_DB_TIMEOUT', 'timed out');
    await client.query('BEGIN');
    // The server must give up too, or a hung check holds a row lock forever.
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    const by = `${hostname()}:${process.pid}`;
    const written = await client.query<{ beat: string }>(
      `INSERT INTO kranz_health (id, beat, by) VALUES (1, clock_timestamp(), $1)
       ON CONFLICT (id) DO UPDATE SET beat = excluded.beat, by = excluded.by
       RETURNING beat::text AS beat`,
      [by],
    );
    const read = await client.query<{ beat: string; by: string }>('SELECT beat::text AS beat, by FROM kranz_health WHERE id = 1');
    const installation = await client.query<{ id: string }>('SELECT id::text AS id FROM kranz_installation LIMIT 1');
    await client.query('COMMIT');

    if (read.rows[0]?.beat !== written.rows[0]?.beat || read.rows[0]?.by !== by) {
      return notOk('KRANZ_DB_INCONSISTENT', 'the heartbeat row read back differs from the one just written');
    }
    const pending = await pendingMigrations(client, opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
    if (pending.length > 0) {
      return notOk('KRANZ_DB_MIGRATIONS_PENDING', `migrations not applied: ${pending.join(', ')}`);
    }
    const id = installation.rows[0]?.id;
    if (id === undefined) return notOk('KRANZ_INSTALLATION_MISSING', 'the database has no Kranz installation record');
    if (id !== opts.installationId) {
      return notOk(
        'KRANZ_INSTALLATION_MISMATCH',
        `the database belongs to installation ${id}, this process to installation ${opts.installationId}`,
      );
    }
    return { ok: true };
  } catch (err) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    return classify(err);
  } finally {
    client.release(failed || state.timedOut);
  }
}

function classify(err: unknown): DatabaseHealth {
  const e = coerceError(err);
  // Our own refusals (unreadable migrations dir, ...) already carry the right code.
  if (e.code.startsWith('KRANZ_')) return notOk(e.code, e.message);
  switch (e.sqlState) {
    case '25006':
      return notOk('KRANZ_DB_READ_ONLY', `the database refuses writes (read-only transaction or standby): ${e.message}`);
    case '42501':
      return notOk('KRANZ_DB_PERMISSION_DENIED', `the database user may not write Kranz's tables: ${e.message}`);
    case '42P01':
      return notOk('KRANZ_DB_SCHEMA_MISSING', `Kranz's tables are missing (migrations not applied?): ${e.message}`);
    case '57014':
      return notOk('KRANZ_DB_TIMEOUT', `the health check was cancelled by statement_timeout: ${e.message}`);
    default:
      return notOk(e.sqlState ? 'KRANZ_DB_UNHEALTHY' : 'KRANZ_DB_UNREACHABLE', e.message);
  }
}
