/**
 * The moments the report measures, each with the event that set it. The report
 * reads them in the same pass as the rest of its facts; the incident's state
 * keeps the same log (`keyTimeLog`), so a correction records the value it
 * replaces as the report has it. Rules (the issue's, in order of
 * precedence): a `/incident times` correction wins; otherwise
 * - impact start: what the declaration recorded (a page's trigger time), else the declaration;
 * - acknowledged: the earliest PagerDuty acknowledgement, `/incident acknowledge`, or a person declaring;
 * - mitigated: the last explicit `/incident mitigated`, else the first move to monitoring
 *   (status change or status update), else the restoration;
 * - service restored: the last PagerDuty resolve (its source time) at or before the resolution
 *   (as corrected), else the resolution itself. A PagerDuty resolve after it is Kranz's own resolve echoed back.
 * A corrected declaration moves the times the declaration stood in for (impact
 * start and detection not recorded, a person declaring acknowledges, a commander
 * named at declaration); times the declaration recorded stay.
 * A reopen clears restored, resolved and closed: the impact is back. The
 * restoration it ends is kept as a `Reopening`, so the impact counts only the
 * time the service was down (impact start → first restoration, reopen → next).
 */
import type { IncidentEvent, KeyTime } from './events.ts';
import { parseIsoMs } from './report/iso.ts';

/** How a key time was set; the renderer turns it into words. */
export type KeyTimeVia =
  | 'declaration'
  | 'recorded_at_declaration'
  | 'pagerduty_trigger'
  | 'assumed_declaration'
  | 'declared_by_person'
  | 'pagerduty_ack'
  | 'slack_ack'
  | 'commander_at_declaration'
  | 'role_assigned'
  | 'customer_contacted'
  | 'call_item_ticked'
  | 'status_monitoring'
  | 'update_monitoring'
  | 'mitigated_command'
  | 'restoration'
  | 'pagerduty_resolve'
  | 'resolution'
  | 'resolve_command'
  | 'closed'
  | 'correction';

/**
 * One key time and where it came from. `R` is how the event that set it is
 * known: the event itself in the report, its id in the incident's state.
 */
export interface KeyTimeFact<R = IncidentEvent> {
  key: KeyTime;
  ms: number;
  /** The event that set it; for a correction, the `time_corrected` event. */
  event: R;
  via: KeyTimeVia;
  /** For a correction: what the events alone would have given (absent when they gave nothing), and the event that gave it. */
  impliedMs?: number;
  impliedVia?: KeyTimeVia;
  impliedEvent?: R;
}

export type KeyTimes<R = IncidentEvent> = Partial<Record<KeyTime, KeyTimeFact<R>>>;

/** A restoration that a reopen later undid: impact stopped at `restored` and resumed at the reopen (`ms`). */
export interface Reopening<R = IncidentEvent> {
  restored: KeyTimeFact<R>;
  event: R;
  ms: number;
}

/**
 * What the rules go on, as plain data: the incident's state keeps one (with
 * event ids, `keyTimeLog`), so a correction knows the value it replaces, and
 * the report builds its own (with the events) in its one pass.
 */
export interface KeyTimeLog<R = IncidentEvent> {
  /** What the events set, before corrections and the rules of `keyTimesOf`. */
  set: KeyTimes<R>;
  /** PagerDuty resolves since the last reopen, of PagerDuty incidents not reopened since. */
  pdResolves: { ms: number; event: R; pdIncidentId: string }[];
  /** The last `/incident mitigated`. */
  mitigation?: KeyTimeFact<R>;
  /** The latest correction of each key time still in force. */
  corrections: KeyTimes<R>;
  reopened: Reopening<R>[];
}

export const emptyKeyTimeLog = <R>(): KeyTimeLog<R> => ({ set: {}, pdResolves: [], corrections: {}, reopened: [] });

const ms = (iso: string | undefined): number => (iso ? parseIsoMs(iso) : NaN);

/** Times the declaration stood in for: a corrected declaration moves them with it. */
const AT_DECLARATION: ReadonlySet<KeyTimeVia> = new Set<KeyTimeVia>(['declaration', 'assumed_declaration', 'declared_by_person', 'commander_at_declaration']);

