/**
 * Builds an incident's checklist from policy. For customer-impacting
 * severities the first item is always the call to the customer's main
 * contact: customers hear it from us before they find out themselves.
 */
import { CALL_CUSTOMER_ITEM } from './incident.ts';
import type { CustomerPolicy, Policy, SeverityPolicy } from './policy.ts';

export interface ChecklistItemSpec {
  id: string;
  title: string;
  dueAt?: string;
}

export function callCustomerTitle(customers: readonly CustomerPolicy[]): string {
  if (customers.length === 0) return "Call the customer's main contact";
  const who = customers
    .map((c) => `${c.name}: ${c.mainContact.name}${c.mainContact.phone ? ` (${c.mainContact.phone})` : ''}`)
    .join('; ');
  return `Call the customer's main contact (${who})`;
}

export function buildChecklist(
  policy: Policy,
  severity: SeverityPolicy,
  customerIds: readonly string[],
  declaredAt: Date,
): ChecklistItemSpec[] {
  const at = (ms: number | undefined): { dueAt?: string } =>
    ms === undefined ? {} : { dueAt: new Date(declaredAt.getTime() + ms).toISOString() };
  const items: ChecklistItemSpec[] = [];
  if (severity.customerImpacting) {
    const customers = policy.customers.filter((c) => customerIds.includes(c.id));
    items.push({ id: CALL_CUSTOMER_ITEM, title: callCustomerTitle(customers), ...at(severity.customerContactDeadlineMs) });
  }
  for (const item of severity.checklist) {
    if (item.id === CALL_CUSTOMER_ITEM) continue;
    items.push({ id: item.id, title: item.title, ...at(item.dueWithinMs) });
  }
  return items;
}
