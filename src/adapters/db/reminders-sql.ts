/**
 * SQL for reminders and scheduler ticks. The command path stores each
 * incident's reminder plan in the same transaction as its events; senders on
 * any number of replicas claim due rows with FOR UPDATE SKIP LOCKED (each row
 * together with its incident, so a sender never waits on a command and a
 * command never deadlocks with a sender).
 */
import type pg from 'pg';
import { runAll, type Statement } from './statement.ts';
import type { DueReminder, ReminderAdvance, ReminderBacklog, SnoozedReminder } from '../../app/ports.ts';
import type { IncidentState } from '../../domain/incident.ts';
import type { PlannedReminder, ReminderKind } from '../../domain/reminders.ts';

type Q = Pick<pg.ClientBase, 'query'>;

/**
 * Stores `planned` as the incident's reminders, in one statement:
 * - a reminder no longer planned is deleted (the update was posted, the item ticked, the incident closed);
 * - a new one starts at level 1, firing at its due time;
 * - one whose due time changed (a new status update, a severity change) restarts at level 1
 *   at the new time, keeping a snooze only when it ends later than the new due time;
 * - one whose due time did not change is left alone, so its escalation level and
 *   next fire time survive unrelated state changes.
 */
export async function syncReminders(db: Q, incidentId: string, planned: readonly PlannedReminder[], now: Date): Promise<void> {
  await runAll(db, syncRemindersStatements(incidentId, planned, now));
}

/**
 * `syncReminders` as its two writes (the deletion of what is no longer
 * planned, the upsert of the plan), to be sent with others (statement.ts).
 * They touch disjoint rows: a deleted reminder is one the plan does not hold.
 */
export function syncRemindersStatements(incidentId: string, planned: readonly PlannedReminder[], now: Date): Statement[] {
  const plan = [planned.map((p) => p.kind), planned.map((p) => p.subject)];
  return [
    {
      text: `delete from reminders r
       where r.incident_id = $1::uuid
         and not exists (select 1 from unnest($2::text[], $3::text[]) as p(kind, subject) where p.kind = r.kind and p.subject = r.subject)
       returning r.kind`,
      values: [incidentId, ...plan],
    },
    {
      text: `insert into reminders (incident_id, kind, subject, planned_at, due_at, level, updated_at)
       select $1::uuid, p.kind, p.subject, p.planned_at, p.planned_at, 1, $5::timestamptz
       from unnest($2::text[], $3::text[], $4::timestamptz[]) as p(kind, subject, planned_at)
       on conflict (incident_id, kind, subject) do update set
         planned_at = excluded.planned_at,
         due_at = excluded.due_at,
         level = 1,
         snoozed_until = case when reminders.snoozed_until > excluded.planned_at then reminders.snoozed_until end,
         updated_at = excluded.updated_at
       where reminders.planned_at <> excluded.planned_at
       returning kind`,
      values: [incidentId, ...plan, planned.map((p) => p.dueAt), now.toISOString()],
    },
  ];
}

interface Row {
  incident_id: string;
  kind: ReminderKind;
  subject: string;
  planned_at: Date;
  due_at: Date;
  level: number;
  snoozed_until: Date | null;
  sent_count: number;
  state: IncidentState;
}

/**
 * Locks up to `limit` reminders that are due (and not snoozed past `now`),
 * oldest first, together with their incident rows (whose state comes along). SKIP LOCKED makes
 * concurrent senders take disjoint rows, and skips an incident a command is
 * changing right now (its plan may be about to change; the next pass gets it).
 * Postgres re-checks the WHERE clause on the newest row version after locking,
 * so a row another sender advanced a moment ago is not claimed again. A row
 * skipped because its incident was locked stays locked by the skipping
 * transaction until it ends (Postgres keeps row locks to the end), so
 * callers retry an empty claim while siblings still make progress.
 */
