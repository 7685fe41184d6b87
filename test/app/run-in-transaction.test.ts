/**
 * Expected failures are values: `runInTransaction` rolls back when its
 * function returns an error result and commits an ok one, with nothing
 * thrown; a throw still rolls back and reaches the caller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTransaction } from '../../src/app/run-in-transaction.ts';
import { err, ok } from '../../src/lib/result.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';

let h: AppHarness;
beforeAll(async () => {
  h = await appHarness();
});
afterAll(async () => h.close());

const keyStored = async (key: string): Promise<boolean> =>
  (await h.pool.query('select 1 from command_keys where key = $1', [key])).rowCount === 1;

describe('runInTransaction', () => {
  it('commits what an ok result wrote', async () => {
    const r = await runInTransaction(h.deps.store, async (uow) => ok(await uow.keys.claimCommandKey('rit:ok')));
    expect(r).toEqual({ ok: true, value: true });
    expect(await keyStored('rit:ok')).toBe(true);
  });

  it('rolls back what an error result wrote, and returns the error', async () => {
    const r = await runInTransaction(h.deps.store, async (uow) => {
      await uow.keys.claimCommandKey('rit:err');
      return err({ code: 'refused' });
    });
    expect(r).toEqual({ ok: false, error: { code: 'refused' } });
    expect(await keyStored('rit:err')).toBe(false);
  });

  it('rolls back and rethrows on a throw', async () => {
    await expect(runInTransaction(h.deps.store, async (uow) => {
      await uow.keys.claimCommandKey('rit:throw');
      throw new Error('bug');
    })).rejects.toThrow('bug');
    expect(await keyStored('rit:throw')).toBe(false);
  });
});
