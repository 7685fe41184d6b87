/**
 * The report's figures, computed once from the facts. The summary, the
 * metrics table and the customer reports all read these, and the timeline
 * shows the same key times and promises, so no section can contradict another.
 */
import type { KeyTime } from '../events.ts';
import type { SeverityPolicy } from '../policy.ts';
import { customerContact, customerContacts, updateGaps, type ContactCheck, type CustomerContactCheck, type UpdateGap } from './cadence.ts';
import { firstContacts } from './contacts.ts';
import type { ReportFacts } from './facts.ts';
import type { KeyTimeFact } from '../key-times.ts';
import { measurePromises, type UpdatePromise } from './promises.ts';
import { impactSpans, spansTotalMs, type ImpactSpan } from '../impact-spans.ts';

export type { ImpactSpan } from '../impact-spans.ts';

/**
 * The impact: impact start → service restored (the last activity while not
 * restored yet). A reopen resumes it, so a reopened incident has one window
 * per reopen more: reopen → the next restoration. The time between a
 * restoration and the reopen is not impact.
 */
export interface ImpactWindow {
  /** Where the first window starts and the last ends. */
  startMs: number;
  endMs: number;
  /** The windows in order, never overlapping; one unless the incident was reopened. */
  windows: ImpactSpan[];
  /** The windows' total: the impact every section states and the SLA counts. */
  durationMs: number;
  ongoing: boolean;
  /** True when no impact start was recorded, so the declaration stands in. */
  startAssumed: boolean;
}

export interface ReportFigures {
  impact: ImpactWindow;
  /** Impact minutes, unrounded: what SLA arithmetic uses. */
  impactMinutes: number;
  /** Acknowledged − detected (PagerDuty's MTTA), mitigated − impact start, restored − impact start. */
  toAcknowledgeMs?: number;
  toMitigateMs?: number;
  toRestoreMs?: number;
  promises: UpdatePromise[];
  kept: number;
  broken: number;
  gaps: UpdateGap[];
  longestGap?: UpdateGap;
  /** The customer contact (with several customers: every customer's, by the last one's first contact). */
  contact: ContactCheck;
  /** With several customers attached, each one's first contact against the call's deadline; else empty. */
  contacts: CustomerContactCheck[];
  /** Each attached customer's first contact (`contacts.ts`): what `contacts` judges and each customer's own report states. */
  firstContacts: ReadonlyMap<string, KeyTimeFact>;
}

export function computeFigures(facts: ReportFacts, severity: (key: string) => SeverityPolicy | undefined): ReportFigures {
  const t = facts.times;
  const start = t.impact_started as KeyTimeFact;
  const restored = t.restored;
  const ongoing = restored === undefined;
  const windows = impactSpans(start.ms, facts.reopenings.map((r) => ({ restoredMs: r.restored.ms, reopenedMs: r.ms })), ongoing ? facts.lastMs : restored.ms);
  const impact: ImpactWindow = {
    startMs: start.ms,
    endMs: (windows.at(-1) as ImpactSpan).endMs,
    windows,
    durationMs: spansTotalMs(windows),
    ongoing,
    startAssumed: start.via === 'assumed_declaration',
  };
  const diff = (to: KeyTime, from: KeyTime): number | undefined => {
    const a = t[to];
    const b = t[from];
    return a && b ? Math.max(0, a.ms - b.ms) : undefined;
  };
  const promises = measurePromises(facts, severity);
  const gaps = updateGaps(facts, severity);
  let longestGap: UpdateGap | undefined;
  for (const g of gaps) if (!longestGap || g.toMs - g.fromMs > longestGap.toMs - longestGap.fromMs) longestGap = g;
  const first = firstContacts(facts);
  const contacts = customerContacts(facts, severity, first);
  const contact = customerContact(facts, severity, contacts);
  const a = diff('acknowledged', 'detected');
  const m = diff('mitigated', 'impact_started');
  const r = diff('restored', 'impact_started');
  return {
    impact,
    impactMinutes: impact.durationMs / 60_000,
    ...(a !== undefined ? { toAcknowledgeMs: a } : {}),
    ...(m !== undefined ? { toMitigateMs: m } : {}),
    ...(r !== undefined ? { toRestoreMs: r } : {}),
    promises,
    kept: promises.filter((p) => p.outcome === 'kept').length,
    broken: promises.filter((p) => p.outcome === 'broken').length,
    gaps,
    ...(longestGap ? { longestGap } : {}),
    contact,
    contacts,
    firstContacts: first,
  };
}
