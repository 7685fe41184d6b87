/**
 * Did we keep our promises? Status-update gaps against the update cadence,
 * and each customer's first contact against the call's deadline.
 */
import type { SeverityPolicy } from '../policy.ts';
import { callItemOf, genericCallItem, isCallItem, type ChecklistItemState } from '../call-items.ts';
import { firstContacts } from './contacts.ts';
import type { ReportFacts } from './facts.ts';
import type { KeyTimeFact } from '../key-times.ts';

/** The time between two consecutive status updates (or the declaration and the first one). */
export interface UpdateGap {
  fromMs: number;
  toMs: number;
  /** True for the gap from the declaration to the first update. */
  fromDeclaration: boolean;
  /** The strictest cadence in force during the gap, when any severity in force is known to policy. */
  cadenceMs?: number;
  /** The severity that set that cadence. */
  severity?: string;
  late: boolean;
}

/**
 * Gaps between the declaration and the first update, then between
 * consecutive updates. A gap is judged against the strictest cadence of any
 * severity in force during it: raising the severity tightens the promise at once.
 */
export function updateGaps(facts: ReportFacts, severity: (key: string) => SeverityPolicy | undefined): UpdateGap[] {
  const steps = facts.severities;
  const gaps: UpdateGap[] = [];
  let from = facts.declaredMs;
  let step = 0;
  for (let i = 0; i < facts.updates.length; i++) {
    // An update stamped before the declaration (clock skew) closes a zero-length gap.
    const to = Math.max(from, facts.updates[i] as number);
    while (step + 1 < steps.length && (steps[step + 1] as { ms: number }).ms <= from) step++;
    let cadenceMs: number | undefined;
    let key: string | undefined;
    // Steps inside the gap are visited by this gap only, so the whole walk stays linear.
    for (let j = step; j < steps.length; j++) {
      const s = steps[j];
      if (!s || (j > step && s.ms >= to)) break;
      const c = severity(s.severity)?.updateCadenceMs;
      if (c !== undefined && (cadenceMs === undefined || c < cadenceMs)) {
        cadenceMs = c;
        key = s.severity;
      }
    }
    gaps.push({
      fromMs: from,
      toMs: to,
      fromDeclaration: i === 0,
      ...(cadenceMs !== undefined ? { cadenceMs } : {}),
      ...(key !== undefined ? { severity: key } : {}),
      late: cadenceMs !== undefined && to - from > cadenceMs,
    });
    from = to;
  }
  return gaps;
}

/** The first customer contact against its deadline. */
export interface ContactCheck {
  /** Whether the severity at declaration requires calling the customer. */
  required: boolean;
  contactedMs?: number;
  deadlineMs?: number;
  late: boolean;
}

/** One customer's first contact against the call's deadline, when several are attached. */
export interface CustomerContactCheck extends ContactCheck {
  customer: string;
  /** Where the contact came from: the contact event, or the correction that moved it. */
  contact?: KeyTimeFact;
}

/** The call item that holds `customer`'s deadline: their own, else the generic one (or an older incident's single item). */
function callItem(facts: ReportFacts, customer: string | undefined): ChecklistItemState | undefined {
  const items = facts.state.checklist;
  return (customer !== undefined ? callItemOf(items, customer) : undefined) ?? genericCallItem(items) ?? items.find(isCallItem);
}

/**
 * The deadline is the one the team was given: the call item's due time (the
 * customer's own, else the generic one), else the declared severity's contact
 * deadline. The item is read from the incident's checklist as it ended, not as
 * declared: attaching a customer adds their item then, with its own due time.
 */
function callDeadline(facts: ReportFacts, sev: SeverityPolicy | undefined, item: ChecklistItemState | undefined = callItem(facts, undefined)): { required: boolean; deadlineMs?: number } {
  const due = item?.dueAt ? Date.parse(item.dueAt) : NaN;
  const deadlineMs = !Number.isNaN(due) ? due : sev ? facts.declaredMs + sev.customerContactDeadlineMs : undefined;
  return { required: item !== undefined || (sev?.customerImpacting ?? false), ...(deadlineMs !== undefined ? { deadlineMs } : {}) };
}

