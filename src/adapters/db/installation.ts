/**
 * Make the wrong database hard to use.
 *
 * A server started on a new, empty data path will happily answer every query
 * with nothing; to the people running an incident that looks like "no
 * incidents". So Kranz remembers, outside the database, which installation it
 * belongs to (`<dataDir>/installation.json`), the database remembers it too
 * (`kranz_installation`), and start-up refuses when the two disagree or when
 * one of them has gone missing.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { embeddedPaths } from './embedded.ts';
import { KranzError } from './errors.ts';
import { readFileIfExists, writeFileAtomic } from './files.ts';
import type { DbLogger } from './logger.ts';
import type { Queryable } from './queryable.ts';
import { redactDatabaseUrl } from './url.ts';

/** File name of the local installation state inside the data dir. */
export const INSTALLATION_FILE = 'installation.json';

const State = z.object({
  installationId: z.uuid(),
  databaseUrl: z.string(),
  firstStartedAt: z.string(),
});

/** Contents of `<dataDir>/installation.json`. `databaseUrl` is always redacted. */
export type InstallationState = z.infer<typeof State>;

/** Result of {@link checkInstallation} when start-up may go on. */
export type InstallationCheck =
  /** Neither side knows an installation: a first start; call {@link recordInstallation} after migrating. */
  | { status: 'fresh' }
  /** Data dir and database agree. */
  | { status: 'known'; installationId: string }
  /** The database has an installation and this data dir had none (new replica, new machine): state file written. */
  | { status: 'adopted'; installationId: string };

/** Inputs shared by {@link checkInstallation} and {@link recordInstallation}. */
export interface InstallationOptions {
  pool: Queryable;
  dataDir: string;
  /** How to name the database in messages and in the state file; redacted again here to be safe. */
  databaseLabel: string;
  log?: DbLogger;
}

const stateFile = (dataDir: string) => join(embeddedPaths(dataDir).root, INSTALLATION_FILE);

/** Reads `<dataDir>/installation.json`; `undefined` when absent, `KRANZ_STATE_FILE_INVALID` when unreadable. */
export async function readInstallationState(dataDir: string): Promise<InstallationState | undefined> {
  const file = stateFile(dataDir);
  const text = await readFileIfExists(file);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = State.safeParse(json);
  if (!parsed.success) {
    // Treating a damaged file as "no file" would silently re-open the hole this module closes.
    throw new KranzError(
      'KRANZ_STATE_FILE_INVALID',
      `${file} is not a valid Kranz installation file. Restore it, or delete it to start a new installation on purpose.`,
      { details: { file } },
    );
  }
  return parsed.data;
}

/** The installation id stored in the database, or `undefined` when it has none (no table or no row). */
export async function readDatabaseInstallationId(db: Queryable): Promise<string | undefined> {
  const t = await db.query<{ t: string | null }>("SELECT to_regclass('kranz_installation')::text AS t");
  if (t.rows[0]?.t == null) return undefined;
  const r = await db.query<{ id: string }>('SELECT id::text AS id FROM kranz_installation LIMIT 1');
  return r.rows[0]?.id;
}

async function hasMigrationsTable(db: Queryable): Promise<boolean> {
  const t = await db.query<{ t: string | null }>("SELECT to_regclass('kranz_migrations')::text AS t");
  return t.rows[0]?.t != null;
}

/**
 * Call at start-up, before migrating. Refuses with
 * - `KRANZ_EMPTY_DATABASE` when the data dir says Kranz ran before but the
 *   database holds no Kranz installation (an empty or different database);
 * - `KRANZ_INSTALLATION_MISMATCH` when both hold an installation id and they differ.
 * Adopts the database's installation when the data dir has none (writes the
 * state file), and reports `fresh` when neither has one.
 */
