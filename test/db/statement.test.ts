/** Several writes sent as one statement (adapters/db/statement.ts), on the real database. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOf, runAll } from '../../src/adapters/db/statement.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';

let h: AppHarness;
beforeAll(async () => {
  h = await appHarness();
  await h.pool.query('create table test_a (k text primary key, v int); create table test_b (k text primary key, note text)');
});
afterAll(async () => h.close());

describe('allOf', () => {
  it('renumbers each write’s parameters after the ones before it', () => {
    const s = allOf([
      { text: 'insert into test_a (k, v) values ($1, $2) returning k', values: ['x', 1] },
      { text: 'insert into test_b (k, note) values ($2, $1) returning k', values: ['note', 'y'] },
    ]);
    expect(s.text).toContain('values ($1, $2)');
    expect(s.text).toContain('values ($4, $3)');
    expect(s.values).toEqual(['x', 1, 'note', 'y']);
  });

  it('refuses a write it cannot count or renumber safely', () => {
    expect(() => allOf([{ text: 'insert into test_a (k, v) values ($1, 2)', values: ['x'] }])).toThrow(/returning/);
    expect(() => allOf([{ text: "insert into test_a (k, v) values ($$a$$, 1) returning k", values: [] }])).toThrow(/\$/);
    expect(() => allOf([])).toThrow();
  });
});

describe('runAll', () => {
  it('runs every write in one statement and counts the rows each returned', async () => {
    await h.pool.query("insert into test_a values ('seen', 0)");
    const counts = await runAll(h.pool, [
      { text: 'insert into test_a (k, v) select * from unnest($1::text[], $2::int[]) on conflict (k) do nothing returning k', values: [['seen', 'new1', 'new2'], [1, 2, 3]] },
      { text: 'insert into test_b (k, note) values ($1, $2) returning k', values: ['b1', "it's"] },
      { text: 'update test_a set v = v + 10 where k = $1 returning k', values: ['seen'] },
    ]);
    // The update of test_a runs on the statement's snapshot: it sees 'seen' (committed before), not the rows inserted beside it.
    expect(counts).toEqual([2, 1, 1]);
    expect((await h.pool.query('select k, v from test_a order by k')).rows).toEqual([{ k: 'new1', v: 2 }, { k: 'new2', v: 3 }, { k: 'seen', v: 10 }]);
    expect((await h.pool.query('select note from test_b')).rows).toEqual([{ note: "it's" }]);
  });

  it('writes nothing when one write fails: it is one statement', async () => {
    await expect(runAll(h.pool, [
      { text: 'insert into test_b (k, note) values ($1, $2) returning k', values: ['b2', 'kept?'] },
      { text: 'insert into test_a (k, v) values ($1, $2) returning k', values: ['bad', 'not a number'] },
    ])).rejects.toThrow();
    expect((await h.pool.query("select count(*)::int as n from test_b where k = 'b2'")).rows[0]).toEqual({ n: 0 });
  });
});
