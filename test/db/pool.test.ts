import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import type pg from 'pg';
import type { Logger as PinoLogger } from 'pino';
import type { DbLogger } from '../../src/adapters/db/logger.ts';
import { checkInstallation, recordInstallation } from '../../src/adapters/db/installation.ts';
import { migrate } from '../../src/adapters/db/migrate.ts';
import { openDatabase, withTransaction, type Database, type Queryable } from '../../src/adapters/db/pool.ts';
import { redactDatabaseUrl } from '../../src/adapters/db/url.ts';
import { recordingLogger, refusal, scratchDatabases, scratchMigrations, tempDir } from '../helpers/db-kit.ts';

const log = recordingLogger();
const scratch = scratchDatabases();
const open: Database[] = [];

afterAll(async () => {
  for (const d of open) await d.close();
  await scratch.cleanup();
});

describe('openDatabase', () => {
  it('uses the given URL, redacts its password and closes idempotently', async () => {
    const t = await scratch.database('pool');
    const db = await openDatabase({ databaseUrl: t.url, dataDir: await tempDir(), log });
    open.push(db);
    expect(db.embedded).toBe(false);
    expect(db.url).toBe(t.url.replace(':postgres@', ':***@'));
    expect((await db.pool.query('select current_database() as d')).rows[0].d).toBe(t.name);
    await db.close();
    await db.close();
  });

  it('falls back to DATABASE_URL from the environment', async () => {
    const t = await scratch.database('poolenv');
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = t.url;
    try {
      const db = await openDatabase({ dataDir: await tempDir(), log });
      open.push(db);
      expect(db.embedded).toBe(false);
      expect((await db.pool.query('select current_database() as d')).rows[0].d).toBe(t.name);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  });

  it('fails with KRANZ_DB_UNREACHABLE naming the redacted URL', async () => {
    const err = await refusal(
      openDatabase({ databaseUrl: 'postgres://kranz:hunter2@127.0.0.1:1/kranz', dataDir: await tempDir(), log }),
    );
    expect(err.code).toBe('KRANZ_DB_UNREACHABLE');
    expect(err.message).toContain('postgres://kranz:***@127.0.0.1:1/kranz');
    expect(err.message).not.toContain('hunter2');
  });

  it('runs the embedded server end to end, and refuses when its data path goes missing', async () => {
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      const dataDir = await tempDir();
      const migrations = await scratchMigrations();
      const db = await openDatabase({ dataDir, log });
      open.push(db);
      expect(db.embedded).toBe(true);
      expect(db.url).toMatch(/^postgres:\/\/kranz:\*\*\*@127\.0\.0\.1:\d+\/kranz$/);
      const inst = { pool: db.pool, dataDir, databaseLabel: db.url };
      expect(await checkInstallation(inst)).toEqual({ status: 'fresh' });
      await migrate(db.pool, { dir: migrations, log });
      const id = await recordInstallation(inst);
      await db.close();

      const again = await openDatabase({ dataDir, log });
      open.push(again);
      expect(await checkInstallation({ ...inst, pool: again.pool })).toEqual({ status: 'known', installationId: id });
      await again.close();

      // The Tinybird case: same data dir, cluster gone. Refuse before initdb.
      await rm(join(dataDir, 'pg'), { recursive: true });
      const err = await refusal(openDatabase({ dataDir, log }));
      expect(err.code).toBe('KRANZ_EMBEDDED_DATA_MISSING');
      await expect(stat(join(dataDir, 'pg'))).rejects.toThrow();
    } finally {
      if (saved !== undefined) process.env.DATABASE_URL = saved;
    }
  });
});

describe('withTransaction', () => {
  it('commits, rolls back and rethrows, and always releases the client', async () => {
    const t = await scratch.database('tx');
    const db = await openDatabase({ databaseUrl: t.url, dataDir: await tempDir(), log, poolMax: 2 });
    open.push(db);
    const { pool } = db;
    await pool.query('create table t (n int primary key)');

    expect(await withTransaction(pool, async (c) => (await c.query('insert into t values (1) returning n')).rows[0].n)).toBe(1);
    const boom = new Error('boom');
    await expect(
      withTransaction(pool, async (c) => {
        await c.query('insert into t values (2)');
        throw boom;
      }),
    ).rejects.toBe(boom);
    await expect(withTransaction(pool, (c) => c.query('insert into t values (1)'))).rejects.toMatchObject({ code: '23505' });
    expect((await pool.query('select array_agg(n order by n) as ns from t')).rows[0].ns).toEqual([1]);
    // Six transactions on a pool of two: nothing leaked.
    for (let i = 0; i < 3; i++) await withTransaction(pool, (c) => c.query('select 1'));
    expect(pool.totalCount).toBeLessThanOrEqual(2);
    expect(pool.idleCount).toBe(pool.totalCount);
  });

  it('Queryable accepts a Pool and a PoolClient', () => {
    expectTypeOf<pg.Pool>().toExtend<Queryable>();
    expectTypeOf<pg.PoolClient>().toExtend<Queryable>();
    expectTypeOf<pg.Client>().toExtend<Queryable>();
  });

  it('DbLogger accepts a pino logger', () => {
    expectTypeOf<PinoLogger>().toExtend<DbLogger>();
  });
});

describe('redactDatabaseUrl', () => {
  it('masks passwords in URL and key/value forms', () => {
    expect(redactDatabaseUrl('postgres://u:s3cret@h:5432/db?sslmode=require')).toBe('postgres://u:***@h:5432/db?sslmode=require');
    expect(redactDatabaseUrl('postgresql://u@h/db')).toBe('postgresql://u@h/db');
    expect(redactDatabaseUrl('postgres://u@h/db?password=s3cret')).toBe('postgres://u@h/db?password=***');
    expect(redactDatabaseUrl("host=h user=u password='s 3cret' dbname=d")).toBe('host=h user=u password=*** dbname=d');
  });
});
