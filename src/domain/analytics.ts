/**
 * How the team is doing, from incident states and their status-update
 * history: counts, time to acknowledge, mitigate, resolve and first customer
 * contact (medians, measured from the declaration), update promises kept, and
 * each customer's SLA budget used per calendar month. Pure: the caller passes
 * `nowMs` for incidents still open.
 */
import type { IncidentState } from './incident.ts';
import type { Policy } from './policy.ts';
import { impactSpans, spansTotalMs, type ImpactPause } from './impact-spans.ts';

/** A status update (with the next update it promised), or a resolve, close or reopen. */
export interface StatusMark {
  incidentId: string;
  type: 'status_update_posted' | 'resolved' | 'closed' | 'reopened';
  at: string;
  nextUpdateAt?: string;
}

/** One row of a breakdown table. Durations in ms; undefined when no incident in the group reached the milestone. */
export interface BreakdownRow {
  key: string;
  incidents: number;
  medianAcknowledgeMs?: number;
  medianMitigateMs?: number;
  medianResolveMs?: number;
  medianCustomerContactMs?: number;
  /** Promises ("next update by …") whose time has come. */
  promisesDue: number;
  promisesKept: number;
}

export interface SlaBudgetRow {
  customer: string;
  month: string;
  incidents: number;
  impactMinutes: number;
  budgetMinutes: number;
  /** impact / budget × 100; above 100 the SLA is breached. */
  usedPercent: number;
}

export interface Analytics {
  byMonth: BreakdownRow[];
  bySeverity: BreakdownRow[];
  byService: BreakdownRow[];
  byCustomer: BreakdownRow[];
  /** Incident counts per month and severity, for the stacked chart. */
  monthSeverity: { month: string; severity: string; incidents: number }[];
  slaBudget: SlaBudgetRow[];
}

const NO_SERVICE = '(no PagerDuty service)';
const NO_CUSTOMER = '(no customer)';

const ms = (iso: string | undefined): number | undefined => {
  const v = Date.parse(iso ?? '');
  return Number.isNaN(v) ? undefined : v;
};

