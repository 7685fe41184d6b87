/**
 * What attaching or detaching a customer, or correcting the declaration, does
 * to the call items (rules in `call-items.ts`). Decided here, recorded on the
 * event as a `ChecklistChange`, applied by `applyEvent`.
 */
import {
  applyChecklistChange, CALL_CUSTOMER_ITEM, callItemOf, customerCallItem, dueAfterCorrection, dueOnAttach, genericCallItem, isCallItem,
  type ChecklistChange, type ChecklistItemSpec, type ChecklistItemState,
} from '../call-items.ts';
import { callCustomerTitle } from '../checklist-title.ts';
import { declaredAtOf, type IncidentState } from '../incident.ts';
import { findSeverity, type CustomerPolicy, type Policy, type SeverityPolicy } from '../policy.ts';

/** The incident's severity as it runs under it: its policy snapshot, else the current policy. */
function severityOf(state: IncidentState, policy: Policy): SeverityPolicy | undefined {
  return state.policy?.severities.find((s) => s.key === state.severity) ?? findSeverity(policy, state.severity);
}

function customerOf(state: IncidentState, policy: Policy, id: string): Pick<CustomerPolicy, 'id' | 'name' | 'mainContact'> {
  return state.policy?.customers.find((c) => c.id === id) ?? policy.customers.find((c) => c.id === id) ?? { id, name: id, mainContact: { name: 'their main contact' } };
}

/** The due fields an item keeps when it stands in for `item` (same due time, counted from the declaration). */
function dueLike(item: ChecklistItemState, state: IncidentState): Pick<ChecklistItemSpec, 'dueAt' | 'dueWithinMs'> {
  if (!item.dueAt) return {};
  const within = item.dueWithinMs ?? Date.parse(item.dueAt) - Date.parse(state.times.declaredAt);
  return { dueAt: item.dueAt, ...(Number.isNaN(within) ? {} : { dueWithinMs: within }) };
}

/** An older incident's single open item for all its customers (its title names them). */
function sharedItem(state: IncidentState): ChecklistItemState | undefined {
  const g = genericCallItem(state.checklist);
  return g && !g.doneAt && state.customers.length > 0 ? g : undefined;
}

/** Attaching customer `c` at `at`. */
export function callItemsOnAttach(state: IncidentState, c: CustomerPolicy, policy: Policy, at: Date): ChecklistChange {
  if (callItemOf(state.checklist, c.id)) return {};
  const generic = genericCallItem(state.checklist);
  // The first customer named takes over the open generic item, due as it was: naming them does not restart the clock.
  if (generic && !generic.doneAt && state.customers.length === 0) {
    return { remove: [generic.id], add: [customerCallItem(c, dueLike(generic, state))] };
  }
  const own = customerCallItem(c, dueOnAttach(declaredAtOf(state), severityOf(state, policy)?.customerContactDeadlineMs, at));
  const shared = sharedItem(state);
  if (!shared) return { add: [own] };
  // An older incident's one item for all: each of its customers gets their own, due as it was.
  const each = state.customers.filter((id) => !callItemOf(state.checklist, id)).map((id) => customerCallItem(customerOf(state, policy, id), dueLike(shared, state)));
  return { remove: [shared.id], add: [...each, own] };
}

/** Detaching customer `customer`. */
export function callItemsOnDetach(state: IncidentState, customer: string, policy: Policy): ChecklistChange {
  const remaining = state.customers.filter((c) => c !== customer);
  const remove: string[] = [];
  const add: ChecklistItemSpec[] = [];
  const own = callItemOf(state.checklist, customer);
  if (own && !own.doneAt) remove.push(own.id);
  const shared = sharedItem(state);
  if (shared) {
    remove.push(shared.id);
    add.push(...remaining.filter((id) => !callItemOf(state.checklist, id)).map((id) => customerCallItem(customerOf(state, policy, id), dueLike(shared, state))));
    if (remaining.length === 0) add.push({ id: CALL_CUSTOMER_ITEM, title: callCustomerTitle([]), ...dueLike(shared, state) });
  }
  const left = applyChecklistChange(state.checklist, { remove, add });
  const sev = severityOf(state, policy);
  // No customer left and nobody called: a customer-impacting incident asks for the call again, due by the declaration's deadline.
  if (remaining.length === 0 && sev?.customerImpacting && !left.some(isCallItem)) {
    const declared = Date.parse(declaredAtOf(state));
    const dueAt = Number.isNaN(declared) ? undefined : new Date(declared + sev.customerContactDeadlineMs).toISOString();
    add.push({ id: CALL_CUSTOMER_ITEM, title: callCustomerTitle([]), ...(dueAt ? { dueAt, dueWithinMs: sev.customerContactDeadlineMs } : {}) });
  }
  return { ...(remove.length ? { remove } : {}), ...(add.length ? { add } : {}) };
}

/** The declaration corrected to `declaredAt`: the open call items' due times move with it. */
export function callItemsOnCorrectedDeclaration(state: IncidentState, declaredAt: string): ChecklistChange {
  const due = dueAfterCorrection(state.checklist, state.times.declaredAt, declaredAt);
  return due.length ? { due } : {};
}
