/** The title of the call-customer checklist item: whom to call, with their number. */
import type { CustomerPolicy } from './policy.ts';

export function callCustomerTitle(customers: readonly CustomerPolicy[]): string {
  if (customers.length === 0) return "Call the customer's main contact";
  const who = customers
    .map((c) => `${c.name}: ${c.mainContact.name}${c.mainContact.phone ? ` (${c.mainContact.phone})` : ''}`)
    .join('; ');
  return `Call the customer's main contact (${who})`;
}
