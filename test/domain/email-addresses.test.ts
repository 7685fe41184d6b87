import { describe, expect, it } from 'vitest';
import { sameAddress, withAddresses } from '../../src/domain/email-addresses.ts';
import { customerEmails } from '../../src/domain/policy.ts';

describe('email addresses', () => {
  it('are one mailbox whatever the letter case', () => {
    expect(sameAddress('Ops@Acme.com', 'ops@acme.COM')).toBe(true);
    expect(sameAddress('ops@acme.com', 'ops2@acme.com')).toBe(false);
  });

  it('are appended only when new, in order, keeping the spelling first seen', () => {
    expect(withAddresses(['Ops@Acme.com'], ['ops@acme.com', 'cto@acme.com', 'CTO@acme.com'], (a) => a)).toEqual(['Ops@Acme.com', 'cto@acme.com']);
    const rows = withAddresses([{ email: 'a@x.io', customerId: 'x' }], [{ email: 'A@X.io', customerId: 'y' }, { email: 'b@y.io', customerId: 'y' }], (r) => r.email);
    expect(rows).toEqual([{ email: 'a@x.io', customerId: 'x' }, { email: 'b@y.io', customerId: 'y' }]);
  });

  it('of a customer: main contact first, then the notify list, without repeats', () => {
    const acme = { id: 'acme', name: 'Acme', mainContact: { name: 'Ana', email: 'Ana@Acme.com' }, notifyEmails: ['ana@acme.com', 'ops@acme.com'] };
    expect(customerEmails(acme as never)).toEqual(['Ana@Acme.com', 'ops@acme.com']);
  });
});
