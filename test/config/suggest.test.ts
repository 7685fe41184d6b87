import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from '../../src/config/suggest.ts';

describe('suggestions for typos', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('cadence', 'cadnece')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('finds the intended key across spellings', () => {
    const keys = ['update_cadence', 'customer_contact_deadline', 'escalation_grace'];
    expect(closest('updateCadence', keys)).toBe('update_cadence');
    expect(closest('update-cadence', keys)).toBe('update_cadence');
    expect(closest('escalaton_grace', keys)).toBe('escalation_grace');
    expect(didYouMean('custmer_contact_deadline', keys)).toBe(' (did you mean "customer_contact_deadline"?)');
  });

  it('stays quiet when nothing is close or the guess would be arbitrary', () => {
    expect(closest('colour', ['update_cadence', 'label'])).toBeUndefined();
    expect(closest('SEV9', ['SEV1', 'SEV2', 'SEV3'])).toBeUndefined();
    expect(didYouMean('SEV9', ['SEV1', 'SEV2'])).toBe('');
  });
});
