import { describe, expect, it } from 'vitest';
import { policyDrift, snapshotPolicy } from '../../src/domain/policy-snapshot.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { testPolicy } from '../helpers/domain.ts';

/** Rebuilds every object with its keys in reverse order, as a jsonb round trip may. */
function reorder<T>(v: T): T {
  if (Array.isArray(v)) return v.map(reorder) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reorder((v as Record<string, unknown>)[k])])) as T;
  return v;
}

describe('policyDrift', () => {
  const customers = testPolicy.customers.map((c) => c.id);

  it('finds no drift when the stored snapshot only has its keys in another order', () => {
    const stored = reorder(JSON.parse(JSON.stringify(snapshotPolicy(testPolicy))));
    expect(policyDrift(testPolicy, stored, customers)).toEqual([]);
  });

  it('names a real change of a customer SLA', () => {
    const stored = snapshotPolicy(testPolicy);
    const c0 = testPolicy.customers[0]!;
    const changed: Policy = { ...testPolicy, customers: [{ ...c0, sla: { ...c0.sla, targetPercent: 99.5 } }, ...testPolicy.customers.slice(1)] };
    const drift = policyDrift(changed, stored, customers);
    expect(drift).toHaveLength(1);
    expect(drift[0]).toContain(`SLA ${c0.sla.targetPercent} % → 99.5 %`);
  });
});
