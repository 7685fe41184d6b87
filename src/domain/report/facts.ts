/**
 * One linear pass over the event log that collects everything the report
 * needs: the projected state (via `applyEvent`, so metrics agree with what
 * Kranz shows in Slack), the chronological timeline, and the few histories
 * the state does not keep (severity changes, update times, note fates).
 */
import type { EventType, IncidentEvent, IncidentEventOf } from '../events.ts';
import { applyEvent, type IncidentState } from '../incident.ts';
import { NoteFates, type NoteFate } from '../withheld-notes.ts';
import { parseIsoMs } from './iso.ts';
import { KeyTimesTracker, type KeyTimeFact, type KeyTimes, type Reopening } from '../key-times.ts';

/**
 * Lines that mark a key time the report measures, next to the event that set it; `impact_resumed`
 * marks a reopen, `declared` a corrected declaration (the declared line itself stays where it was logged).
 */
export type TimelineMarker = 'impact_started' | 'detected' | 'declared' | 'acknowledged' | 'mitigated' | 'restored' | 'impact_resumed';

/** One line of the timeline, before rendering. */
export interface TimelineEntry {
  /** Where it sits in the timeline (epoch ms). */
  ms: number;
  /** Log order, the tie-breaker for equal times. */
  seq: number;
  event: IncidentEvent;
  marker?: TimelineMarker;
  /** For a restoration a reopen undid: that restoration (the key time holds the last one only). */
  fact?: KeyTimeFact;
  /** For a note: what happened to its message later. For an edit or a deletion: the fate of the note it changes (`withheld-notes.ts`). */
  fate?: NoteFate;
}

/** A severity in force from `ms` on. */
export interface SeverityStep {
  ms: number;
  severity: string;
  event: IncidentEvent;
}

/** Everything the renderers read; built once per report. */
export interface ReportFacts {
  state: IncidentState;
  declared: IncidentEventOf<'declared'>;
  /** The declaration time as corrected (`/incident times`), else as logged: everything measured from the declaration uses it. */
  declaredMs: number;
  /** Sorted by time, then log order. */
  entries: TimelineEntry[];
  /** Slack user id → display name, from actors that carried one. */
  names: Map<string, string>;
  /** Every Slack user who took part, in order of first appearance. */
  people: string[];
  /** Notes whose message was deleted; their text is withheld. */
  deletedNotes: number;
  /** Severity in force over time, starting with the declared one; chronological. */
  severities: SeverityStep[];
  /** Times status updates were posted; ascending. */
  updates: number[];
  /** The status updates themselves, in time order. */
  updateEvents: { ms: number; event: IncidentEventOf<'status_update_posted'> }[];
  /** The key times the report measures, each with its source. */
  times: KeyTimes;
  /** Restorations undone by a reopen, in order: the impact paused between each and its reopen. */
  reopenings: Reopening[];
  /** Customers attached over the incident's life (declared, attached later), detached ones removed; in order. */
  customers: string[];
  rootCause?: IncidentEventOf<'root_cause_recorded'>;
  rootCauseRevisions: number;
  actions: IncidentEventOf<'action_item_added'>[];
  resolved?: IncidentEventOf<'resolved'>;
  /** Latest activity (reminders and report drafts do not count), epoch ms. */
  lastMs: number;
  eventCount: number;
}

// `applyEvent` copies the notes array on each of these, which is quadratic over a long log.
// They change nothing else the report reads from the state, and the report tracks notes itself.
const NOTE_ONLY: ReadonlySet<EventType> = new Set<EventType>(['note_added', 'message_edited', 'message_deleted']);
// Mirrors `lastActivityAt` in incident.ts: bookkeeping is not activity.
const NOT_ACTIVITY: ReadonlySet<EventType> = new Set<EventType>(['reminder_sent', 'report_drafted', 'customer_report_drafted']);
// Joins are noise in a timeline; drafts of this very report are not part of the incident.
const NOT_IN_TIMELINE: ReadonlySet<EventType> = new Set<EventType>(['member_joined', 'report_drafted', 'customer_report_drafted']);

