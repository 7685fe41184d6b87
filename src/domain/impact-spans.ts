/**
 * How long an incident's impact lasted: from impact start to the service's
 * restoration, paused at each restoration a reopen later undid and resumed at
 * the reopen. The report and analytics both count it this way, so an SLA
 * budget and the report sent to the customer never disagree.
 */

/** One stretch of impact. */
export interface ImpactSpan {
  startMs: number;
  endMs: number;
}

/** A restoration that a reopen undid: impact stopped at `restoredMs` and resumed at `reopenedMs`. */
export interface ImpactPause {
  restoredMs: number;
  reopenedMs: number;
}

/** The impact's stretches, in order and never overlapping: one more per pause. */
export function impactSpans(startMs: number, pauses: readonly ImpactPause[], endMs: number): ImpactSpan[] {
  const spans: ImpactSpan[] = [];
  let from = startMs;
  for (const p of pauses) {
    const end = Math.max(from, p.restoredMs);
    spans.push({ startMs: from, endMs: end });
    // A reopen stamped before the restoration it undoes (a corrected time) must not count a minute twice.
    from = Math.max(end, p.reopenedMs);
  }
  spans.push({ startMs: from, endMs: Math.max(from, endMs) });
  return spans;
}

export function spansTotalMs(spans: readonly ImpactSpan[]): number {
  return spans.reduce((sum, s) => sum + (s.endMs - s.startMs), 0);
}