export async function checkInstallation(opts: InstallationOptions): Promise<InstallationCheck> {
  const { pool, dataDir, log } = opts;
  const database = redactDatabaseUrl(opts.databaseLabel);
  const file = stateFile(dataDir);
  const local = await readInstallationState(dataDir);
  const remote = await readDatabaseInstallationId(pool);

  if (local && remote === undefined) {
    const what = (await hasMigrationsTable(pool)) ? 'has no Kranz installation record' : 'has no Kranz tables at all';
    throw new KranzError(
      'KRANZ_EMPTY_DATABASE',
      `Refusing to start: data dir ${dataDir} belongs to Kranz installation ${local.installationId} ` +
        `(first started ${local.firstStartedAt} against ${local.databaseUrl}), but the database ${database} ${what}. ` +
        'Serving from it would show an empty incident history. ' +
        `If the data lives elsewhere, point DATABASE_URL back at that database (last used: ${local.databaseUrl}). ` +
        `To start a new, empty installation on purpose, delete ${file}.`,
      { details: { dataDir, file, installationId: local.installationId, database, recordedDatabase: local.databaseUrl } },
    );
  }
  if (local && remote !== undefined && local.installationId !== remote) {
    throw new KranzError(
      'KRANZ_INSTALLATION_MISMATCH',
      `Refusing to start: the database ${database} belongs to Kranz installation ${remote}, ` +
        `but data dir ${dataDir} belongs to installation ${local.installationId} (last used with ${local.databaseUrl}). ` +
        `Point DATABASE_URL at the database of installation ${local.installationId}, or use the data dir that belongs ` +
        `to ${remote}. To switch this data dir to ${remote} on purpose, delete ${file}.`,
      {
        details: { dataDir, file, localInstallationId: local.installationId, databaseInstallationId: remote, database },
      },
    );
  }
  if (local) return { status: 'known', installationId: local.installationId };
  if (remote !== undefined) {
    await writeState(dataDir, remote, database);
    log?.info({ installationId: remote, database, file }, 'adopted the existing Kranz installation of this database');
    return { status: 'adopted', installationId: remote };
  }
  return { status: 'fresh' };
}

/**
 * Call after migrating: writes `<dataDir>/installation.json` with the
 * database's installation id (unless it already holds that id) and returns
 * the id. Refuses like {@link checkInstallation} if the ids differ.
 */
export async function recordInstallation(opts: InstallationOptions): Promise<string> {
  const { pool, dataDir, log } = opts;
  const database = redactDatabaseUrl(opts.databaseLabel);
  const remote = await readDatabaseInstallationId(pool);
  if (remote === undefined) {
    throw new KranzError(
      'KRANZ_INSTALLATION_MISSING',
      `The database ${database} has no Kranz installation record; run the migrations before recording the installation.`,
      { details: { database } },
    );
  }
  const local = await readInstallationState(dataDir);
  if (local?.installationId === remote) return remote;
  if (local) {
    // Same refusal as at start-up, raised by the same code path.
    await checkInstallation(opts);
  }
  await writeState(dataDir, remote, database);
  log?.info({ installationId: remote, database, file: stateFile(dataDir) }, 'recorded new Kranz installation');
  return remote;
}

/**
 * Call before starting the embedded server: when the data dir says Kranz ran
 * before but `<dataDir>/pg` holds no cluster, starting would initdb a new,
 * empty database right where the old one should be. Refuses with
 * `KRANZ_EMBEDDED_DATA_MISSING`.
 */
export async function checkEmbeddedDataDir(dataDir: string): Promise<void> {
  const local = await readInstallationState(dataDir);
  if (!local) return;
  const paths = embeddedPaths(dataDir);
  if ((await readFileIfExists(paths.versionFile)) !== undefined) return;
  throw new KranzError(
    'KRANZ_EMBEDDED_DATA_MISSING',
    `Refusing to start: data dir ${dataDir} belongs to Kranz installation ${local.installationId} ` +
      `(last used with ${local.databaseUrl}), but its embedded database ${paths.pgDir} is missing, ` +
      'and starting would create a new, empty one. ' +
      `If Kranz used an external database, set DATABASE_URL (it was ${local.databaseUrl}); if the data moved, restore ${paths.pgDir}. ` +
      `To start a new, empty installation on purpose, delete ${stateFile(dataDir)}.`,
    { details: { dataDir, pgDir: paths.pgDir, installationId: local.installationId, recordedDatabase: local.databaseUrl } },
  );
}

async function writeState(dataDir: string, installationId: string, database: string): Promise<void> {
  const state: InstallationState = { installationId, databaseUrl: database, firstStartedAt: new Date().toISOString() };
  // With an external database the data dir may not exist yet.
  await mkdir(embeddedPaths(dataDir).root, { recursive: true, mode: 0o700 });
  await writeFileAtomic(stateFile(dataDir), `${JSON.stringify(state, null, 2)}\n`, 0o600);
}