function judged(facts: ReportFacts, call: { required: boolean; deadlineMs?: number }, contactedMs: number | undefined): ContactCheck {
  const { required, deadlineMs } = call;
  const contacted = contactedMs !== undefined && !Number.isNaN(contactedMs) ? contactedMs : undefined;
  return {
    required,
    ...(contacted !== undefined ? { contactedMs: contacted } : {}),
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
    late: required && deadlineMs !== undefined && (contacted === undefined ? facts.lastMs > deadlineMs : contacted > deadlineMs),
  };
}

/**
 * With several customers attached, each one's first contact (their own, or one
 * naming no customer: `firstContacts`, the rule their customer reports use)
 * against their call's deadline, in the order they were attached; empty with
 * one customer or none. Each customer's call item holds their deadline; an
 * incident from before customers had their own item has one for all, whose due
 * time is each one's deadline (or, for a customer attached later, the
 * severity's time to call from when they were attached).
 */
export function customerContacts(
  facts: ReportFacts,
  severity: (key: string) => SeverityPolicy | undefined,
  first: ReadonlyMap<string, KeyTimeFact> = firstContacts(facts),
): CustomerContactCheck[] {
  if (facts.customers.length < 2) return [];
  const sev = severity(facts.declared.data.severity);
  const call = callDeadline(facts, sev);
  const attachedAt = lastAttached(facts);
  return facts.customers.map((customer) => {
    const contact = first.get(customer);
    const own = callItemOf(facts.state.checklist, customer);
    if (own) return { customer, ...judged(facts, callDeadline(facts, sev, own), contact?.ms), ...(contact ? { contact } : {}) };
    // A customer attached after the declaration gets the severity's time to call from when they were attached:
    // the call item's due time was set for the customers there at the start, before this one was known.
    const at = attachedAt.get(customer);
    const theirs = at !== undefined && sev && call.deadlineMs !== undefined ? { ...call, deadlineMs: Math.max(call.deadlineMs, at + sev.customerContactDeadlineMs) } : call;
    return { customer, ...judged(facts, theirs, contact?.ms), ...(contact ? { contact } : {}) };
  });
}

/** When each customer was last attached after the declaration (a customer named at declaration has no entry). */
function lastAttached(facts: ReportFacts): Map<string, number> {
  const out = new Map<string, number>();
  for (const en of facts.entries) {
    if (en.event.type === 'customer_attached' && !en.marker) out.set(en.event.data.customer, en.ms);
  }
  return out;
}

/**
 * The customer contact the report states as its figure. With one customer (or
 * none) it is the first contact logged. With several it is the last customer's
 * first contact: the time by which every customer had been called, and late
 * when any one's call was. The first contact with any one of them would tell a
 * support lead that a customer nobody called had been; when one was never
 * contacted there is no such time, and the report names who instead.
 */
export function customerContact(
  facts: ReportFacts,
  severity: (key: string) => SeverityPolicy | undefined,
  each: readonly CustomerContactCheck[] = customerContacts(facts, severity),
): ContactCheck {
  const sev = severity(facts.declared.data.severity);
  const call = callDeadline(facts, sev, each.length ? undefined : callItem(facts, facts.customers[0]));
  if (!each.length) return judged(facts, call, facts.times.customer_contacted?.ms);
  let every: number | undefined = -Infinity;
  for (const c of each) every = c.contactedMs === undefined || every === undefined ? undefined : Math.max(every, c.contactedMs);
  // Each customer has their own deadline (one attached later, a later one): late when any one's call was.
  const deadlines = each.flatMap((c) => (c.deadlineMs !== undefined ? [c.deadlineMs] : []));
  const latest = deadlines.length ? { ...call, deadlineMs: Math.max(...deadlines) } : call;
  return { ...judged(facts, latest, every), late: each.some((c) => c.late) };
}
