/**
 * Did we keep our promises? Status-update gaps against the update cadence,
 * and the first customer contact against its deadline.
 */
import type { SeverityPolicy } from '../policy.ts';
import { CALL_CUSTOMER_ITEM } from '../incident.ts';
import type { ReportFacts } from './facts.ts';

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

/**
 * The deadline is the one the team was given: the call-customer checklist
 * item's due time, else the declared severity's contact deadline. The item is
 * read from the incident's checklist as it ended, not as declared: attaching a
 * customer to an incident whose severity expected no call adds the item then.
 */
export function customerContact(facts: ReportFacts, severity: (key: string) => SeverityPolicy | undefined): ContactCheck {
  const sev = severity(facts.declared.data.severity);
  const item = facts.state.checklist.find((i) => i.id === CALL_CUSTOMER_ITEM);
  const due = item?.dueAt ? Date.parse(item.dueAt) : NaN;
  const deadlineMs = !Number.isNaN(due) ? due : sev ? facts.declaredMs + sev.customerContactDeadlineMs : undefined;
  const contactedMs = facts.times.customer_contacted?.ms;
  const required = item !== undefined || (sev?.customerImpacting ?? false);
  const contacted = contactedMs !== undefined && !Number.isNaN(contactedMs) ? contactedMs : undefined;
  return {
    required,
    ...(contacted !== undefined ? { contactedMs: contacted } : {}),
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
    late: required && deadlineMs !== undefined && (contacted === undefined ? facts.lastMs > deadlineMs : contacted > deadlineMs),
  };
}
