/** SQL for the incident projection and incident numbers. */
import type pg from 'pg';
import type { Statement } from './statement.ts';
import type { SlackChannelId } from '../../domain/ids.ts';
import type { IncidentState } from '../../domain/incident.ts';
import type { PermissionSubject } from '../../domain/permissions.ts';

type Q = Pick<pg.ClientBase, 'query'>;

/**
 * Locks the incident row for the rest of the transaction, so commands on one
 * incident apply one at a time. `for no key update`, the lock an update that
 * leaves the id alone takes anyway: writers still queue, but the foreign-key
 * checks of other transactions' rows that name the incident (an outbox
 * delivery recording its message slot, events, outbox rows) do not wait for it.
 */
export async function lockIncident(db: Q, id: string): Promise<IncidentState | undefined> {
  const r = await db.query<{ state: IncidentState }>('select state from incidents where id = $1::uuid for no key update', [id]);
  return r.rows[0]?.state;
}

export async function readIncident(db: Q, id: string): Promise<IncidentState | undefined> {
  const r = await db.query<{ state: IncidentState }>('select state from incidents where id = $1::uuid', [id]);
  return r.rows[0]?.state;
}

/** How a read names its incident (the app's `IncidentRef`, spelled here so this module needs nothing from above it). */
export type IncidentKey = { id: string } | { channelId: string } | { number: number } | { pdIncidentId: string };

/** `from … where …` naming one incident by `key`; its one parameter is `key`'s value. */
function incidentWhere(key: IncidentKey): { from: string; value: string | number } {
  if ('id' in key) return { from: 'incidents i where i.id = $1::uuid', value: key.id };
  if ('channelId' in key) return { from: 'incidents i where i.channel_id = $1', value: key.channelId };
  if ('number' in key) return { from: 'incidents i where i.number = $1::int', value: key.number };
  return { from: 'pagerduty_links l join incidents i on i.id = l.incident_id where l.pd_incident_id = $1', value: key.pdIncidentId };
}

/** The incident `key` names, as committed now: one statement, so no transaction is needed to see one state of it. */
export async function readIncidentBy(db: Q, key: IncidentKey): Promise<IncidentState | undefined> {
  const w = incidentWhere(key);
  const r = await db.query<{ state: IncidentState }>(`select i.state from ${w.from}`, [w.value]);
  return r.rows[0]?.state;
}

/** What a permission check reads of the incident `key` names (its number, channel, roles and members), without the rest of its state. */
export async function readPermissionSubject(db: Q, key: IncidentKey): Promise<(PermissionSubject & { id: string }) | undefined> {
  const w = incidentWhere(key);
  const r = await db.query<{ id: string; number: number; channel_id: string | null; roles: PermissionSubject['roles'] | null; members: PermissionSubject['members'] | null }>(
    `select i.id, i.number, i.channel_id, i.state->'roles' as roles, i.state->'members' as members from ${w.from}`, [w.value]);
  const row = r.rows[0];
  if (!row) return undefined;
  const subject: PermissionSubject & { id: string } = { id: row.id, number: row.number, roles: row.roles ?? {}, members: row.members ?? [] };
  if (row.channel_id) subject.channelId = row.channel_id as SlackChannelId;
  return subject;
}

export async function findIncidentIdByChannel(db: Q, channelId: string): Promise<string | undefined> {
  const r = await db.query<{ id: string }>('select id from incidents where channel_id = $1', [channelId]);
  return r.rows[0]?.id;
}

export async function findIncidentIdByNumber(db: Q, n: number): Promise<string | undefined> {
  const r = await db.query<{ id: string }>('select id from incidents where number = $1::int', [n]);
  return r.rows[0]?.id;
}

/**
 * The next incident's number, from a sequence: declares do not wait for each
 * other. A number is lost (the next incident skips it) only when a declare's
 * transaction fails or its process dies after taking it; a declare the
 * domain refuses is refused before (see app/declare-incident.ts).
 */
export async function nextIncidentNumber(db: Q): Promise<number> {
  const r = await db.query<{ n: string }>("select nextval('incident_number_seq')::text as n");
  return Number(r.rows[0]?.n);
}

/** Inserts or replaces the projection; `version` counts applied events. */
export async function saveIncident(db: Q, s: IncidentState, now: Date): Promise<void> {
  await db.query(
    `insert into incidents (id, number, title, severity, status, private, channel_id, state, version, created_at, updated_at)
     values ($1::uuid, $2::int, $3, $4, $5, $6::boolean, $7, $8::jsonb, $9::int, $10::timestamptz, $10::timestamptz)
     on conflict (id) do update set title = excluded.title, severity = excluded.severity, status = excluded.status,
       private = excluded.private, channel_id = excluded.channel_id, state = excluded.state,
       version = excluded.version, updated_at = excluded.updated_at`,
    [s.id, s.number, s.title, s.severity, s.status, s.private, s.channelId ?? null, JSON.stringify(s), s.eventCount, now.toISOString()],
  );
}

/** Replaces the projections of incidents that exist (a batch across incidents saves them in one statement). */
export async function saveIncidents(db: Q, states: readonly IncidentState[], now: Date): Promise<void> {
  if (states.length === 0) return;
  const s = saveIncidentsStatement(states, now);
  await db.query(s.text, s.values);
}

/** `saveIncidents` as a statement (returning each saved incident's id), to be sent with others (statement.ts). */
export function saveIncidentsStatement(states: readonly IncidentState[], now: Date): Statement {
  return {
    text: `update incidents i set title = u.title, severity = u.severity, status = u.status, private = u.private,
       channel_id = u.channel_id, state = u.state, version = u.version, updated_at = $8::timestamptz
     from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::text[], $7::jsonb[], $9::int[])
       as u(id, title, severity, status, private, channel_id, state, version)
     where i.id = u.id
     returning i.id`,
    values: [
      states.map((s) => s.id), states.map((s) => s.title), states.map((s) => s.severity), states.map((s) => s.status),
      states.map((s) => s.private), states.map((s) => s.channelId ?? null), states.map((s) => JSON.stringify(s)), now.toISOString(),
      states.map((s) => s.eventCount),
    ],
  };
}

export interface IncidentRow {
  id: string;
  number: number;
  title: string;
  severity: string;
  status: string;
  channelId: string | null;
  private: boolean;
  /** People known to be in the incident channel (who may see a private incident). */
  members: string[];
}

/** Open incidents (not closed), newest first. */
export async function listOpenIncidents(db: Q, limit = 50): Promise<IncidentRow[]> {
  const r = await db.query<{ id: string; number: number; title: string; severity: string; status: string; channel_id: string | null; private: boolean; members: string[] | null }>(
    `select id, number, title, severity, status, channel_id, private, state->'members' as members from incidents where status <> 'closed' order by number desc limit $1::int`,
    [limit],
  );
  return r.rows.map((x) => ({
    id: x.id, number: x.number, title: x.title, severity: x.severity, status: x.status, channelId: x.channel_id,
    private: x.private, members: Array.isArray(x.members) ? x.members : [],
  }));
}

/** States of all open incidents, for the reminder scheduler. */
export async function readOpenStates(db: Q): Promise<IncidentState[]> {
  const r = await db.query<{ state: IncidentState }>(`select state from incidents where status <> 'closed' or updated_at > now() - interval '30 days'`);
  return r.rows.map((x) => x.state);
}