/** Whether `e` can move a key time: the others leave the log as it is. */
export function movesKeyTime(e: IncidentEvent): boolean {
  switch (e.type) {
    case 'declared': case 'acknowledged': case 'role_assigned': case 'customer_contacted': case 'status_changed': case 'status_update_posted':
    case 'mitigated': case 'resolved': case 'closed': case 'reopened': case 'time_corrected':
      return true;
    case 'pagerduty_event':
      return e.data.eventType === 'incident.acknowledged' || e.data.eventType === 'incident.resolved' || e.data.eventType === 'incident.reopened';
    default:
      return false;
  }
}

/** Records what `e`, at `at` (epoch ms) and known as `ref`, says about the key times; changes `log` in place. */
export function observeKeyTimes<R>(log: KeyTimeLog<R>, e: IncidentEvent, at: number, ref: R): void {
  const t = log.set;
  const set = (key: KeyTime, when: number, via: KeyTimeVia): void => {
    if (!Number.isNaN(when)) t[key] = { key, ms: when, event: ref, via };
  };
  const earliest = (key: KeyTime, when: number, via: KeyTimeVia): void => {
    const cur = t[key];
    if (!cur || when < cur.ms) set(key, when, via);
  };
  switch (e.type) {
    case 'declared': {
      const d = e.data;
      set('declared', at, 'declaration');
      const pd = e.actor.kind === 'pagerduty';
      const impact = ms(d.impactStartedAt);
      const detected = ms(d.detectedAt);
      if (!Number.isNaN(impact)) set('impact_started', impact, pd ? 'pagerduty_trigger' : 'recorded_at_declaration');
      else if (!Number.isNaN(detected)) set('impact_started', detected, 'recorded_at_declaration');
      else set('impact_started', at, 'assumed_declaration');
      if (!Number.isNaN(detected)) set('detected', detected, 'recorded_at_declaration');
      else if (pd && !Number.isNaN(impact)) set('detected', impact, 'pagerduty_trigger');
      else set('detected', at, 'declaration');
      if (e.actor.kind === 'user') set('acknowledged', at, 'declared_by_person');
      if (d.commanderId) set('commander_named', at, 'commander_at_declaration');
      break;
    }
    case 'pagerduty_event':
      if (e.data.eventType === 'incident.acknowledged') earliest('acknowledged', at, 'pagerduty_ack');
      else if (e.data.eventType === 'incident.resolved') log.pdResolves.push({ ms: at, event: ref, pdIncidentId: e.data.pdIncidentId });
      else if (e.data.eventType === 'incident.reopened') {
        const id = e.data.pdIncidentId;
        log.pdResolves = log.pdResolves.filter((r) => r.pdIncidentId !== id);
      }
      break;
    case 'acknowledged':
      earliest('acknowledged', at, 'slack_ack');
      break;
    case 'role_assigned':
      if (e.data.role === 'commander' && !t.commander_named) set('commander_named', at, 'role_assigned');
      break;
    case 'customer_contacted':
      if (!t.customer_contacted) set('customer_contacted', at, contactVia(e.data));
      break;
    case 'status_changed':
      if (e.data.to === 'monitoring' && !t.mitigated) set('mitigated', at, 'status_monitoring');
      break;
    case 'status_update_posted':
      if (e.data.status === 'monitoring' && !t.mitigated) set('mitigated', at, 'update_monitoring');
      break;
    case 'mitigated':
      log.mitigation = { key: 'mitigated', ms: at, event: ref, via: 'mitigated_command' };
      break;
    case 'resolved':
      set('resolved', at, 'resolve_command');
      break;
    case 'closed':
      set('closed', at, 'closed');
      break;
    case 'reopened': {
      // Only a reopen of a restored incident splits the impact; anything else changes nothing.
      const restored = restorationOf(log);
      if (restored) log.reopened.push({ restored, event: ref, ms: at });
      delete t.resolved;
      delete t.closed;
      log.pdResolves = [];
      delete log.corrections.restored;
      delete log.corrections.resolved;
      delete log.corrections.closed;
      break;
    }
    case 'time_corrected': {
      const when = ms(e.data.at);
      if (!Number.isNaN(when)) log.corrections[e.data.key] = { key: e.data.key, ms: when, event: ref, via: 'correction' };
      break;
    }
    default:
      break;
  }
}

