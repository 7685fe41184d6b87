/**
 * Reads for the operator: incident counts and key times for the metrics, and
 * the incident list for `kranz list`. Read at scrape or command time, so they
 * are true across replicas.
 */
import type { KeyTimes } from '../../domain/incident.ts';
import type { Queryable as Q } from './pool.ts';

export interface IncidentTimesRow {
  severity: string;
  times: KeyTimes;
}

/** Open (not closed) incidents per severity. */
export async function openIncidentCounts(db: Q): Promise<Map<string, number>> {
  const r = await db.query<{ severity: string; n: number }>(`select severity, count(*)::int as n from incidents where status <> 'closed' group by severity`);
  return new Map(r.rows.map((x) => [x.severity, x.n]));
}

/** Every incident's severity and key times. */
export async function incidentTimes(db: Q): Promise<IncidentTimesRow[]> {
  const r = await db.query<{ severity: string; times: KeyTimes }>(`select severity, state->'times' as times from incidents`);
  return r.rows;
}

export interface IncidentListRow {
  number: number;
  title: string;
  severity: string;
  status: string;
  declaredAt: string;
  nextUpdateDueAt?: string;
  channelName?: string;
}

/** Incidents newest first: the open ones (not closed), or all. */
export async function listIncidents(db: Q, o: { all: boolean; limit: number }): Promise<IncidentListRow[]> {
  const r = await db.query<{ number: number; title: string; severity: string; status: string; declared_at: string | null; created_at: Date; next_due: string | null; channel_name: string | null }>(
    `select number, title, severity, status, state->'times'->>'declaredAt' as declared_at, created_at,
            state->>'nextUpdateDueAt' as next_due, state->>'channelName' as channel_name
       from incidents ${o.all ? '' : "where status <> 'closed'"} order by number desc limit $1::int`,
    [o.limit],
  );
  return r.rows.map((x) => ({
    number: x.number,
    title: x.title,
    severity: x.severity,
    status: x.status,
    declaredAt: x.declared_at ?? x.created_at.toISOString(),
    ...(x.next_due ? { nextUpdateDueAt: x.next_due } : {}),
    ...(x.channel_name ? { channelName: x.channel_name } : {}),
  }));
}
