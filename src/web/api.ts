/** The JSON API: `/api/incidents` (the list, same filters as the page) and `/api/incidents/<n>` (state and events, paged by `after`). */
import type { ServerResponse } from 'node:http';
import { eventsSince, listIncidents, showIncident, type BrowseDeps } from '../app/browse-incidents.ts';
import type { Viewer } from '../app/incident-visibility.ts';
import type { IncidentEvent } from '../domain/events.ts';
import type { IncidentState } from '../domain/incident.ts';
import { withheldNoteText } from '../domain/withheld-notes.ts';
import { parseFilter } from './filters.ts';
import { sendJsonBody } from './http.ts';
import { noIncidentReason } from './layout.ts';

function intParam(url: URL, name: string, def: number, max: number, problems: string[]): number {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return def;
  if (!/^\d{1,9}$/.test(v) || Number(v) > max) {
    problems.push(`${name}: "${v.slice(0, 40)}" must be a whole number up to ${max}`);
    return def;
  }
  return Number(v);
}

export function incidentSummary(s: IncidentState): Record<string, unknown> {
  return {
    number: s.number, id: `INC-${s.number}`, title: s.title, severity: s.severity, status: s.status, private: s.private,
    customers: s.customers, roles: s.roles, channelId: s.channelId ?? null, declaredAt: s.times.declaredAt,
    acknowledgedAt: s.times.acknowledgedAt ?? null, customerContactedAt: s.times.customerContactedAt ?? null,
    mitigatedAt: s.times.mitigatedAt ?? null, resolvedAt: s.times.resolvedAt ?? null, closedAt: s.times.closedAt ?? null,
    nextUpdateDueAt: s.nextUpdateDueAt ?? null, url: `/incidents/${s.number}`,
  };
}

/** An event's data without the note text it must not show (`text`, `previousText`); the rest (`messageTs`, `via`, who) stays. */
function withoutNoteText(e: IncidentEvent): Record<string, unknown> {
  const { text: _text, previousText: _previous, ...rest } = e.data as { text?: unknown; previousText?: unknown };
  return rest;
}

export async function apiIncidents(d: BrowseDeps, viewer: Viewer, url: URL, res: ServerResponse): Promise<void> {
  const f = parseFilter(url.searchParams);
  const limit = intParam(url, 'limit', 50, 500, f.problems);
  if (f.problems.length) return sendJsonBody(res, 400, { error: 'bad_query', problems: f.problems });
  const r = await listIncidents(d, viewer, f.filter, { limit, offset: (f.page - 1) * limit });
  // `partial` says some private incidents could not be checked, never how many: the count would say how many exist.
  sendJsonBody(res, 200, { total: r.total, page: f.page, limit, ...(r.unchecked ? { partial: true } : {}), incidents: r.incidents.map(incidentSummary) });
}

export async function apiIncident(d: BrowseDeps, viewer: Viewer, n: number, url: URL, res: ServerResponse): Promise<void> {
  const problems: string[] = [];
  const after = intParam(url, 'after', 0, 2_000_000_000, problems);
  const limit = intParam(url, 'limit', 1_000, 10_000, problems);
  if (problems.length) return sendJsonBody(res, 400, { error: 'bad_query', problems });
  const view = await showIncident(d, viewer, n, { withEvents: false });
  if (!view) return sendJsonBody(res, 404, { error: 'not_found', reason: noIncidentReason(n) });
  const events = await eventsSince(d, view.state.id, after, limit + 1);
  const more = events.length > limit;
  if (more) events.length = limit;
  const last = events[events.length - 1]?.seq;
  const withheld = withheldNoteText(view.state.notes, events.map((e) => e.event));
  sendJsonBody(res, 200, {
    incident: { ...incidentSummary(view.state), description: view.state.description, checklist: view.state.checklist, pagerDuty: view.state.pagerDutyIncidents, rootCause: view.state.rootCause ?? null, actionItems: view.state.actionItems },
    events: events.map(({ seq, event: e }) => (withheld(e)
      ? { seq, type: e.type, occurredAt: e.occurredAt, actor: e.actor, data: withoutNoteText(e), textWithheld: true }
      : { seq, type: e.type, occurredAt: e.occurredAt, actor: e.actor, data: e.data })),
    ...(more && last !== undefined ? { next: `/api/incidents/${n}?after=${last}&limit=${limit}` } : {}),
  });
}