/** The key times as things stand, by the rules above. */
export function keyTimesOf<R>(log: KeyTimeLog<R>): KeyTimes<R> {
  const t: KeyTimes<R> = { ...log.set };
  if (log.mitigation) t.mitigated = log.mitigation;
  const restored = restorationOf(log);
  if (restored) t.restored = restored;
  // An unmitigated incident was mitigated when the service first came back, before any reopen.
  const first = log.reopened[0]?.restored ?? t.restored;
  if (!t.mitigated && first) t.mitigated = { key: 'mitigated', ms: first.ms, event: first.event, via: 'restoration' };
  // The report measures from one declaration time, the corrected one, so what was the declaration moves too.
  const declared = log.corrections.declared;
  for (const key of Object.keys(t) as KeyTime[]) {
    const f = t[key];
    if (declared && f && key !== 'declared' && AT_DECLARATION.has(f.via)) t[key] = { ...f, ms: declared.ms };
  }
  for (const key of Object.keys(log.corrections) as KeyTime[]) {
    if (key !== 'restored') t[key] = withCorrection(log.corrections[key] as KeyTimeFact<R>, t[key]);
  }
  return t;
}

/**
 * Service restored as things stand: a correction wins, else the PagerDuty resolve or the resolution.
 * A corrected resolution counts as the resolution here, so a restoration derived from it moves with
 * it and none stays after it; a correction alone, with the incident not resolved, restores nothing.
 */
function restorationOf<R>(log: KeyTimeLog<R>): KeyTimeFact<R> | undefined {
  const resolved = log.set.resolved && (log.corrections.resolved ?? log.set.resolved);
  let restoredBy: { ms: number; event: R } | undefined;
  for (const r of log.pdResolves) {
    if (resolved && r.ms > resolved.ms) continue;
    if (!restoredBy || r.ms >= restoredBy.ms) restoredBy = r;
  }
  const implied: KeyTimeFact<R> | undefined = restoredBy
    ? { key: 'restored', ms: restoredBy.ms, event: restoredBy.event, via: 'pagerduty_resolve' }
    : resolved ? { key: 'restored', ms: resolved.ms, event: resolved.event, via: 'resolution' } : undefined;
  const c = log.corrections.restored;
  return c ? withCorrection(c, implied) : implied;
}

/** Collects the report's key times one event at a time, with the events themselves. */
export class KeyTimesTracker {
  private log: KeyTimeLog<IncidentEvent> = emptyKeyTimeLog();

  observe(e: IncidentEvent, at: number): void {
    observeKeyTimes(this.log, e, at, e);
  }

  /** The restorations later undone by a reopen, in order. */
  reopenings(): Reopening[] {
    return this.log.reopened;
  }

  result(): KeyTimes {
    return keyTimesOf(this.log);
  }
}

/**
 * The log after one more event, with events known by id; the log given is
 * left as it was (the incident's state is never changed in place).
 */
export function withKeyTimeEvent(log: KeyTimeLog<string>, e: IncidentEvent): KeyTimeLog<string> {
  if (!movesKeyTime(e)) return log;
  let at = parseIsoMs(e.occurredAt);
  if (Number.isNaN(at)) at = parseIsoMs(e.recordedAt);
  if (Number.isNaN(at)) return log;
  const next: KeyTimeLog<string> = {
    set: { ...log.set }, pdResolves: [...log.pdResolves], corrections: { ...log.corrections }, reopened: [...log.reopened],
    ...(log.mitigation ? { mitigation: log.mitigation } : {}),
  };
  observeKeyTimes(next, e, at, e.id);
  return next;
}

/** How a contact was logged: a customer's call item ticked, or `/incident customer-contacted`. */
export const contactVia = (d: { via?: 'checklist' }): KeyTimeVia => (d.via === 'checklist' ? 'call_item_ticked' : 'customer_contacted');

/** A correction, remembering what the events alone gave. */
function withCorrection<R>(c: KeyTimeFact<R>, implied: KeyTimeFact<R> | undefined): KeyTimeFact<R> {
  return { ...c, ...(implied ? { impliedMs: implied.ms, impliedVia: implied.via, impliedEvent: implied.event } : {}) };
}