export async function claimDueReminders(db: Q, now: Date, limit: number): Promise<DueReminder[]> {
  const r = await db.query<Row>(
    `select r.incident_id, r.kind, r.subject, r.planned_at, r.due_at, r.level, r.snoozed_until, r.sent_count, i.state
     from reminders r join incidents i on i.id = r.incident_id
     where r.due_at <= $1::timestamptz and (r.snoozed_until is null or r.snoozed_until <= $1::timestamptz)
     order by r.due_at
     limit $2::int
     for update of r, i skip locked`,
    [now.toISOString(), limit],
  );
  return r.rows.map((x) => ({
    incidentId: x.incident_id,
    state: x.state,
    kind: x.kind,
    subject: x.subject,
    plannedAt: x.planned_at.toISOString(),
    dueAt: x.due_at.toISOString(),
    level: x.level,
    ...(x.snoozed_until ? { snoozedUntil: x.snoozed_until.toISOString() } : {}),
    sentCount: x.sent_count,
  }));
}

/** Moves a claimed reminder to its next step (`dueAt` null: finished). A passed snooze is cleared. */
export async function advanceReminder(db: Q, a: ReminderAdvance): Promise<void> {
  await db.query(
    `update reminders set level = $4::int, due_at = $5::timestamptz, snoozed_until = null,
       last_sent_at = case when $6::boolean then $7::timestamptz else last_sent_at end,
       sent_count = sent_count + case when $6::boolean then 1 else 0 end,
       updated_at = $7::timestamptz
     where incident_id = $1::uuid and kind = $2 and subject = $3`,
    [a.incidentId, a.kind, a.subject, a.level, a.dueAt, a.sent, a.now.toISOString()],
  );
}

/** Snoozes the pending reminders of `kind` (of one subject, or all when undefined) until `until`. */
export async function snoozeReminder(db: Q, incidentId: string, kind: ReminderKind, subject: string | undefined, until: Date, now: Date): Promise<SnoozedReminder[]> {
  const r = await db.query<{ kind: ReminderKind; subject: string; planned_at: Date; due_at: Date; snoozed_until: Date }>(
    `update reminders set snoozed_until = $4::timestamptz, updated_at = $5::timestamptz
     where incident_id = $1::uuid and kind = $2 and ($3::text is null or subject = $3::text) and due_at is not null
     returning kind, subject, planned_at, due_at, snoozed_until`,
    [incidentId, kind, subject ?? null, until.toISOString(), now.toISOString()],
  );
  return r.rows.map((x) => ({
    kind: x.kind, subject: x.subject, plannedAt: x.planned_at.toISOString(), dueAt: x.due_at.toISOString(), snoozedUntil: x.snoozed_until.toISOString(),
  }));
}

/**
 * Claims scheduler tick `tick` of `name`: a guarded upsert that only moves
 * `last_tick` forward, so of N replicas firing the same tick exactly one gets
 * true (the row lock serialises them; the losers see a tick not newer than
 * the stored one and update nothing).
 */
export async function claimTick(db: Q, name: string, tick: Date): Promise<boolean> {
  const r = await db.query(
    `insert into scheduler_ticks (name, last_tick) values ($1, $2::timestamptz)
     on conflict (name) do update set last_tick = excluded.last_tick
     where scheduler_ticks.last_tick < excluded.last_tick
     returning name`,
    [name, tick.toISOString()],
  );
  return (r.rowCount ?? 0) === 1;
}

/** How many reminders are due now and the oldest due time. */
export async function reminderBacklog(db: Q, now: Date): Promise<ReminderBacklog> {
  const r = await db.query<{ due: number; oldest: Date | null }>(
    `select count(*)::int as due, min(due_at) as oldest from reminders
     where due_at <= $1::timestamptz and (snoozed_until is null or snoozed_until <= $1::timestamptz)`,
    [now.toISOString()],
  );
  const row = r.rows[0];
  return { due: row?.due ?? 0, ...(row?.oldest ? { oldestDueAt: row.oldest.toISOString() } : {}) };
}
