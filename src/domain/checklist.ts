/**
 * Builds an incident's checklist from policy. For customer-impacting
 * severities the first items are always the calls to the customers' main
 * contacts, one per customer named (or one generic item when none is):
 * customers hear it from us before they find out themselves.
 */
import { CALL_CUSTOMER_ITEM, customerCallItem, type ChecklistItemSpec } from './call-items.ts';
import { callCustomerTitle } from './checklist-title.ts';
import type { Policy, SeverityPolicy } from './policy.ts';

export type { ChecklistItemSpec } from './call-items.ts';

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
    const within = severity.customerContactDeadlineMs;
    const due = { ...at(within), dueWithinMs: within };
    const customers = customerIds.flatMap((id) => policy.customers.filter((c) => c.id === id));
    if (customers.length === 0) items.push({ id: CALL_CUSTOMER_ITEM, title: callCustomerTitle([]), ...due });
    for (const c of customers) items.push(customerCallItem(c, due));
  }
  for (const item of severity.checklist) {
    if (item.id === CALL_CUSTOMER_ITEM) continue;
    items.push({ id: item.id, title: item.title, ...at(item.dueWithinMs) });
  }
  return items;
}
