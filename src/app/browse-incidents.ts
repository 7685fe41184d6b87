/**
 * Read-only queries behind the web view and its JSON API: the incident list,
 * one incident with its timeline, and new timeline events for live pages.
 * Every answer is already narrowed to what the viewer may see.
 */
import type { IncidentState } from '../domain/incident.ts';
import type { Policy } from '../domain/policy.ts';
import type { AccessDirectory } from './access.ts';
import { viewerScope, visibilityOf, type Viewer } from './incident-visibility.ts';
import type { IncidentFilter, IncidentReads, LoggedEvent, SlackDirectory } from './web-ports.ts';

export interface BrowseDeps {
  reads: IncidentReads;
  slack: SlackDirectory;
  policy: Policy;
  /** User groups for `permissions.admins`; absent → admins listed by user id only. */
  access?: Pick<AccessDirectory, 'userGroupMembers'> | undefined;
}

export interface IncidentListPage {
  incidents: IncidentState[];
  total: number;
  /** Private channels Slack could not vouch for; their incidents were left out. Show only whether it is zero: the count says how many private incidents exist. */
  unchecked: number;
}

export async function listIncidents(deps: BrowseDeps, viewer: Viewer, filter: IncidentFilter, page: { limit: number; offset: number }): Promise<IncidentListPage> {
  const { scope, unchecked } = await viewerScope(viewer, deps);
  const { rows, total } = await deps.reads.list(filter, scope, page);
  return { incidents: rows.map((r) => r.state), total, unchecked };
}

/** Most events an incident page or API answer carries; the rest is one request away (`after`). */
export const MAX_TIMELINE_EVENTS = 50_000;
const BATCH = 5_000;

/** An incident the viewer may see, with its events in log order. */
export interface IncidentView {
  state: IncidentState;
  events: LoggedEvent[];
  /** Log position of the last event read: where a live page continues from. */
  lastSeq: number;
  /** True when the log has more than {@link MAX_TIMELINE_EVENTS} events after `afterSeq`. */
  truncated: boolean;
}

/**
 * The incident numbered `n`, or `undefined` when there is none, the viewer
 * may not see it, or Slack cannot say right now whether the viewer is in its
 * channel: the three answers are the same, so a private incident leaves no
 * trace, not even while Slack is failing.
 */
export async function showIncident(deps: BrowseDeps, viewer: Viewer, n: number, o: { afterSeq?: number; withEvents?: boolean } = {}): Promise<IncidentView | undefined> {
  const state = await deps.reads.byNumber(n);
  if (!state || (await visibilityOf(viewer, state, deps)) !== 'visible') return undefined;
  if (o.withEvents === false) return { state, events: [], lastSeq: o.afterSeq ?? 0, truncated: false };
  const events: LoggedEvent[] = [];
  let after = o.afterSeq ?? 0;
  for (;;) {
    const batch = await deps.reads.eventsAfter(state.id, after, Math.min(BATCH, MAX_TIMELINE_EVENTS + 1 - events.length));
    events.push(...batch);
    if (batch.length === 0 || events.length > MAX_TIMELINE_EVENTS) break;
    after = batch[batch.length - 1]?.seq ?? after;
  }
  const truncated = events.length > MAX_TIMELINE_EVENTS;
  if (truncated) events.length = MAX_TIMELINE_EVENTS;
  return { state, events, lastSeq: events[events.length - 1]?.seq ?? o.afterSeq ?? 0, truncated };
}

/** Events of an incident the caller already checked the viewer may see, after `afterSeq` (live updates, API paging). */
export async function eventsSince(deps: Pick<BrowseDeps, 'reads'>, incidentId: string, afterSeq: number, limit = 500): Promise<LoggedEvent[]> {
  return deps.reads.eventsAfter(incidentId, afterSeq, limit);
}
