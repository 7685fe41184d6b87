import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import {
  checkEmbeddedDataDir,
  checkInstallation,
  readInstallationState,
  recordInstallation,
} from '../../src/adapters/db/installation.ts';
import { migrate } from '../../src/adapters/db/migrate.ts';
import { redactDatabaseUrl } from '../../src/adapters/db/url.ts';
import { recordingLogger, refusal, scratchDatabases, scratchMigrations, tempDir } from '../helpers/db-kit.ts';

const log = recordingLogger();
const scratch = scratchDatabases();
let migrations: string;

interface Db {
  pool: pg.Pool;
  url: string;
  label: string;
}

async function database(migrated: boolean): Promise<Db> {
  const { db, pool } = await scratch.databaseWithPool('inst');
  if (migrated) await migrate(pool, { dir: migrations, log });
  return { pool, url: db.url, label: redactDatabaseUrl(db.url) };
}

async function dbId(pool: pg.Pool): Promise<string> {
  return (await pool.query('select id::text as id from kranz_installation')).rows[0].id;
}

beforeAll(async () => {
  migrations = await scratchMigrations();
});

afterAll(() => scratch.cleanup());

describe('installation identity', () => {
  it('(d) fresh: neither side knows an installation; recordInstallation writes the state file after migrating', async () => {
    const dataDir = await tempDir();
    const db = await database(false);
    // A raw URL as label must still end up redacted.
    const opts = { pool: db.pool, dataDir, databaseLabel: db.url, log };
    expect(await checkInstallation(opts)).toEqual({ status: 'fresh' });
    await migrate(db.pool, { dir: migrations, log });
    const id = await recordInstallation(opts);
    expect(id).toBe(await dbId(db.pool));

    const file = join(dataDir, 'installation.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const state = JSON.parse(await readFile(file, 'utf8'));
    expect(state).toEqual({ installationId: id, databaseUrl: db.label, firstStartedAt: expect.any(String) });
    expect(state.databaseUrl).not.toContain(':postgres@');
    expect(await checkInstallation(opts)).toEqual({ status: 'known', installationId: id });
    // Idempotent: recording again keeps the file as is.
    expect(await recordInstallation(opts)).toBe(id);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(state);
  });

  it('(a) refuses an empty database when the data dir says Kranz ran before', async () => {
    const dataDir = await tempDir();
    const used = await database(true);
    const id = await recordInstallation({ pool: used.pool, dataDir, databaseLabel: used.label });
    const empty = await database(false);

    const err = await refusal(checkInstallation({ pool: empty.pool, dataDir, databaseLabel: empty.url }));
    expect(err.code).toBe('KRANZ_EMPTY_DATABASE');
    expect(err.message).toContain(dataDir);
    expect(err.message).toContain(id);
    expect(err.message).toContain(empty.label);
    expect(err.message).toContain(used.label);
    expect(err.message).toContain('DATABASE_URL');
    expect(err.message).toContain(join(dataDir, 'installation.json'));
    expect(err.message).not.toContain(':postgres@');
    // Nothing was created in the empty database.
    expect((await empty.pool.query("select to_regclass('kranz_migrations') as t")).rows[0].t).toBeNull();
  });

  it('(b) refuses a database that belongs to another installation, naming both ids', async () => {
    const dataDir = await tempDir();
    const mine = await database(true);
    const localId = await recordInstallation({ pool: mine.pool, dataDir, databaseLabel: mine.label });
    const theirs = await database(true);
    const theirId = await dbId(theirs.pool);
    expect(theirId).not.toBe(localId);

    const err = await refusal(checkInstallation({ pool: theirs.pool, dataDir, databaseLabel: theirs.label }));
    expect(err.code).toBe('KRANZ_INSTALLATION_MISMATCH');
    for (const s of [localId, theirId, dataDir, theirs.label]) expect(err.message).toContain(s);
    expect(err.details).toMatchObject({ localInstallationId: localId, databaseInstallationId: theirId });
    // recordInstallation refuses the same way rather than overwriting.
    const again = await refusal(recordInstallation({ pool: theirs.pool, dataDir, databaseLabel: theirs.label }));
    expect(again.code).toBe('KRANZ_INSTALLATION_MISMATCH');
  });

  it('(c) adopts the installation of an existing database when the data dir has none', async () => {
    const db = await database(true);
    const dataDir = join(await tempDir(), 'not-yet-created');
    const before = log.entries.length;
    const r = await checkInstallation({ pool: db.pool, dataDir, databaseLabel: db.label, log });
    const id = await dbId(db.pool);
    expect(r).toEqual({ status: 'adopted', installationId: id });
    expect((await readInstallationState(dataDir))?.installationId).toBe(id);
    expect(log.entries.slice(before).some((e) => e.level === 'info' && e.msg?.includes('adopted'))).toBe(true);
    expect(await checkInstallation({ pool: db.pool, dataDir, databaseLabel: db.label })).toEqual({
      status: 'known',
      installationId: id,
    });
  });

  it('refuses a damaged state file instead of treating it as absent', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, 'installation.json'), '{"installationId": "nope"');
    const db = await database(true);
    const err = await refusal(checkInstallation({ pool: db.pool, dataDir, databaseLabel: db.label }));
    expect(err.code).toBe('KRANZ_STATE_FILE_INVALID');
  });
});

describe('checkEmbeddedDataDir', () => {
  it('allows a brand-new data dir and one whose cluster is present', async () => {
    const dataDir = await tempDir();
    await expect(checkEmbeddedDataDir(dataDir)).resolves.toBeUndefined();
    await expect(checkEmbeddedDataDir(join(dataDir, 'missing'))).resolves.toBeUndefined();
    const db = await database(true);
    await recordInstallation({ pool: db.pool, dataDir, databaseLabel: db.label });
    await mkdir(join(dataDir, 'pg'));
    await writeFile(join(dataDir, 'pg', 'PG_VERSION'), '18\n');
    await expect(checkEmbeddedDataDir(dataDir)).resolves.toBeUndefined();
  });

  it('refuses when the state file exists but <dataDir>/pg is gone (the new-empty-data-path case)', async () => {
    const dataDir = await tempDir();
    const db = await database(true);
    const id = await recordInstallation({ pool: db.pool, dataDir, databaseLabel: db.label });
    const err = await refusal(checkEmbeddedDataDir(dataDir));
    expect(err.code).toBe('KRANZ_EMBEDDED_DATA_MISSING');
    expect(err.message).toContain(id);
    expect(err.message).toContain(join(dataDir, 'pg'));
    expect(err.message).toContain(db.label);
    expect(err.message).toContain('DATABASE_URL');
  });
});
