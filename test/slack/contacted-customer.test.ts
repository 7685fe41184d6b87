import { describe, expect, it } from 'vitest';
import { contactedCustomer } from '../../src/adapters/slack/contacted-customer.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { testPolicy } from '../helpers/domain.ts';

const policy: Policy = {
  ...testPolicy,
  customers: [...testPolicy.customers, { id: 'globex', name: 'Globex Corporation', mainContact: { name: 'Hank Scorpio' }, sla: { targetPercent: 99.5, periodDays: 30 }, serviceCredits: [] }],
};

describe('/incident customer-contacted naming the customer', () => {
  it('takes the words before the first colon as the customer when they are one, by id or name, in any case', () => {
    expect(contactedCustomer('globex: Called Hank; he confirmed', policy)).toEqual({ customer: 'globex', details: 'Called Hank; he confirmed' });
    expect(contactedCustomer('Globex Corporation:Called Hank at 14:05', policy)).toEqual({ customer: 'globex', details: 'Called Hank at 14:05' });
    expect(contactedCustomer('ACME CORP : left a voicemail', policy)).toEqual({ customer: 'acme', details: 'left a voicemail' });
  });

  it('keeps the whole text as the description when what precedes the colon is not a customer, or nothing follows it', () => {
    for (const text of ['Dana: confirmed the impact', 'Called Dana at 14:05', 'Called Dana', 'globex:', ': globex']) {
      expect(contactedCustomer(text, policy)).toEqual({ details: text });
    }
  });
});