export function month(iso: string): string {
  return iso.slice(0, 7);
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Promises per incident: [due, kept]. A promise is kept when the next update, resolve or close came by its time. */
export function promises(marks: readonly StatusMark[], nowMs: number): Map<string, { due: number; kept: number }> {
  const byIncident = new Map<string, StatusMark[]>();
  for (const m of marks) {
    const list = byIncident.get(m.incidentId) ?? [];
    list.push(m);
    byIncident.set(m.incidentId, list);
  }
  const out = new Map<string, { due: number; kept: number }>();
  for (const [id, list] of byIncident) {
    let due = 0;
    let kept = 0;
    list.forEach((m, i) => {
      const by = m.type === 'status_update_posted' ? ms(m.nextUpdateAt) : undefined;
      if (by === undefined) return;
      const next = list.slice(i + 1).find((x) => x.type !== 'reopened');
      const nextAt = next ? ms(next.at) : undefined;
      if (nextAt !== undefined) {
        due++;
        if (nextAt <= by) kept++;
      } else if (nowMs > by) {
        due++;
      }
    });
    out.set(id, { due, kept });
  }
  return out;
}

function breakdown(groups: Map<string, IncidentState[]>, kept: Map<string, { due: number; kept: number }>): BreakdownRow[] {
  const rows: BreakdownRow[] = [];
  for (const [key, list] of groups) {
    const since = (pick: (s: IncidentState) => string | undefined, only: (s: IncidentState) => boolean = () => true): number | undefined =>
      median(list.filter(only).flatMap((s) => {
        const from = ms(s.times.declaredAt);
        const to = ms(pick(s));
        return from !== undefined && to !== undefined ? [Math.max(0, to - from)] : [];
      }));
    const row: BreakdownRow = { key, incidents: list.length, promisesDue: 0, promisesKept: 0 };
    const a = since((s) => s.times.acknowledgedAt);
    const m = since((s) => s.times.mitigatedAt);
    const r = since((s) => s.times.resolvedAt);
    const c = since((s) => s.times.customerContactedAt, (s) => s.customers.length > 0);
    if (a !== undefined) row.medianAcknowledgeMs = a;
    if (m !== undefined) row.medianMitigateMs = m;
    if (r !== undefined) row.medianResolveMs = r;
    if (c !== undefined) row.medianCustomerContactMs = c;
    for (const s of list) {
      const p = kept.get(s.id);
      row.promisesDue += p?.due ?? 0;
      row.promisesKept += p?.kept ?? 0;
    }
    rows.push(row);
  }
  return rows;
}

function group(incidents: readonly IncidentState[], keys: (s: IncidentState) => string[]): Map<string, IncidentState[]> {
  const out = new Map<string, IncidentState[]>();
  for (const s of incidents) {
    for (const k of new Set(keys(s))) {
      const list = out.get(k) ?? [];
      list.push(s);
      out.set(k, list);
    }
  }
  return out;
}

export function computeAnalytics(incidents: readonly IncidentState[], marks: readonly StatusMark[], policy: Policy, nowMs: number): Analytics {
  const kept = promises(marks, nowMs);
  const sevRank = (k: string): number => {
    const i = policy.severities.findIndex((s) => s.key === k);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const byMonth = breakdown(group(incidents, (s) => [month(s.times.declaredAt)]), kept).sort((a, b) => a.key.localeCompare(b.key));
  const bySeverity = breakdown(group(incidents, (s) => [s.severity]), kept).sort((a, b) => sevRank(a.key) - sevRank(b.key) || a.key.localeCompare(b.key));
  const byService = breakdown(group(incidents, (s) => {
    const ids = s.pagerDutyIncidents.flatMap((p) => (p.serviceId ? [p.serviceId] : []));
    return ids.length ? ids : [NO_SERVICE];
  }), kept).sort((a, b) => b.incidents - a.incidents || a.key.localeCompare(b.key));
  const byCustomer = breakdown(group(incidents, (s) => (s.customers.length ? s.customers : [NO_CUSTOMER])), kept).sort((a, b) => b.incidents - a.incidents || a.key.localeCompare(b.key));

  const ms2 = new Map<string, number>();
  for (const s of incidents) {
    const k = `${month(s.times.declaredAt)}\u0000${s.severity}`;
    ms2.set(k, (ms2.get(k) ?? 0) + 1);
  }
  const monthSeverity = [...ms2].map(([k, n]) => {
    const [m, severity] = k.split('\u0000') as [string, string];
    return { month: m, severity, incidents: n };
  }).sort((a, b) => a.month.localeCompare(b.month) || sevRank(a.severity) - sevRank(b.severity));

  const sla = new Map<string, SlaBudgetRow>();
  const marksOf = new Map<string, StatusMark[]>();
  for (const m of marks) marksOf.set(m.incidentId, [...(marksOf.get(m.incidentId) ?? []), m]);
  for (const s of incidents) {
    const impactMs = impactOf(s, marksOf.get(s.id) ?? [], nowMs);
    if (impactMs === undefined) continue;
    for (const id of new Set(s.customers)) {
      const c = policy.customers.find((x) => x.id === id);
      if (!c) continue;
      const m = month(s.times.declaredAt);
      const key = `${id}\u0000${m}`;
      const budgetMinutes = Math.round(((100 - c.sla.targetPercent) / 100) * c.sla.periodDays * 1440 * 1000) / 1000;
      const row = sla.get(key) ?? { customer: id, month: m, incidents: 0, impactMinutes: 0, budgetMinutes, usedPercent: 0 };
      row.incidents++;
      row.impactMinutes += impactMs / 60_000;
      row.usedPercent = budgetMinutes > 0 ? (row.impactMinutes / budgetMinutes) * 100 : row.impactMinutes > 0 ? Infinity : 0;
      sla.set(key, row);
    }
  }
  const slaBudget = [...sla.values()].sort((a, b) => a.month.localeCompare(b.month) || a.customer.localeCompare(b.customer));
  return { byMonth, bySeverity, byService, byCustomer, monthSeverity, slaBudget };
}

/**
 * How long the incident's impact lasted (or has lasted, at `nowMs`), counted
 * as the report counts it (`impactSpans`): the restorations a reopen undid
 * are the resolutions in `marks` (the incident's, in log order) that a
 * reopen followed; the last stretch ends at the state's resolution, which
 * carries a correction.
 */
function impactOf(s: IncidentState, marks: readonly StatusMark[], nowMs: number): number | undefined {
  const start = ms(s.times.impactStartedAt) ?? ms(s.times.declaredAt);
  if (start === undefined) return undefined;
  const pauses: ImpactPause[] = [];
  let restoredMs: number | undefined;
  for (const m of marks) {
    const at = ms(m.at);
    if (at === undefined) continue;
    if (m.type === 'resolved' && restoredMs === undefined) restoredMs = at;
    else if (m.type === 'reopened' && restoredMs !== undefined) {
      pauses.push({ restoredMs, reopenedMs: at });
      restoredMs = undefined;
    }
  }
  return spansTotalMs(impactSpans(start, pauses, ms(s.times.resolvedAt) ?? nowMs));
}
