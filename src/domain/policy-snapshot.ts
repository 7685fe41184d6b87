/**
 * The policy an incident ran under. It is stored on the `declared` event
 * (customers attached later add their entry on `customer_attached`), so a
 * report re-drafted next year still shows the cadences, deadlines, SLAs and
 * customers that applied, and says what the current policy changed.
 * Only what reports read is kept: never tokens or other secrets.
 */
import type { PolicySnapshot } from './events.ts';
import type { CustomerPolicy, Policy, SeverityPolicy } from './policy.ts';

/** The snapshot taken at declaration. */
export function snapshotPolicy(policy: Policy): PolicySnapshot {
  return {
    severities: policy.severities.map((s) => structuredClone(s)),
    customers: policy.customers.map((c) => structuredClone(c)),
    reportTimezone: policy.reportTimezone,
    ...(policy.stakeholderChannel ? { stakeholderChannel: policy.stakeholderChannel } : {}),
    ...(policy.customerReports ? { customerReports: { ...policy.customerReports } } : {}),
  };
}

/**
 * The policy a report renders with: the snapshot's severities, customers,
 * zone and customer-report rules over the current policy. Customers the
 * snapshot lacks (attached before snapshots existed) come from the current policy.
 */
export function policyInForce(current: Policy, snapshot: PolicySnapshot | undefined): Policy {
  if (!snapshot) return current;
  const known = new Set(snapshot.customers.map((c) => c.id));
  return {
    ...current,
    severities: snapshot.severities,
    customers: [...snapshot.customers, ...current.customers.filter((c) => !known.has(c.id))],
    reportTimezone: snapshot.reportTimezone,
    ...(snapshot.stakeholderChannel ? { stakeholderChannel: snapshot.stakeholderChannel } : {}),
    ...(snapshot.customerReports ? { customerReports: snapshot.customerReports } : {}),
  };
}

/** Key order is not meaning: a snapshot read back from Postgres (jsonb) has its keys reordered. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  }
  return v;
}
const same = (a: unknown, b: unknown): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

function severityChange(then: SeverityPolicy, now: SeverityPolicy | undefined): string | undefined {
  if (!now) return `${then.key} no longer exists`;
  const parts: string[] = [];
  const min = (ms: number): string => (ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`);
  if (then.updateCadenceMs !== now.updateCadenceMs) parts.push(`update cadence ${min(then.updateCadenceMs)} → ${min(now.updateCadenceMs)}`);
  if (then.customerContactDeadlineMs !== now.customerContactDeadlineMs) parts.push(`customer contact deadline ${min(then.customerContactDeadlineMs)} → ${min(now.customerContactDeadlineMs)}`);
  if (then.label !== now.label) parts.push('label');
  if (then.customerImpacting !== now.customerImpacting) parts.push(`customer impacting ${then.customerImpacting ? 'yes' : 'no'} → ${now.customerImpacting ? 'yes' : 'no'}`);
  if (!same(then.checklist, now.checklist)) parts.push('checklist');
  return parts.length ? `${then.key}: ${parts.join(', ')}` : undefined;
}

function customerChange(then: CustomerPolicy, now: CustomerPolicy | undefined): string | undefined {
  if (!now) return `${then.name} is no longer configured`;
  const parts: string[] = [];
  if (!same(then.sla, now.sla)) parts.push(`SLA ${then.sla.targetPercent} % → ${now.sla.targetPercent} %`);
  if (!same(then.serviceCredits, now.serviceCredits)) parts.push('service credits');
  if (then.name !== now.name) parts.push(`name → ${now.name}`);
  if ((then.timezone ?? '') !== (now.timezone ?? '')) parts.push('time zone');
  if (!same(then.mainContact, now.mainContact)) parts.push('main contact');
  return parts.length ? `${then.name}: ${parts.join(', ')}` : undefined;
}

/**
 * What the current policy changed for this incident, in words: empty when
 * nothing the report uses differs. Only customers the incident concerns count.
 */
export function policyDrift(current: Policy, snapshot: PolicySnapshot | undefined, customers: readonly string[]): string[] {
  if (!snapshot) return [];
  const out: string[] = [];
  for (const s of snapshot.severities) {
    const c = severityChange(s, current.severities.find((x) => x.key === s.key));
    if (c) out.push(c);
  }
  for (const id of customers) {
    const then = snapshot.customers.find((c) => c.id === id);
    if (!then) continue;
    const c = customerChange(then, current.customers.find((x) => x.id === id));
    if (c) out.push(c);
  }
  if (snapshot.reportTimezone !== current.reportTimezone) out.push(`report time zone ${snapshot.reportTimezone} → ${current.reportTimezone}`);
  const off = { includeServiceCredit: false, showResponderNames: false };
  if (!same(snapshot.customerReports ?? off, current.customerReports ?? off)) out.push('customer report rules');
  return out;
}
