/**
 * Builds an incident's checklist from policy. For customer-impacting
 * severities the first item is always the call to the customer's main
 * contact: customers hear it from us before they find out themselves.
 */
import { callCustomerTitle } from './checklist-title.ts';
import { CALL_CUSTOMER_ITEM } from './incident.ts';
import type { Policy, SeverityPolicy } from './policy.ts';

export interface ChecklistItemSpec {
  id: string;
  title: string;
  dueAt?: string;
}

export { callCustomerTitle } from './checklist-title.ts';

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