const byTimeThenLog = (a: { ms: number; seq: number }, b: { ms: number; seq: number }): number => a.ms - b.ms || a.seq - b.seq;

function sortIfNeeded<T extends { ms: number; seq: number }>(items: T[]): void {
  for (let i = 1; i < items.length; i++) {
    const prev = items[i - 1] as T;
    const cur = items[i] as T;
    if (byTimeThenLog(prev, cur) > 0) {
      items.sort(byTimeThenLog);
      return;
    }
  }
}

/**
 * Gathers the report's facts. Throws (like `project`) when the log has no
 * `declared` event or has events before it: that is a caller bug, not a state.
 */
export function gatherFacts(events: readonly IncidentEvent[]): ReportFacts {
  let state: IncidentState | undefined;
  let declared: IncidentEventOf<'declared'> | undefined;
  let declaredMs = 0;
  const entries: TimelineEntry[] = [];
  const names = new Map<string, string>();
  const people = new Set<string>();
  const severities: (SeverityStep & { seq: number })[] = [];
  const updates: number[] = [];
  const updateEvents: { ms: number; event: IncidentEventOf<'status_update_posted'> }[] = [];
  const tracker = new KeyTimesTracker();
  const actions: IncidentEventOf<'action_item_added'>[] = [];
  let rootCause: IncidentEventOf<'root_cause_recorded'> | undefined;
  let rootCauseRevisions = 0;
  let resolved: IncidentEventOf<'resolved'> | undefined;
  let lastMs = -Infinity;
  let prevMs = 0;
  let seq = 0;

  const person = (id: string | undefined, name?: string): void => {
    if (!id) return;
    people.add(id);
    // Names are recorded on the event when it happens; the first one seen is kept, so old reports stay stable.
    if (name && !names.has(id)) names.set(id, name);
  };

  // Only notes whose message is later edited or deleted need to be found again; most never are.
  const changedTs = new Set<string>();
  for (const e of events) if (e.type === 'message_edited' || e.type === 'message_deleted') changedTs.add(e.data.messageTs);
  // Which notes' text is withheld: the one rule the web view applies too. Entries carry the fate, so rendering needs no lookup.
  const fates = new NoteFates((ts) => changedTs.has(ts));

  for (const e of events) {
    seq += 2;
    // A malformed time keeps the event at its place in the log rather than dropping it.
    let ms = parseIsoMs(e.occurredAt);
    if (Number.isNaN(ms)) ms = parseIsoMs(e.recordedAt);
    if (Number.isNaN(ms)) ms = prevMs;
    prevMs = ms;
    if (!NOT_ACTIVITY.has(e.type) && ms > lastMs) lastMs = ms;
    if (!NOTE_ONLY.has(e.type)) state = applyEvent(state, e);
    tracker.observe(e, ms);
    if (e.actor.kind === 'user') {
      if (e.actor.name && !names.has(e.actor.userId)) names.set(e.actor.userId, e.actor.name);
      person(e.actor.userId);
    }
    const entry: TimelineEntry = { ms, seq, event: e };
    const fate = fates.observe(e);
    if (fate) entry.fate = fate;

    switch (e.type) {
      case 'declared': {
        declared = e;
        declaredMs = ms;
        person(e.data.declaredBy, e.data.declaredByName);
        person(e.data.commanderId, e.data.commanderName);
        severities.push({ ms, seq, severity: e.data.severity, event: e });
        break;
      }
      case 'member_joined':
        person(e.data.userId, e.data.name);
        break;
      case 'role_assigned':
        person(e.data.userId, e.data.userName);
        if (e.data.previous && e.data.previousName && !names.has(e.data.previous)) names.set(e.data.previous, e.data.previousName);
        break;
      case 'reminder_sent':
        if (e.data.recipientName && !names.has(e.data.recipient)) names.set(e.data.recipient, e.data.recipientName);
        break;
      case 'severity_changed':
        severities.push({ ms, seq, severity: e.data.to, event: e });
        break;
      case 'status_update_posted':
        updates.push(ms);
        updateEvents.push({ ms, event: e });
        break;
      case 'note_added':
        person(e.data.authorId, e.data.authorName);
        break;
      case 'root_cause_recorded':
        rootCause = e;
        rootCauseRevisions += 1;
        break;
      case 'action_item_added':
        actions.push(e);
        break;
      case 'resolved':
        resolved = e;
        break;
      default:
        break;
    }
    if (!NOT_IN_TIMELINE.has(e.type)) entries.push(entry);
  }

  if (!state || !declared) throw new Error('draftReport: the event log has no `declared` event');
  const times = tracker.result();
  declaredMs = times.declared?.ms ?? declaredMs;
  const reopenings = tracker.reopenings();
  markKeyTimes(entries, times, reopenings, declaredMs);
  sortIfNeeded(entries);
  sortIfNeeded(severities);
  let sortedUpdates = true;
  for (let i = 1; i < updates.length && sortedUpdates; i++) sortedUpdates = (updates[i - 1] as number) <= (updates[i] as number);
  if (!sortedUpdates) {
    updates.sort((a, b) => a - b);
    updateEvents.sort((a, b) => a.ms - b.ms);
  }

  return {
    state,
    declared,
    declaredMs,
    entries,
    names,
    people: [...people],
    deletedNotes: fates.deletedNotes,
    severities: severities.map(({ ms, severity, event }) => ({ ms, severity, event })),
    updates,
    updateEvents,
    times,
    reopenings,
    customers: state.customers,
    ...(rootCause ? { rootCause } : {}),
    rootCauseRevisions,
    actions,
    ...(resolved ? { resolved } : {}),
    lastMs: Number.isFinite(lastMs) ? lastMs : declaredMs,
    eventCount: events.length,
  };
}

