/**
 * The customer call on the checklist: one item per attached customer, naming
 * that customer's main contact, so ticking it records the call to that
 * customer and no other. With no customer attached the checklist keeps one
 * generic item ("Call the customer's main contact").
 *
 * The rules, decided by the handlers and recorded on the events (so a replay
 * gives the same checklist whatever these rules become):
 * - the first customer attached while the generic item is open takes it over,
 *   with its due time: naming the customer does not restart the clock;
 * - any other customer attached gets its own item, due by the declaration's
 *   deadline while that is still ahead, else the severity's deadline from the
 *   moment it was attached;
 * - detaching a customer takes its open item off (a done one stays); the
 *   last one gone from a customer-impacting incident brings back the generic item;
 * - a corrected declaration (`/incident times declared …`) moves the due
 *   times of the open call items with it, by the same rules.
 *
 * Incidents from before this kept one item for all their customers
 * (`call-customer`, its title naming them all); they still load and replay as
 * they were, and their first customer change after gives each customer an item.
 */
import { callCustomerTitle } from './checklist-title.ts';
import type { CustomerPolicy } from './policy.ts';

/** The generic call item, and the prefix of each customer's (`call-customer:acme`). Policy ids cannot hold a `:`. */
export const CALL_CUSTOMER_ITEM = 'call-customer';

export interface ChecklistItemState {
  id: string;
  title: string;
  dueAt?: string;
  doneAt?: string;
  doneBy?: string;
  /** A call item's customer (absent on the generic item and on an older incident's single item). */
  customer?: string;
  /** A call item's deadline: due this long after the declaration, or after `addedAt`. */
  dueWithinMs?: number;
  /** A call item added when its customer was attached after the declaration. */
  addedAt?: string;
}

/** An item as recorded on the event that puts it on the checklist. */
export type ChecklistItemSpec = Omit<ChecklistItemState, 'doneAt' | 'doneBy'>;

/**
 * What an event does to the checklist (attaching, detaching a customer, a
 * corrected declaration). Done items are never removed or moved.
 */
export interface ChecklistChange {
  /** Open items taken off. */
  remove?: string[];
  /** Items put on, after the call items already there. */
  add?: ChecklistItemSpec[];
  /** Open items whose due time moved. */
  due?: { itemId: string; dueAt: string; dueWithinMs: number }[];
}

export const callItemId = (customer: string): string => `${CALL_CUSTOMER_ITEM}:${customer}`;

export const isCallItem = (i: Pick<ChecklistItemState, 'id'>): boolean => i.id === CALL_CUSTOMER_ITEM || i.id.startsWith(`${CALL_CUSTOMER_ITEM}:`);

/** The generic item (or an older incident's single one). */
export const genericCallItem = (items: readonly ChecklistItemState[]): ChecklistItemState | undefined => items.find((i) => i.id === CALL_CUSTOMER_ITEM);

/** The item of one customer. */
export const callItemOf = (items: readonly ChecklistItemState[], customer: string): ChecklistItemState | undefined =>
  items.find((i) => isCallItem(i) && i.customer === customer);

/** The spec of a customer's call item. */
export function customerCallItem(c: Pick<CustomerPolicy, 'id' | 'name' | 'mainContact'>, due: { dueAt?: string; dueWithinMs?: number; addedAt?: string }): ChecklistItemSpec {
  return { id: callItemId(c.id), title: callCustomerTitle([c]), customer: c.id, ...due };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * When a call item added at `addedMs` is due: the declaration's deadline while
 * it is still ahead then, else the deadline counted from `addedMs`.
 */
export function callDueMs(declaredMs: number, withinMs: number, addedMs?: number): number {
  const byDeclaration = declaredMs + withinMs;
  return addedMs === undefined || byDeclaration > addedMs ? byDeclaration : addedMs + withinMs;
}

/** The due fields of a customer's item added at `at` (after the declaration). */
export function dueOnAttach(declaredAt: string, withinMs: number | undefined, at: Date): { dueAt?: string; dueWithinMs?: number; addedAt: string } {
  const declared = Date.parse(declaredAt);
  if (withinMs === undefined || Number.isNaN(declared)) return { addedAt: at.toISOString() };
  return { dueAt: iso(callDueMs(declared, withinMs, at.getTime())), dueWithinMs: withinMs, addedAt: at.toISOString() };
}

/**
 * The open call items' new due times for a declaration corrected to
 * `declaredAt`. An item without its deadline recorded (an older incident's)
 * was due that long after the declaration as first logged, `loggedDeclaredAt`.
 */
export function dueAfterCorrection(items: readonly ChecklistItemState[], loggedDeclaredAt: string, declaredAt: string): NonNullable<ChecklistChange['due']> {
  const declared = Date.parse(declaredAt);
  const logged = Date.parse(loggedDeclaredAt);
  const out: NonNullable<ChecklistChange['due']> = [];
  for (const i of items) {
    if (!isCallItem(i) || i.doneAt || !i.dueAt) continue;
    const within = i.dueWithinMs ?? Date.parse(i.dueAt) - logged;
    if (Number.isNaN(within) || Number.isNaN(declared)) continue;
    const dueAt = iso(callDueMs(declared, within, i.addedAt ? Date.parse(i.addedAt) : undefined));
    if (dueAt !== i.dueAt || i.dueWithinMs === undefined) out.push({ itemId: i.id, dueAt, dueWithinMs: within });
  }
  return out;
}

/** Applies a recorded change: never removes or moves a done item, never adds an id twice. */
export function applyChecklistChange(items: readonly ChecklistItemState[], change: ChecklistChange): ChecklistItemState[] {
  const remove = new Set(change.remove ?? []);
  const moved = new Map((change.due ?? []).map((d) => [d.itemId, d]));
  const kept = items
    .filter((i) => i.doneAt || !remove.has(i.id))
    .map((i) => {
      const m = moved.get(i.id);
      return m && !i.doneAt ? { ...i, dueAt: m.dueAt, dueWithinMs: m.dueWithinMs } : i;
    });
  const added = (change.add ?? []).filter((a) => !kept.some((i) => i.id === a.id)).map((a) => ({ ...a }));
  if (!added.length) return kept;
  // Calls come first: after the call items already there, before everything else.
  let at = 0;
  while (at < kept.length && isCallItem(kept[at] as ChecklistItemState)) at++;
  return [...kept.slice(0, at), ...added, ...kept.slice(at)];
}

/**
 * The items a contact ticks: the named customer's own open item, else the
 * open generic item (no customer attached yet, or an older incident's single
 * item); a contact naming no customer ticks every open call item, as the
 * report counts it as a contact with each.
 */
export function itemsTickedByContact(items: readonly ChecklistItemState[], customer: string | undefined): Set<string> {
  const open = items.filter((i) => isCallItem(i) && !i.doneAt);
  if (customer === undefined) return new Set(open.map((i) => i.id));
  const own = items.find((i) => isCallItem(i) && i.customer === customer);
  if (own) return new Set(own.doneAt ? [] : [own.id]);
  const generic = open.find((i) => i.id === CALL_CUSTOMER_ITEM);
  return new Set(generic ? [generic.id] : []);
}

/**
 * The attached customers nobody has called yet, as the checklist says: their
 * own item is open, or (an older incident's single item) that item is.
 */
export function customersNotCalled(s: { customers: readonly string[]; checklist: readonly ChecklistItemState[] }): string[] {
  const generic = genericCallItem(s.checklist);
  return s.customers.filter((c) => {
    const own = callItemOf(s.checklist, c);
    if (own) return !own.doneAt;
    return generic !== undefined && !generic.doneAt;
  });
}
