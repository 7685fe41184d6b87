/** SQL for the append-only incident event log. */
import type pg from 'pg';
import type { Statement } from './statement.ts';
import type { IncidentEvent } from '../../domain/events.ts';

type Q = Pick<pg.ClientBase, 'query'>;

/**
 * Appends events in one statement. An idempotency key seen before is skipped,
 * so the same fact delivered twice is one event. Returns the ids inserted.
 */
export async function appendEvents(db: Q, events: readonly IncidentEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const s = appendEventsStatement(events);
  const r = await db.query<{ id: string }>(s.text, s.values);
  return r.rows.map((x) => x.id);
}

/** `appendEvents` as a statement (returning each appended event's id), to be sent with others (statement.ts). */
export function appendEventsStatement(events: readonly IncidentEvent[]): Statement {
  return {
    text: `insert into incident_events (id, incident_id, type, occurred_at, recorded_at, actor, source, idempotency_key, data)
     select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::jsonb[], $7::jsonb[], $8::text[], $9::jsonb[])
     on conflict (idempotency_key) do nothing
     returning id`,
    values: [
      events.map((e) => e.id),
      events.map((e) => e.incidentId),
      events.map((e) => e.type),
      events.map((e) => e.occurredAt),
      events.map((e) => e.recordedAt),
      events.map((e) => JSON.stringify(e.actor)),
      events.map((e) => JSON.stringify(e.source)),
      events.map((e) => e.idempotencyKey),
      events.map((e) => JSON.stringify(e.data)),
    ],
  };
}

interface EventRow {
  id: string;
  incident_id: string;
  type: string;
  occurred_at: Date;
  recorded_at: Date;
  actor: IncidentEvent['actor'];
  source: IncidentEvent['source'];
  idempotency_key: string;
  data: unknown;
}

/** The incident's events in log order. */
export async function loadEvents(db: Q, incidentId: string): Promise<IncidentEvent[]> {
  const r = await db.query<EventRow>(
    'select id, incident_id, type, occurred_at, recorded_at, actor, source, idempotency_key, data from incident_events where incident_id = $1::uuid order by seq',
    [incidentId],
  );
  return r.rows.map(
    (x) =>
      ({
        id: x.id,
        incidentId: x.incident_id,
        type: x.type,
        occurredAt: x.occurred_at.toISOString(),
        recordedAt: x.recorded_at.toISOString(),
        actor: x.actor,
        source: x.source,
        idempotencyKey: x.idempotency_key,
        data: x.data,
      }) as IncidentEvent,
  );
}

export async function countEvents(db: Q, incidentId?: string): Promise<number> {
  const r = incidentId
    ? await db.query<{ n: string }>('select count(*)::text as n from incident_events where incident_id = $1::uuid', [incidentId])
    : await db.query<{ n: string }>('select count(*)::text as n from incident_events');
  return Number(r.rows[0]?.n ?? 0);
}

/** One event by id (e.g. the status update a relay renders). */
export async function loadEvent(db: Q, id: string): Promise<IncidentEvent | undefined> {
  const r = await db.query<EventRow>(
    'select id, incident_id, type, occurred_at, recorded_at, actor, source, idempotency_key, data from incident_events where id = $1::uuid',
    [id],
  );
  const x = r.rows[0];
  if (!x) return undefined;
  return { id: x.id, incidentId: x.incident_id, type: x.type, occurredAt: x.occurred_at.toISOString(), recordedAt: x.recorded_at.toISOString(), actor: x.actor, source: x.source, idempotencyKey: x.idempotency_key, data: x.data } as IncidentEvent;
}