/**
 * Adds a line for each key time the figures use, beside the event that set
 * it (before the declaration for times recorded at declaration), so the
 * timeline states every figure the summary derives.
 */
function markKeyTimes(entries: TimelineEntry[], times: KeyTimes, reopenings: readonly Reopening[], declaredMs: number): void {
  const seqOf = new Map<IncidentEvent, number>();
  for (const en of entries) if (!seqOf.has(en.event)) seqOf.set(en.event, en.seq);
  const keys = ['impact_started', 'detected', 'declared', 'acknowledged', 'mitigated', 'restored'] as const;
  for (const key of keys) {
    const f = times[key];
    if (!f) continue;
    if (key === 'declared' && f.via !== 'correction') continue;
    if (key === 'impact_started' && f.via === 'assumed_declaration') continue;
    if (key === 'detected' && f.ms === declaredMs) continue;
    // A person declaring acknowledges, and an unmitigated incident is mitigated by its restoration: the line would repeat another.
    if ((key === 'acknowledged' && f.via === 'declared_by_person') || (key === 'mitigated' && f.via === 'restoration')) continue;
    const at = seqOf.get(f.event) ?? 0;
    entries.push({ ms: f.ms, seq: f.event.type === 'declared' ? at - 1 : at + 1, event: f.event, marker: key });
  }
  // Each reopen ends one impact window and starts the next: both ends are figures the summary sums.
  for (const r of reopenings) {
    entries.push({ ms: r.restored.ms, seq: (seqOf.get(r.restored.event) ?? 0) + 1, event: r.restored.event, marker: 'restored', fact: r.restored });
    entries.push({ ms: r.ms, seq: (seqOf.get(r.event) ?? 0) + 1, event: r.event, marker: 'impact_resumed' });
  }
}
