/**
 * `/incident customer-contacted Globex: Called Hank, he confirmed the impact`
 * names the customer called: the words before the first colon, when they are
 * a configured customer's id or name. Anything else ("Dana: confirmed", no
 * colon) is the call's description as typed, as before. Pure; no I/O.
 */
import { findCustomer, type Policy } from '../../domain/policy.ts';

export function contactedCustomer(text: string, policy: Policy): { customer?: string; details: string } {
  const colon = text.indexOf(':');
  if (colon <= 0) return { details: text };
  const customer = findCustomer(policy, text.slice(0, colon));
  const details = text.slice(colon + 1).trim();
  return customer && details ? { customer: customer.id, details } : { details: text };
}
