import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import {
  DEFAULT_MIGRATIONS_DIR,
  MIGRATION_LOCK_KEY,
  migrate,
  pendingMigrations,
  readMigrations,
} from '../../src/adapters/db/migrate.ts';
import { recordingLogger, refusal, scratchDatabases, scratchMigrations, testPool } from '../helpers/db-kit.ts';

const log = recordingLogger();
const scratch = scratchDatabases();

async function freshPool(): Promise<pg.Pool> {
  return (await scratch.databaseWithPool('mig')).pool;
}

afterAll(() => scratch.cleanup());

describe('migrate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await scratchMigrations({
      '0002_widgets.sql': 'create table widgets (id int primary key);\n',
      '0003_widget_rows.sql': 'insert into widgets values (1), (2);\n',
    });
  });

  it('applies every file to a fresh database, in order, one row each', async () => {
    const pool = await freshPool();
    expect(await pendingMigrations(pool, dir)).toEqual(['0001_kranz_meta', '0002_widgets', '0003_widget_rows']);
    const r = await migrate(pool, { dir, log });
    expect(r.applied).toEqual(['0001_kranz_meta', '0002_widgets', '0003_widget_rows']);
    expect(r.current).toEqual(r.applied);
    const rows = await pool.query('select version, name, checksum, applied_at from kranz_migrations order by version');
    expect(rows.rows.map((x) => [x.version, x.name])).toEqual([
      [1, 'kranz_meta'],
      [2, 'widgets'],
      [3, 'widget_rows'],
    ]);
    const files = await readMigrations(dir);
    expect(rows.rows.map((x) => x.checksum)).toEqual(files.map((f) => f.checksum));
    expect((await pool.query('select count(*)::int as n from kranz_installation')).rows[0].n).toBe(1);
    expect(await pendingMigrations(pool, dir)).toEqual([]);
  });

  it('is a no-op when run again', async () => {
    const pool = await freshPool();
    await migrate(pool, { dir, log });
    const again = await migrate(pool, { dir, log });
    expect(again.applied).toEqual([]);
    expect(again.current).toEqual(['0001_kranz_meta', '0002_widgets', '0003_widget_rows']);
    expect((await pool.query('select count(*)::int as n from widgets')).rows[0].n).toBe(2);
  });

  it('lets five replicas migrate one database at once: each file applied exactly once, all succeed', async () => {
    const slow = await scratchMigrations({
      // Slow enough that the callers really overlap; the insert would fail on a second run.
      '0002_slow.sql': 'select pg_sleep(0.3);\ncreate table applied_once (n int primary key);\ninsert into applied_once values (1);\n',
      '0003_more.sql': 'insert into applied_once values (2);\n',
    });
    const db = await scratch.database('mig5');
    const five = Array.from({ length: 5 }, () => testPool(db.url, 2));
    scratch.pools.push(...five);
    const results = await Promise.all(five.map((p) => migrate(p, { dir: slow, log })));
    const all = ['0001_kranz_meta', '0002_slow', '0003_more'];
    for (const r of results) expect(r.current).toEqual(all);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(all);
    expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
    const p = five[0]!;
    expect((await p.query('select count(*)::int as n from kranz_migrations')).rows[0].n).toBe(3);
    expect((await p.query('select count(*)::int as n from applied_once')).rows[0].n).toBe(2);
    expect((await p.query('select count(*)::int as n from kranz_installation')).rows[0].n).toBe(1);
    expect(log.entries.some((e) => e.msg?.includes('waiting'))).toBe(true);
  });

  it('refuses a migration file changed after it was applied, naming the file and both checksums', async () => {
    const tampered = await scratchMigrations({ '0002_widgets.sql': 'create table widgets (id int primary key);\n' });
    const pool = await freshPool();
    await migrate(pool, { dir: tampered, log });
    const before = (await readMigrations(tampered)).find((f) => f.version === 2)!.checksum;
    const file = join(tampered, '0002_widgets.sql');
    const sql = await readFile(file, 'utf8');
    await writeFile(file, sql.replace('id int', 'id integer'));
    const after = (await readMigrations(tampered)).find((f) => f.version === 2)!.checksum;

    const err = await refusal(migrate(pool, { dir: tampered, log }));
    expect(err.code).toBe('KRANZ_MIGRATION_CHECKSUM_MISMATCH');
    expect(err.message).toContain('0002_widgets.sql');
    expect(err.message).toContain(before);
    expect(err.message).toContain(after);
    expect(err.details).toMatchObject({ file: '0002_widgets.sql', recordedChecksum: before, fileChecksum: after });
  });

  it('refuses when an applied migration file is missing', async () => {
    const gone = await scratchMigrations({ '0002_gone.sql': 'create table gone (id int);\n' });
    const pool = await freshPool();
    await migrate(pool, { dir: gone, log });
    await rm(join(gone, '0002_gone.sql'));
    const err = await refusal(migrate(pool, { dir: gone, log }));
    expect(err.code).toBe('KRANZ_MIGRATION_MISSING');
    expect(err.message).toContain('0002_gone.sql');
  });

  it('refuses a new file that sorts before an applied one', async () => {
    const d = await scratchMigrations({ '0003_c.sql': 'select 1;\n' });
    const pool = await freshPool();
    await migrate(pool, { dir: d, log });
    await writeFile(join(d, '0002_b.sql'), 'select 2;\n');
    const err = await refusal(migrate(pool, { dir: d, log }));
    expect(err.code).toBe('KRANZ_MIGRATION_OUT_OF_ORDER');
    expect(err.message).toContain('0002_b.sql');
  });

  it('rolls a failing migration back completely and names the file and line', async () => {
    const d = await scratchMigrations({ '0002_bad.sql': 'create table half (id int);\n\nselect * from no_such_table;\n' });
    const pool = await freshPool();
    const err = await refusal(migrate(pool, { dir: d, log }));
    expect(err.code).toBe('KRANZ_MIGRATION_FAILED');
    expect(err.sqlState).toBe('42P01');
    expect(err.message).toMatch(/0002_bad\.sql failed at line 3/);
    expect((await pool.query("select to_regclass('half') as t")).rows[0].t).toBeNull();
    expect(await pendingMigrations(pool, d)).toEqual(['0002_bad']);
  });

  it('gives up waiting for the migration lock after lockTimeoutMs', async () => {
    const pool = await freshPool();
    const holder = await pool.connect();
    await holder.query('select pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    try {
      const err = await refusal(migrate(pool, { dir, log, lockTimeoutMs: 200 }));
      expect(err.code).toBe('KRANZ_MIGRATION_LOCK_TIMEOUT');
    } finally {
      await holder.query('select pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
      holder.release();
    }
    expect((await migrate(pool, { dir, log })).applied).toHaveLength(3);
  });

  it('refuses badly named and duplicate migration files', async () => {
    const d = await scratchMigrations({ '0002-dash.sql': 'select 1;\n' });
    expect((await refusal(readMigrations(d))).code).toBe('KRANZ_MIGRATION_BAD_NAME');
    const dup = await scratchMigrations({ '0002_a.sql': 'select 1;\n', '0002_b.sql': 'select 1;\n' });
    expect((await refusal(readMigrations(dup))).code).toBe('KRANZ_MIGRATION_DUPLICATE_VERSION');
    expect((await refusal(readMigrations(join(d, 'nope')))).code).toBe('KRANZ_MIGRATIONS_DIR_MISSING');
  });

  it('ignores CRLF line ends in checksums (a Windows checkout is not a tampered file)', async () => {
    const d = await scratchMigrations({ '0002_x.sql': 'select 1;\nselect 2;\n' });
    const a = (await readMigrations(d))[1]!.checksum;
    await writeFile(join(d, '0002_x.sql'), 'select 1;\r\nselect 2;\r\n');
    expect((await readMigrations(d))[1]!.checksum).toBe(a);
    await appendFile(join(d, '0002_x.sql'), ' ');
    expect((await readMigrations(d))[1]!.checksum).not.toBe(a);
  });

  it('resolves the default directory to the package migrations, which apply to an empty database', async () => {
    expect(DEFAULT_MIGRATIONS_DIR).toBe(join(import.meta.dirname, '..', '..', 'migrations') + '/');
    const pool = await freshPool();
    const r = await migrate(pool, { log });
    expect(r.applied[0]).toBe('0001_kranz_meta');
    expect(await pendingMigrations(pool)).toEqual([]);
  });
});
