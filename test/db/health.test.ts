import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { inject } from 'vitest';
import { checkDatabaseHealth } from '../../src/adapters/db/health.ts';
import { migrate } from '../../src/adapters/db/migrate.ts';
import type { TestDatabase } from '../helpers/db.ts';
import { recordingLogger, scratchDatabases, scratchMigrations, testPool } from '../helpers/db-kit.ts';

const log = recordingLogger();
const scratch = scratchDatabases();
const { pools } = scratch;
const roles: string[] = [];
let migrations: string;

async function database(migrated: boolean): Promise<{ db: TestDatabase; pool: pg.Pool; id: string }> {
  const { db, pool } = await scratch.databaseWithPool('health');
  if (!migrated) return { db, pool, id: '00000000-0000-4000-8000-000000000000' };
  await migrate(pool, { dir: migrations, log });
  const id = (await pool.query('select id::text as id from kranz_installation')).rows[0].id as string;
  return { db, pool, id };
}

beforeAll(async () => {
  migrations = await scratchMigrations();
});

afterAll(async () => {
  await scratch.cleanup();
  if (roles.length > 0) {
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    for (const r of roles) await admin.query(`drop role if exists ${r}`);
    await admin.end();
  }
});

describe('checkDatabaseHealth', () => {
  it('is ok on a migrated database of the right installation, and really writes', async () => {
    const { pool, id } = await database(true);
    expect(await checkDatabaseHealth(pool, { migrationsDir: migrations, installationId: id })).toEqual({ ok: true });
    const beat = await pool.query('select beat, by from kranz_health where id = 1');
    expect(beat.rows[0].by).toMatch(/:\d+$/);
    expect(await checkDatabaseHealth(pool, { migrationsDir: migrations, installationId: id })).toEqual({ ok: true });
  });

  it('is not ok when the schema is missing', async () => {
    const { pool, id } = await database(false);
    const r = await checkDatabaseHealth(pool, { migrationsDir: migrations, installationId: id });
    expect(r).toMatchObject({ ok: false, code: 'KRANZ_DB_SCHEMA_MISSING' });
  });

  it('is not ok when the database is read-only (default_transaction_read_only, new connections)', async () => {
    const { db, pool, id } = await database(true);
    await pool.query(`alter database ${db.name} set default_transaction_read_only = on`);
    const fresh = testPool(db.url);
    pools.push(fresh);
    // Reads still work, which is exactly why SELECT 1 is not a health check.
    expect((await fresh.query('select count(*)::int as n from kranz_installation')).rows[0].n).toBe(1);
    const r = await checkDatabaseHealth(fresh, { migrationsDir: migrations, installationId: id });
    expect(r).toMatchObject({ ok: false, code: 'KRANZ_DB_READ_ONLY' });
    if (!r.ok) expect(r.reason).toMatch(/read-only/);
  });

  it('is not ok when the user lost its write grant', async () => {
    const { db, pool, id } = await database(true);
    const role = `ro_${randomBytes(4).toString('hex')}`;
    roles.push(role);
    await pool.query(`create role ${role} login password 'ro'`);
    await pool.query(`grant select on all tables in schema public to ${role}`);
    const url = new URL(db.url);
    url.username = role;
    url.password = 'ro';
    const ro = testPool(url.toString());
    pools.push(ro);
    const r = await checkDatabaseHealth(ro, { migrationsDir: migrations, installationId: id });
    expect(r).toMatchObject({ ok: false, code: 'KRANZ_DB_PERMISSION_DENIED' });
    await ro.end();
    pools.pop();
    await pool.query(`drop owned by ${role}`);
  });

  it('is not ok when a migration is pending', async () => {
    const { pool, id } = await database(true);
    const more = await scratchMigrations({ '0002_later.sql': 'select 1;\n' });
    const r = await checkDatabaseHealth(pool, { migrationsDir: more, installationId: id });
    expect(r).toMatchObject({ ok: false, code: 'KRANZ_DB_MIGRATIONS_PENDING' });
    if (!r.ok) expect(r.reason).toContain('0002_later');
  });

  it('is not ok when the database belongs to another installation', async () => {
    const { pool } = await database(true);
    const r = await checkDatabaseHealth(pool, {
      migrationsDir: migrations,
      installationId: '11111111-1111-4111-8111-111111111111',
    });
    expect(r).toMatchObject({ ok: false, code: 'KRANZ_INSTALLATION_MISMATCH' });
  });

  it('times out instead of hanging, and leaves the pool usable', async () => {
    const { pool, id } = await database(true);
    await checkDatabaseHealth(pool, { migrationsDir: migrations, installationId: id });
    const blocker = await pool.connect();
    await blocker.query('begin');
    await blocker.query('select * from kranz_health where id = 1 for update');
    const t0 = Date.now();
    const r = await checkDatabaseHealth(pool, { migrationsDir: migrations, installationId: id, timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(r).toMatchObject({ ok: false, code: 'KRANZ_DB_TIMEOUT' });
    await blocker.query('rollback');
    blocker.release();
    expect(await checkDatabaseHealth(pool, { migrationsDir: migrations, installationId: id })).toEqual({ ok: true });
  });
});
