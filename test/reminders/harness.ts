/**
 * A real database for reminder tests: a fresh migrated PostgreSQL database,
 * the Postgres store, a fake clock the test moves by hand, and queries that
 * read back what went out (reminder_sent events, outbox rows).
 */
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../../src/adapters/db/store.ts';
import { migrate } from '../../src/adapters/db/migrate.ts';
import type { CommandMeta } from '../../src/app/apply-command.ts';
import { declareIncident, type DeclareInput } from '../../src/app/declare-incident.ts';
import type { AppDeps } from '../../src/app/ports.ts';
import type { Policy } from '../../src/domain/policy.ts';
import type { ReminderFacts } from '../../src/domain/effects.ts';
import { reminderText } from '../../src/adapters/slack/strings/reminders.ts';
import { testPool, createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { T0, testPolicy } from '../helpers/domain.ts';
import { asSlackChannelId, asSlackUserId, type IncidentId } from '../../src/domain/ids.ts';

export { T0 };
export const MIN = 60_000;
export const at = (min: number): Date => new Date(T0.getTime() + min * MIN);

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A clock the test sets; never the wall clock. */
export interface FakeClock {
  now(): Date;
  set(d: Date): void;
}

export function fakeClock(start: Date = T0): FakeClock {
  let current = start;
  return { now: () => current, set: (d) => { current = d; } };
}

export interface Harness {
  db: TestDatabase;
  pool: pg.Pool;
  clock: FakeClock;
  deps: AppDeps;
  /** Another replica: its own pool and store on the same database and clock. */
  replica(): AppDeps;
  close(): Promise<void>;
}

/** Policy used unless a test overrides parts of it. */
export const basePolicy: Policy = { ...testPolicy, reminders: { ...testPolicy.reminders, escalationTarget: { kind: 'user', id: asSlackUserId('UESCALATE') } } };

export async function setup(policy: Policy = basePolicy): Promise<Harness> {
  const db = await createTestDatabase('rem');
  const pool = testPool(db.url);
  await migrate(pool, { log: silent });
  const clock = fakeClock();
  const pools: pg.Pool[] = [pool];
  const depsFor = (p: pg.Pool): AppDeps => ({
    store: new PostgresStore(p),
    clock,
    policy,
    newId: () => randomUUID(),
    sha256: (t) => createHash('sha256').update(t).digest('hex'),
  });
  return {
    db, pool, clock,
    deps: depsFor(pool),
    replica() {
      const p = testPool(db.url);
      pools.push(p);
      return depsFor(p);
    },
    async close() {
      for (const p of pools) await p.end();
      await db.drop();
    },
  };
}

export const userMeta = (userId = 'UCOMMANDER'): CommandMeta => ({
  actor: { kind: 'user', userId: asSlackUserId(userId) }, source: { kind: 'slack', channelId: asSlackChannelId('CINC') }, idempotencyKey: randomUUID(),
});

/** Declares an incident at the clock's time; returns its id. */
export async function declare(h: Harness, input: Partial<DeclareInput> = {}, meta: CommandMeta = userMeta()): Promise<IncidentId> {
  const r = await declareIncident(h.deps, { title: 'Checkout API returns 500s', severity: 'SEV1', customers: ['acme'], ...input }, meta);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.incidentId;
}

export interface SentReminder {
  reminder: string;
  level: number;
  dueAt: string;
  recipient: string;
  key: string;
  occurredAt: string;
}

/** reminder_sent events of one incident (or all), in log order. */
export async function sentReminders(h: Harness, incidentId?: string, reminder?: string): Promise<SentReminder[]> {
  const r = await h.pool.query<{ data: Omit<SentReminder, 'key' | 'occurredAt'>; idempotency_key: string; occurred_at: Date }>(
    `select data, idempotency_key, occurred_at from incident_events
     where type = 'reminder_sent' and ($1::uuid is null or incident_id = $1::uuid) and ($2::text is null or data->>'reminder' = $2::text)
     order by seq`,
    [incidentId ?? null, reminder ?? null],
  );
  return r.rows.map((x) => ({ ...x.data, key: x.idempotency_key, occurredAt: x.occurred_at.toISOString() }));
}

export interface ReminderPost {
  key: string;
  to: { kind: string; id?: string };
  message: { reminder: string; level: number; mention: string[]; facts?: ReminderFacts; text: string };
}

/** Outbox rows that post reminders, in id order. */
export async function reminderPosts(h: Harness, incidentId?: string): Promise<ReminderPost[]> {
  const r = await h.pool.query<{ idempotency_key: string; payload: { to: ReminderPost['to']; message: ReminderPost['message'] } }>(
    `select idempotency_key, payload from outbox
     where payload->'message'->>'template' = 'reminder' and ($1::uuid is null or incident_id = $1::uuid) order by id`,
    [incidentId ?? null],
  );
  // The words are the Slack adapter's, rendered from the row's facts as the deliverer does.
  return r.rows.map((x) => ({ key: x.idempotency_key, to: x.payload.to, message: { ...x.payload.message, text: reminderText(x.payload.message as never, undefined).text } }));
}

export interface ReminderRow {
  kind: string;
  subject: string;
  plannedAt: string;
  dueAt: string | null;
  level: number;
  snoozedUntil: string | null;
  sentCount: number;
}

export async function reminderRows(h: Harness, incidentId: string): Promise<Record<string, ReminderRow>> {
  const r = await h.pool.query<{ kind: string; subject: string; planned_at: Date; due_at: Date | null; level: number; snoozed_until: Date | null; sent_count: number }>(
    'select kind, subject, planned_at, due_at, level, snoozed_until, sent_count from reminders where incident_id = $1::uuid',
    [incidentId],
  );
  const out: Record<string, ReminderRow> = {};
  for (const x of r.rows) {
    out[x.subject ? `${x.kind}:${x.subject}` : x.kind] = {
      kind: x.kind, subject: x.subject, plannedAt: x.planned_at.toISOString(), dueAt: x.due_at?.toISOString() ?? null,
      level: x.level, snoozedUntil: x.snoozed_until?.toISOString() ?? null, sentCount: x.sent_count,
    };
  }
  return out;
}
