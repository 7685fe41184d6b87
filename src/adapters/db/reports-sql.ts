/** SQL for drafted incident reports (one row per draft; re-drafts add rows). */
import type pg from 'pg';

type Q = Pick<pg.ClientBase, 'query'>;

/** Stores a draft and returns its id. */
export async function saveReport(db: Q, incidentId: string, markdown: string, sha256: string): Promise<number> {
  const r = await db.query<{ id: string }>('insert into reports (incident_id, markdown, sha256) values ($1::uuid, $2, $3) returning id', [incidentId, markdown, sha256]);
  return Number(r.rows[0]?.id);
}

export async function loadReport(db: Q, id: number): Promise<string | undefined> {
  const r = await db.query<{ markdown: string }>('select markdown from reports where id = $1', [id]);
  return r.rows[0]?.markdown;
}

export async function latestReport(db: Q, incidentId: string): Promise<string | undefined> {
  const r = await db.query<{ markdown: string }>('select markdown from reports where incident_id = $1::uuid order by id desc limit 1', [incidentId]);
  return r.rows[0]?.markdown;
}
