/**
 * Incident numbers: a declare the domain refuses takes none (the next
 * incident does not skip one), and declares at the same time get
 * consecutive numbers without waiting for each other. A number is lost only
 * when a declare's transaction fails or its process dies after taking it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareIncident } from '../../src/app/declare-incident.ts';
import { asSlackUserId } from '../../src/domain/ids.ts';
import { appHarness, personMeta, type AppHarness } from '../helpers/app.ts';

const declare = (key: string, severity = 'SEV3') => declareIncident(h.deps, { title: `Numbers ${key}`, severity, commanderId: asSlackUserId('UCMD') }, personMeta(key));
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

  it('numbers declares made at the same time without gaps or repeats', async () => {
    const all = await Promise.all(Array.from({ length: 12 }, (_, i) => declare(`n-together-${i}`)));
    expect(all.every((o) => o.ok)).toBe(true);
    expect(await numbers()).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
  });
});
