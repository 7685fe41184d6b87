/**
 * The title of a call-customer checklist item: whom to call, with their number.
 * A customer's own item names one; the generic item none (an older incident's single item named them all).
 */
import type { CustomerPolicy } from './policy.ts';

export function callCustomerTitle(customers: readonly Pick<CustomerPolicy, 'name' | 'mainContact'>[]): string {
  if (customers.length === 0) return "Call the customer's main contact";
  const who = customers
    .map((c) => `${c.name}: ${c.mainContact.name}${c.mainContact.phone ? ` (${c.mainContact.phone})` : ''}`)
    .join('; ');
  return `Call the customer's main contact (${who})`;
}
