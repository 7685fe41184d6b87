import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase } from './helpers/db.ts';

describe('test harness', () => {
  it('gives each file a real, empty PostgreSQL database', async () => {
    const db = await createTestDatabase();
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const r = await c.query<{ n: string }>("select count(*)::text as n from pg_tables where schemaname = 'public'");
    expect(r.rows[0]?.n).toBe('0');
    await c.end();
    await db.drop();
  });
});
