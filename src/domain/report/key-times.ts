/**
 * The moments the report measures, each with the event that set it. Read in
 * the same pass as the rest of the facts. Rules (the issue's, in order of
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
import type { IncidentEvent, KeyTime } from '../events.ts';
import { parseIsoMs } from './iso.ts';

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

/** One key time and where it came from. */
export interface KeyTimeFact {
  key: KeyTime;
  ms: number;
  /** The event that set it; for a correction, the `time_corrected` event. */
  event: IncidentEvent;
  via: KeyTimeVia;
  /** For a correction: what the events alone would have given (absent when they gave nothing), and the event that gave it. */
  impliedMs?: number;
  impliedVia?: KeyTimeVia;
  impliedEvent?: IncidentEvent;
}

export type KeyTimes = Partial<Record<KeyTime, KeyTimeFact>>;

/** A restoration that a reopen later undid: impact stopped at `restored` and resumed at the reopen (`ms`). */
export interface Reopening {
  restored: KeyTimeFact;
  event: IncidentEvent;
  ms: number;
}

const ms = (iso: string | undefined): number => (iso ? parseIsoMs(iso) : NaN);

/** Times the declaration stood in for: a corrected declaration moves them with it. */
const AT_DECLARATION: ReadonlySet<KeyTimeVia> = new Set<KeyTimeVia>(['declaration', 'assumed_declaration', 'declared_by_person', 'commander_at_declaration']);

/** Collects key times one event at a time; `result()` applies the precedence rules. */
export class KeyTimesTracker {
  private t: KeyTimes = {};
  private pdResolves: { ms: number; event: IncidentEvent }[] = [];
  private explicitMitigation?: KeyTimeFact;
  private corrections: KeyTimes = {};
  private reopened: Reopening[] = [];

  observe(e: IncidentEvent, at: number): void {
    const set = (key: KeyTime, when: number, via: KeyTimeVia): void => {
      if (!Number.isNaN(when)) this.t[key] = { key, ms: when, event: e, via };
    };
    const earliest = (key: KeyTime, when: number, via: KeyTimeVia): void => {
      const cur = this.t[key];
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
        else if (e.data.eventType === 'incident.resolved') this.pdResolves.push({ ms: at, event: e });
        else if (e.data.eventType === 'incident.reopened') {
          const id = e.data.pdIncidentId;
          this.pdResolves = this.pdResolves.filter((r) => r.event.type !== 'pagerduty_event' || r.event.data.pdIncidentId !== id);
        }
        break;
      case 'acknowledged':
        earliest('acknowledged', at, 'slack_ack');
        break;
      case 'role_assigned':
        if (e.data.role === 'commander' && !this.t.commander_named) set('commander_named', at, 'role_assigned');
        break;
      case 'customer_contacted':
        if (!this.t.customer_contacted) set('customer_contacted', at, contactVia(e.data));
        break;
      case 'status_changed':
        if (e.data.to === 'monitoring' && !this.t.mitigated) set('mitigated', at, 'status_monitoring');
        break;
      case 'status_update_posted':
        if (e.data.status === 'monitoring' && !this.t.mitigated) set('mitigated', at, 'update_monitoring');
        break;
      case 'mitigated':
        this.explicitMitigation = { key: 'mitigated', ms: at, event: e, via: 'mitigated_command' };
        break;
      case 'resolved':
        set('resolved', at, 'resolve_command');
        break;
      case 'closed':
        set('closed', at, 'closed');
        break;
      case 'reopened': {
        // Only a reopen of a restored incident splits the impact; anything else changes nothing.
        const restored = this.restoration();
        if (restored) this.reopened.push({ restored, event: e, ms: at });
        delete this.t.resolved;
        delete this.t.closed;
        this.pdResolves = [];
        delete this.corrections.restored;
        delete this.corrections.resolved;
        delete this.corrections.closed;
        break;
      }
      case 'time_corrected': {
        const when = ms(e.data.at);
        if (!Number.isNaN(when)) this.corrections[e.data.key] = { key: e.data.key, ms: when, event: e, via: 'correction' };
        break;
      }
      default:
        break;
    }
  }

  /** The restorations later undone by a reopen, in order. */
  reopenings(): Reopening[] {
    return this.reopened;
  }

  result(): KeyTimes {
    const t: KeyTimes = { ...this.t };
    if (this.explicitMitigation) t.mitigated = this.explicitMitigation;
    const restored = this.restoration();
    if (restored) t.restored = restored;
    // An unmitigated incident was mitigated when the service first came back, before any reopen.
    const first = this.reopened[0]?.restored ?? t.restored;
    if (!t.mitigated && first) t.mitigated = { key: 'mitigated', ms: first.ms, event: first.event, via: 'restoration' };
    // The report measures from one declaration time, the corrected one, so what was the declaration moves too.
    const declared = this.corrections.declared;
    for (const key of Object.keys(t) as KeyTime[]) {
      const f = t[key];
      if (declared && f && key !== 'declared' && AT_DECLARATION.has(f.via)) t[key] = { ...f, ms: declared.ms };
    }
    for (const key of Object.keys(this.corrections) as KeyTime[]) {
      if (key !== 'restored') t[key] = withCorrection(this.corrections[key] as KeyTimeFact, t[key]);
    }
    return t;
  }

  /**
   * Service restored as things stand: a correction wins, else the PagerDuty resolve or the resolution.
   * A corrected resolution counts as the resolution here, so a restoration derived from it moves with
   * it and none stays after it; a correction alone, with the incident not resolved, restores nothing.
   */
  private restoration(): KeyTimeFact | undefined {
    const resolved = this.t.resolved && (this.corrections.resolved ?? this.t.resolved);
    let restoredBy: { ms: number; event: IncidentEvent } | undefined;
    for (const r of this.pdResolves) {
      if (resolved && r.ms > resolved.ms) continue;
      if (!restoredBy || r.ms >= restoredBy.ms) restoredBy = r;
    }
    const implied: KeyTimeFact | undefined = restoredBy
      ? { key: 'restored', ms: restoredBy.ms, event: restoredBy.event, via: 'pagerduty_resolve' }
      : resolved ? { key: 'restored', ms: resolved.ms, event: resolved.event, via: 'resolution' } : undefined;
    const c = this.corrections.restored;
    return c ? withCorrection(c, implied) : implied;
  }
}

/** How a contact was logged: a customer's call item ticked, or `/incident customer-contacted`. */
export const contactVia = (d: { via?: 'checklist' }): KeyTimeVia => (d.via === 'checklist' ? 'call_item_ticked' : 'customer_contacted');

/** A correction, remembering what the events alone gave. */
function withCorrection(c: KeyTimeFact, implied: KeyTimeFact | undefined): KeyTimeFact {
  return { ...c, ...(implied ? { impliedMs: implied.ms, impliedVia: implied.via, impliedEvent: implied.event } : {}) };
}
