/** SQL for command idempotency keys and PagerDuty links. */
import type pg from 'pg';
import type { Statement } from './statement.ts';

type Q = Pick<pg.ClientBase, 'query'>;

/**
 * Claims a command key. A concurrent transaction with the same key waits on
 * the unique index and then sees the conflict, so a command applies once.
 */
export async function claimCommandKey(db: Q, key: string, incidentId: string | undefined): Promise<boolean> {
  const r = await db.query('insert into command_keys (key, incident_id) values ($1, $2::uuid) on conflict (key) do nothing returning key', [key, incidentId ?? null]);
  return (r.rowCount ?? 0) === 1;
}

/** Which of these command keys were claimed before (one round trip for a batch of commands). */
export async function existingCommandKeys(db: Q, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const r = await db.query<{ key: string }>('select key from command_keys where key = any($1::text[])', [keys]);
  return new Set(r.rows.map((x) => x.key));
}

/** Claims many command keys, each with its incident, in one statement; returns how many were new. */
export async function claimCommandKeys(db: Q, claims: readonly { key: string; incidentId: string }[]): Promise<number> {
  if (claims.length === 0) return 0;
  const s = claimCommandKeysStatement(claims);
  const r = await db.query(s.text, s.values);
  return r.rowCount ?? 0;
}

/** `claimCommandKeys` as a statement (returning each key it claimed), to be sent with others (statement.ts). */
export function claimCommandKeysStatement(claims: readonly { key: string; incidentId: string }[]): Statement {
  return {
    text: 'insert into command_keys (key, incident_id) select * from unnest($1::text[], $2::uuid[]) on conflict (key) do nothing returning key',
    values: [claims.map((c) => c.key), claims.map((c) => c.incidentId)],
  };
}

export async function commandKeyIncident(db: Q, key: string): Promise<string | undefined> {
  const r = await db.query<{ incident_id: string | null }>('select incident_id from command_keys where key = $1', [key]);
  return r.rows[0]?.incident_id ?? undefined;
}

export async function setCommandKeyIncident(db: Q, key: string, incidentId: string): Promise<void> {
  await db.query('update command_keys set incident_id = $2::uuid where key = $1', [key, incidentId]);
}

/** Links a PagerDuty incident; false when another transaction linked it first. */
export async function linkPagerDuty(db: Q, pdIncidentId: string, incidentId: string): Promise<boolean> {
  const r = await db.query('insert into pagerduty_links (pd_incident_id, incident_id) values ($1, $2::uuid) on conflict do nothing returning pd_incident_id', [pdIncidentId, incidentId]);
  return (r.rowCount ?? 0) === 1;
}

export async function findIncidentIdByPagerDuty(db: Q, pdIncidentId: string): Promise<string | undefined> {
  const r = await db.query<{ incident_id: string }>('select incident_id from pagerduty_links where pd_incident_id = $1', [pdIncidentId]);
  return r.rows[0]?.incident_id;
}

/** The Kranz incidents of several PagerDuty incidents (those that have one), in one round trip. */
export async function findIncidentIdsByPagerDuty(db: Q, pdIncidentIds: readonly string[]): Promise<Map<string, string>> {
  if (pdIncidentIds.length === 0) return new Map();
  const r = await db.query<{ pd_incident_id: string; incident_id: string }>('select pd_incident_id, incident_id from pagerduty_links where pd_incident_id = any($1::text[])', [pdIncidentIds]);
  return new Map(r.rows.map((x) => [x.pd_incident_id, x.incident_id]));
}

/**
 * Deletes this incident's link of a PagerDuty incident and marks that one ignored with `reason` (which replaces
 * an older one: an unlink says more about its later events than the fate of a trigger before it was linked).
 * One statement; both or neither. False when this incident had no such link.
 */
export async function unlinkPagerDuty(db: Q, pdIncidentId: string, incidentId: string, reason: string): Promise<boolean> {
  // Data-modifying CTEs all run, whatever the outer select reads: the mark is set even when no row was left to delete.
  const r = await db.query<{ deleted: number }>(
    `with gone as (delete from pagerduty_links where pd_incident_id = $1 and incident_id = $2::uuid returning 1),
          marked as (insert into pagerduty_ignored (pd_incident_id, reason) values ($1, $3)
                     on conflict (pd_incident_id) do update set reason = excluded.reason, created_at = now() returning 1)
     select (select count(*) from gone)::int as deleted`,
    [pdIncidentId, incidentId, reason],
  );
  return (r.rows[0]?.deleted ?? 0) === 1;
}

export async function clearPagerDutyIgnored(db: Q, pdIncidentId: string): Promise<void> {
  await db.query('delete from pagerduty_ignored where pd_incident_id = $1', [pdIncidentId]);
}

/** Records that these PagerDuty incidents' triggers were ignored on purpose (the first reason stays). */
export async function markPagerDutyIgnored(db: Q, marks: readonly { pdIncidentId: string; reason: string }[]): Promise<void> {
  if (marks.length === 0) return;
  await db.query(
    'insert into pagerduty_ignored (pd_incident_id, reason) select * from unnest($1::text[], $2::text[]) on conflict do nothing',
    [marks.map((m) => m.pdIncidentId), marks.map((m) => m.reason)],
  );
}

/** Why the triggers of these PagerDuty incidents were ignored, for those that were. */
export async function pagerDutyIgnoredReasons(db: Q, pdIncidentIds: readonly string[]): Promise<Map<string, string>> {
  if (pdIncidentIds.length === 0) return new Map();
  const r = await db.query<{ pd_incident_id: string; reason: string }>('select pd_incident_id, reason from pagerduty_ignored where pd_incident_id = any($1::text[])', [pdIncidentIds]);
  return new Map(r.rows.map((x) => [x.pd_incident_id, x.reason]));
}
