/**
 * Each attached customer's first contact, read by one rule for the internal
 * report's contact check and for each customer's own report, so the two never
 * disagree about when a customer was called.
 */
import type { ReportFacts } from './facts.ts';
import { contactVia, type KeyTimeFact } from '../key-times.ts';

/**
 * The first contact of each attached customer (absent when none): their
 * earliest own contact, or one logged for no customer in particular. A
 * corrected first contact (`/incident times`) replaces the contact it corrects
 * when that was theirs; one corrected with no contact logged is theirs only
 * when they are the incident's one customer, since it names no customer and
 * another's call must not read as theirs. Each is the contact event as a key
 * time, or the correction that moved it (so its source can be stated).
 */
export function firstContacts(facts: ReportFacts): Map<string, KeyTimeFact> {
  const fact = facts.times.customer_contacted;
  const corrected = fact?.via === 'correction' ? fact : undefined;
  const attached = new Set(facts.customers);
  const first = new Map<string, KeyTimeFact>();
  const consider = (customer: string, f: KeyTimeFact): void => {
    const cur = first.get(customer);
    if (!Number.isNaN(f.ms) && (cur === undefined || f.ms < cur.ms)) first.set(customer, f);
  };
  for (const en of facts.entries) {
    const e = en.event;
    if (e.type !== 'customer_contacted' || en.marker) continue;
    const f: KeyTimeFact = corrected && e === corrected.impliedEvent ? corrected : { key: 'customer_contacted', ms: en.ms, event: e, via: contactVia(e.data) };
    if (e.data.customer) {
      if (attached.has(e.data.customer)) consider(e.data.customer, f);
    } else {
      for (const c of facts.customers) consider(c, f);
    }
  }
  const only = facts.customers.length === 1 ? facts.customers[0] : undefined;
  if (corrected && !corrected.impliedEvent && only !== undefined) consider(only, corrected);
  return first;
}
