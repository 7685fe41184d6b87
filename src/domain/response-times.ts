/**
 * How long an incident took to reach each milestone, in seconds, for the
 * metrics. Acknowledgement is measured from detection (the page), mitigation
 * and resolution from the start of impact (what the customer lived through),
 * customer contact from declaration (where the policy's deadline starts).
 * A milestone not reached yet is absent; a negative span (a back-dated start)
 * counts as zero.
 */
import type { KeyTimes } from './incident.ts';

export interface ResponseTimes {
  acknowledge?: number;
  mitigate?: number;
  resolve?: number;
  customerContact?: number;
}

const span = (from: string | undefined, to: string | undefined): number | undefined => {
  if (!from || !to) return undefined;
  const s = (Date.parse(to) - Date.parse(from)) / 1000;
  return Number.isFinite(s) ? Math.max(0, s) : undefined;
};

export function responseTimes(t: KeyTimes): ResponseTimes {
  const detected = t.detectedAt ?? t.declaredAt;
  const impact = t.impactStartedAt ?? detected;
  const out: ResponseTimes = {};
  const ack = span(detected, t.acknowledgedAt);
  const mitigate = span(impact, t.mitigatedAt);
  const resolve = span(impact, t.resolvedAt);
  const contact = span(t.declaredAt, t.customerContactedAt);
  if (ack !== undefined) out.acknowledge = ack;
  if (mitigate !== undefined) out.mitigate = mitigate;
  if (resolve !== undefined) out.resolve = resolve;
  if (contact !== undefined) out.customerContact = contact;
  return out;
}
