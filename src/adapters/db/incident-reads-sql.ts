/**
 * SQL for the web view's reads: the filtered incident list, one incident,
 * its events by log position, and what analytics aggregates. Visibility of
 * private incidents is part of every query's WHERE, so a row the reader may
 * not see never leaves the database.
 */
import type pg from 'pg';
import type { IncidentEvent } from '../../domain/events.ts';
import type { IncidentState } from '../../domain/incident.ts';
import type { IncidentFilter, IncidentReads, LoggedEvent, UpdateMark, VisibleScope } from '../../app/web-ports.ts';

type Q = Pick<pg.Pool, 'query'>;

/** `like` pattern for a literal substring. */
const contains = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** WHERE clauses and parameters for a filter and a visibility scope. */
function where(filter: IncidentFilter, scope: VisibleScope): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  const clauses: string[] = [];
  if (!scope.all) clauses.push(`(not private or channel_id = any(${p(scope.privateChannels)}::text[]))`);
  if (filter.status) clauses.push(`status = ${p(filter.status)}`);
  if (filter.severity) clauses.push(`severity = ${p(filter.severity)}`);
  if (filter.customer) clauses.push(`state->'customers' ? ${p(filter.customer)}`);
  if (filter.service) clauses.push(`state->'pagerDutyIncidents' @> ${p(JSON.stringify([{ serviceId: filter.service }]))}::jsonb`);
  if (filter.from) clauses.push(`created_at >= ${p(filter.from.toISOString())}::timestamptz`);
  if (filter.to) clauses.push(`created_at < ${p(filter.to.toISOString())}::timestamptz`);
  if (filter.q) clauses.push(`title ilike ${p(contains(filter.q))}`);
  return { sql: clauses.length ? `where ${clauses.join(' and ')}` : '', params };
}

export async function listIncidents(db: Q, filter: IncidentFilter, scope: VisibleScope, page: { limit: number; offset: number }): Promise<{ rows: { state: IncidentState }[]; total: number }> {
  const w = where(filter, scope);
  // The page is chosen and counted on the narrow columns first; only its rows' states (large jsonb) are read.
  const r = await db.query<{ state: IncidentState | null; total: string }>(
    `with matching as (select id, number, status from incidents ${w.sql}),
          counted as (select count(*) as total from matching),
          page as (select id, number, status from matching order by (status = 'closed'), number desc
                   limit ${Math.max(0, Math.floor(page.limit))} offset ${Math.max(0, Math.floor(page.offset))})
     select i.state, counted.total::text as total from counted left join page on true left join incidents i on i.id = page.id
     order by (page.status = 'closed'), page.number desc`,
    w.params,
  );
  const total = Number(r.rows[0]?.total ?? 0);
  return { rows: r.rows.flatMap((x) => (x.state ? [{ state: x.state }] : [])), total };
}

export async function privateChannels(db: Q): Promise<string[]> {
  const r = await db.query<{ channel_id: string }>('select distinct channel_id from incidents where private and channel_id is not null');
  return r.rows.map((x) => x.channel_id);
}

export async function incidentByNumber(db: Q, n: number): Promise<IncidentState | undefined> {
  if (!Number.isSafeInteger(n) || n < 1 || n > 2_147_483_647) return undefined;
  const r = await db.query<{ state: IncidentState }>('select state from incidents where number = $1::int', [n]);
  return r.rows[0]?.state;
}

/** The incident's events after `afterSeq`, in log order. The order names the column: `seq` alone would be the text the select makes of it (1, 10, 11, 2). */
export async function eventsAfter(db: Q, incidentId: string, afterSeq: number, limit: number): Promise<LoggedEvent[]> {
  const r = await db.query<{ seq: string; id: string; incident_id: string; type: string; occurred_at: Date; recorded_at: Date; actor: unknown; source: unknown; idempotency_key: string; data: unknown }>(
    `select seq::text, id, incident_id, type, occurred_at, recorded_at, actor, source, idempotency_key, data
     from incident_events where incident_id = $1::uuid and seq > $2::bigint order by incident_events.seq limit $3::int`,
    [incidentId, String(Math.max(0, Math.floor(afterSeq))), limit],
  );
  return r.rows.map((x) => ({
    seq: Number(x.seq),
    event: {
      id: x.id, incidentId: x.incident_id, type: x.type, occurredAt: x.occurred_at.toISOString(), recordedAt: x.recorded_at.toISOString(),
      actor: x.actor, source: x.source, idempotencyKey: x.idempotency_key, data: x.data,
    } as IncidentEvent,
  }));
}

export async function incidentStates(db: Q, filter: IncidentFilter, scope: VisibleScope): Promise<IncidentState[]> {
  const w = where(filter, scope);
  // Notes can be long and many; analytics needs none of them.
  const r = await db.query<{ state: IncidentState }>(`select state - 'notes' as state from incidents ${w.sql} order by number`, w.params);
  return r.rows.map((x) => ({ ...x.state, notes: [] }));
}

export async function updateMarks(db: Q, incidentIds: readonly string[]): Promise<UpdateMark[]> {
  if (incidentIds.length === 0) return [];
  const r = await db.query<{ incident_id: string; type: UpdateMark['type']; occurred_at: Date; next: string | null }>(
    `select incident_id, type, occurred_at, data->>'nextUpdateAt' as next from incident_events
     where incident_id = any($1::uuid[]) and type in ('status_update_posted', 'resolved', 'closed', 'reopened') order by seq`,
    [incidentIds],
  );
  return r.rows.map((x) => ({ incidentId: x.incident_id, type: x.type, at: x.occurred_at.toISOString(), ...(x.next ? { nextUpdateAt: x.next } : {}) }));
}

/** The Postgres implementation of the web view's read port. */
export function incidentReads(pool: Q): IncidentReads {
  return {
    list: (f, s, page) => listIncidents(pool, f, s, page),
    privateChannels: () => privateChannels(pool),
    byNumber: (n) => incidentByNumber(pool, n),
    eventsAfter: (id, after, limit) => eventsAfter(pool, id, after, limit),
    states: (f, s) => incidentStates(pool, f, s),
    updateMarks: (ids) => updateMarks(pool, ids),
  };
}
