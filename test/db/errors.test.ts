import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { coerceError, isKranzError, KranzError, sqlStateOf } from '../../src/adapters/db/errors.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase | undefined;
afterAll(async () => {
  await db?.drop();
});

describe('coerceError', () => {
  it('keeps the SQLSTATE of a real PostgreSQL error', async () => {
    db = await createTestDatabase('err');
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const raw = await c.query('select * from missing_table').catch((e: unknown) => e);
    await c.end();
    const e = coerceError(raw);
    expect(e).toBeInstanceOf(KranzError);
    expect(e.code).toBe('PG_42P01');
    expect(e.sqlState).toBe('42P01');
    expect(e.details).toMatchObject({ sqlState: '42P01', severity: 'ERROR' });
    expect(e.message).toContain('missing_table');
    expect(e.cause).toBe(raw);
    expect(sqlStateOf(raw)).toBe('42P01');
    expect(sqlStateOf(e)).toBe('42P01');
  });

  it('codes system errors, leaves KranzErrors alone and copes with non-errors', async () => {
    const c = new pg.Client({ connectionString: 'postgres://x:y@127.0.0.1:1/z' });
    const refused = await c.connect().catch((e: unknown) => e);
    expect(coerceError(refused).code).toBe('NODE_ECONNREFUSED');
    expect(sqlStateOf(refused)).toBeUndefined();

    const k = new KranzError('KRANZ_X', 'x', { details: { a: 1 } });
    expect(coerceError(k)).toBe(k);
    expect(isKranzError(k, 'KRANZ_X')).toBe(true);
    expect(isKranzError(k, 'KRANZ_Y')).toBe(false);
    expect(coerceError('plain').message).toBe('plain');
    expect(coerceError({ weird: true })).toMatchObject({ code: 'KRANZ_UNEXPECTED', message: '{"weird":true}' });
  });
});
