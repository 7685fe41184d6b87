/**
 * Incident numbers have no gaps: a declare that does not commit (the domain
 * refuses it, or its transaction fails or its process dies before the
 * commit) gives its number back, and declares at the same time get
 * consecutive numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareIncident } from '../../src/app/declare-incident.ts';
import { asSlackChannelId, asSlackUserId } from '../../src/domain/ids.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';

const user = (key: string) => ({ actor: { kind: 'user' as const, userId: asSlackUserId('UDECL') }, source: { kind: 'slack' as const, channelId: asSlackChannelId('CGEN') }, idempotencyKey: key });
const declare = (key: string, severity = 'SEV3') => declareIncident(h.deps, { title: `Numbers ${key}`, severity, commanderId: asSlackUserId('UCMD') }, user(key));
const numbers = async (): Promise<number[]> => (await h.pool.query<{ number: number }>('select number from incidents order by number')).rows.map((r) => r.number);

let h: AppHarness;
beforeAll(async () => {
  h = await appHarness();
});
afterAll(async () => h.close());

describe('incident numbers', () => {
  it('gives a refused declare\'s number to the next one', async () => {
    const refused = await declare('n-refused', 'SEV9');
    expect(refused.ok).toBe(false);
    const first = await declare('n-first');
    expect(first.ok && first.state?.number).toBe(1);
  });

  it('gives back the number of a transaction that did not commit', async () => {
    await expect(h.deps.store.transaction(async (uow) => {
      expect(await uow.incidents.nextIncidentNumber()).toBe(2);
      throw new Error('the process died before the commit');
    })).rejects.toThrow('died');
    const next = await declare('n-after-rollback');
    expect(next.ok && next.state?.number).toBe(2);
  });

  it('numbers declares made at the same time one after another, without gaps or repeats', async () => {
    const all = await Promise.all(Array.from({ length: 12 }, (_, i) => declare(`n-together-${i}`)));
    expect(all.every((o) => o.ok)).toBe(true);
    expect(await numbers()).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
  });
});
