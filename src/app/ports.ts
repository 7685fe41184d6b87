/**
 * The ports use cases reach the world through. Adapters implement them
 * (Postgres in adapters/db, Slack and PagerDuty in their folders); tests may
 * pass fakes. Nothing here does I/O.
 */
import type { IncidentEvent } from '../domain/events.ts';
import type { IncidentState } from '../domain/incident.ts';
import type { Policy } from '../domain/policy.ts';
import type { PlannedReminder, ReminderKind } from '../domain/reminders.ts';
import type { PermissionAction } from '../domain/permissions-policy.ts';
import type { PermissionSubject } from '../domain/permissions.ts';
import type { IncidentId, PdIncidentId, PdServiceId, SlackChannelId } from '../domain/ids.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A side effect waiting in the outbox. */
export interface NewOutboxRow {
  incidentId?: string;
  /** Which deliverer handles it: `slack`, `pagerduty`, or a test target. */
  target: string;
  /** Rows with the same key are delivered one at a time, in order. */
  orderKey: string;
  op: string;
  payload: unknown;
  idempotencyKey: string;
}

/** Command idempotency keys, and the PagerDuty incidents linked to Kranz incidents. */
export interface KeysPort {
  claimCommandKey(key: string, incidentId?: string): Promise<boolean>;
  /** Which of these keys were claimed before: a batch of commands checks them in one round trip. */
  existingCommandKeys(keys: readonly string[]): Promise<Set<string>>;
  /** Claims keys of commands a batch applied, each with its incident; returns how many were new. */
  claimCommandKeys(claims: readonly { key: string; incidentId: string }[]): Promise<number>;
  commandKeyIncident(key: string): Promise<string | undefined>;
  setCommandKeyIncident(key: string, incidentId: string): Promise<void>;
  findIncidentIdByPagerDuty(pdIncidentId: string): Promise<string | undefined>;
  /** The Kranz incidents of those of these PagerDuty incidents that have one. */
  findIncidentIdsByPagerDuty(pdIncidentIds: readonly string[]): Promise<Map<string, string>>;
  linkPagerDuty(pdIncidentId: string, incidentId: string): Promise<boolean>;
  /**
   * Undoes a link of this incident (a row pointing to another incident stays) and marks the PagerDuty incident
   * ignored with `reason`, replacing an older reason, in one statement. False when there was no such row.
   */
  unlinkPagerDuty(pdIncidentId: string, incidentId: string, reason: string): Promise<boolean>;
  /** Forgets that a PagerDuty incident was ignored: it is linked (again) by hand, and its events land there. */
  clearPagerDutyIgnored(pdIncidentId: string): Promise<void>;
  /** Remembers that these PagerDuty incidents' triggers were ignored on purpose, so their later events need not wait for one. */
  markPagerDutyIgnored(marks: readonly { pdIncidentId: string; reason: string }[]): Promise<void>;
  /** Why the triggers of these PagerDuty incidents were ignored, for those that were (not: not ignored, or not seen yet). */
  pagerDutyIgnoredReasons(pdIncidentIds: readonly string[]): Promise<Map<string, string>>;
}

/** The incident projection: current state, numbers, lookups. */
export interface IncidentsPort {
  lockIncident(id: string): Promise<IncidentState | undefined>;
  readIncident(id: string): Promise<IncidentState | undefined>;
  findIncidentIdByChannel(channelId: string): Promise<string | undefined>;
  findIncidentIdByNumber(n: number): Promise<string | undefined>;
  nextIncidentNumber(): Promise<number>;
  saveIncident(state: IncidentState, now: Date): Promise<void>;
  /** Saves the projections of existing incidents in one statement. */
  saveIncidents(states: readonly IncidentState[], now: Date): Promise<void>;
  listOpenIncidents(limit?: number): Promise<{ id: string; number: number; title: string; severity: string; status: string; channelId: string | null; private: boolean; members: string[] }[]>;
}

/** The append-only event log. */
export interface EventsPort {
  appendEvents(events: readonly IncidentEvent[]): Promise<string[]>;
  loadEvents(incidentId: string): Promise<IncidentEvent[]>;
  loadEvent(eventId: string): Promise<IncidentEvent | undefined>;
}

/** Outbox rows written with the events that caused them. */
export interface OutboxPort {
  enqueue(rows: readonly NewOutboxRow[], now: Date): Promise<number>;
  /** Marks a leased outbox row delivered; false when the lease was lost to another worker. */
  markOutboxDelivered(id: number, workerId: string, result: unknown, now: Date): Promise<boolean>;
}

/** Reminder plans, their steps and the scheduler's tick claims. */
export interface RemindersPort {
  /** Stores the incident's reminder plan (see reminders-sql.ts for how a changed due time resets a reminder). */
  syncReminders(incidentId: string, planned: readonly PlannedReminder[], now: Date): Promise<void>;
  /** Locks up to `limit` due reminders with their incidents (SKIP LOCKED: other senders get other rows). */
  claimDueReminders(now: Date, limit: number): Promise<DueReminder[]>;
  advanceReminder(a: ReminderAdvance): Promise<void>;
  /** Snoozes the pending reminders of a kind (all subjects when `subject` is undefined); returns them. */
  snoozeReminder(incidentId: string, kind: ReminderKind, subject: string | undefined, until: Date, now: Date): Promise<SnoozedReminder[]>;
  /** True for exactly one caller per scheduler tick `name`/`tick` across replicas. */
  claimTick(name: string, tick: Date): Promise<boolean>;
  reminderBacklog(now: Date): Promise<ReminderBacklog>;
}

/** The messages of incident channels, as Kranz saw them (for flags, edits and deletions). */
export interface ChannelLogPort {
  recordChannelMessage(m: { channelId: string; ts: string; incidentId?: string; userId?: string; text: string; threadTs?: string }): Promise<void>;
  editChannelMessage(channelId: string, ts: string, text: string, at: Date): Promise<void>;
  /** Marks the message deleted, keeping a deleted message the log did not have (without text). */
  deleteChannelMessage(m: { channelId: string; ts: string; incidentId: string }): Promise<void>;
  findChannelMessage(channelId: string, ts: string): Promise<{ text: string; userId?: string; deleted: boolean; incidentId?: string } | undefined>;
}

/** Where the messages Kranz keeps up to date in place (summary, checklist) were posted. */
export interface SlotsPort {
  saveSlot(incidentId: string, slot: string, channelId: string, ts: string): Promise<void>;
  findSlot(incidentId: string, slot: string): Promise<{ channelId: string; ts: string } | undefined>;
}

/** Drafted incident reports. */
export interface ReportsPort {
  /** Stores a draft; returns its id, which the publish row carries instead of the Markdown. */
  saveReport(incidentId: string, markdown: string, sha256: string): Promise<number>;
}

/** What a batch of applied commands writes (apply-batch.ts). */
export interface BatchWrites {
  /** Keys of the commands it applied, each with its incident. */
  claims: readonly { key: string; incidentId: string }[];
  events: readonly IncidentEvent[];
  /** Projections of existing incidents whose state changed. */
  states: readonly IncidentState[];
  /** Reminder plans of incidents whose plan changed (as `syncReminders` stores one). */
  reminderPlans: readonly { incidentId: string; planned: readonly PlannedReminder[] }[];
  rows: readonly NewOutboxRow[];
  /** Dedupe keys of stored inbound requests whose commands this batch applied: marked processed with it. */
  appliedRequests: readonly string[];
  now: Date;
}

/** A batch's writes at once: keys, events, projections, reminder plans and outbox rows in one round trip instead of five. */
export interface BatchesPort {
  /**
   * Locks the incidents in id order (so two such transactions never
   * deadlock), with the states of those that exist, by id, and reads which
   * of the keys were claimed before, in one round trip: a batch's first step.
   */
  lockBatch(incidentIds: readonly string[], keys: readonly string[]): Promise<{ states: Map<string, IncidentState>; claimedBefore: Set<string> }>;
  /** How many of the keys were new and how many outbox rows were queued (a row seen before is not). */
  writeBatch(w: BatchWrites): Promise<{ claimedKeys: number; queuedRows: number }>;
}

/** Everything a use case may do inside one database transaction: one port per family. */
export interface UnitOfWork {
  keys: KeysPort;
  incidents: IncidentsPort;
  events: EventsPort;
  outbox: OutboxPort;
  reminders: RemindersPort;
  channelLog: ChannelLogPort;
  slots: SlotsPort;
  reports: ReportsPort;
  batches: BatchesPort;
}

/**
 * What deliverers read while rendering a row: the incident's current state, a
 * slot, an event. Each read stands alone (no transaction): a deliverer
 * writes only through its outcome, which the outbox worker records.
 */
export interface DeliveryReads {
  readIncident(id: string): Promise<IncidentState | undefined>;
  findSlot(incidentId: string, slot: string): Promise<{ channelId: string; ts: string } | undefined>;
  loadEvent(eventId: string): Promise<IncidentEvent | undefined>;
  /** A stored report draft's Markdown, by its id. */
  loadReport(reportId: number): Promise<string | undefined>;
}

/** A stored reminder locked for sending, with its (locked) incident. `plannedAt` is when the thing is due, `dueAt` when this step fires. */
export interface DueReminder {
  incidentId: string;
  state: IncidentState;
  kind: ReminderKind;
  subject: string;
  plannedAt: string;
  dueAt: string;
  level: number;
  snoozedUntil?: string;
  sentCount: number;
}

/** What a sender writes back after a step: the next level and fire time (null: finished). */
export interface ReminderAdvance {
  incidentId: string;
  kind: ReminderKind;
  subject: string;
  level: number;
  dueAt: string | null;
  /** False when the step was deferred (quiet hours) rather than sent. */
  sent: boolean;
  now: Date;
}

/** A reminder as a snooze left it. */
export interface SnoozedReminder {
  kind: ReminderKind;
  subject: string;
  plannedAt: string;
  dueAt: string;
  snoozedUntil: string;
}

/** Reminders due and not yet sent, for the scheduler's housekeeping log. */
export interface ReminderBacklog {
  due: number;
  oldestDueAt?: string;
}

/**
 * Runs `fn` in one transaction: all of it commits, or none of it. A throw
 * rolls back and rethrows; when `commit` is given and says no to the result,
 * the transaction rolls back and the result is still returned (use cases go
 * through `runInTransaction`, which rolls back on an error result).
 */
/** How a command names its incident. */
export type IncidentRef = { id: IncidentId } | { channelId: SlackChannelId } | { number: number } | { pdIncidentId: PdIncidentId };

export interface Store {
  transaction<T>(fn: (uow: UnitOfWork) => Promise<T>, o?: { commit?: (result: T) => boolean }): Promise<T>;
  /** Reads that stand alone: one statement each, outside any transaction, taking no lock. */
  readonly reads: StoreReads;
}

/**
 * Reads of one incident that need no transaction: a single statement sees one
 * committed state. What they answer may change the moment after; anything
 * that must hold while writing reads again under the incident's lock.
 */
export interface StoreReads {
  findIncident(ref: IncidentRef): Promise<IncidentState | undefined>;
  /** Only what a permission check reads (number, channel, roles, members): a busy incident's whole state is not parsed for each note. */
  findPermissionSubject(ref: IncidentRef): Promise<(PermissionSubject & { id: string }) | undefined>;
}

/** What every use case gets. */
export interface AppDeps {
  store: Store;
  clock: Clock;
  policy: Policy;
  newId: () => string;
  /** Digest for stored reports (node:crypto in production); injected to keep app/ I/O-free. */
  sha256: (text: string) => string;
  /** Display names (Slack users.info, cached); absent → events carry ids and Slack handles only. */
  people?: PeopleDirectory;
  /** Channel and user-group membership for permissions (Slack, cached briefly); absent → recorded members only, user groups unverifiable. */
  access?: AccessDirectory;
  /** Where permission refusals are reported (log line and counter); absent → not reported. */
  audit?: PermissionAudit;
  /** PagerDuty's own word on its incidents (REST, when PAGERDUTY_TOKEN is set); absent → links are made by id, unchecked. */
  pagerDuty?: PagerDutyIncidents;
}

/** A PagerDuty incident as PagerDuty describes it. */
export interface PagerDutyIncidentFacts {
  number: number;
  title: string;
  url?: string;
  serviceId: PdServiceId;
}

/**
 * What PagerDuty answered about one of its incidents: `found`, `not_found`
 * (PagerDuty says there is none: a typo, another account), or `unavailable`
 * (it could not say: down, slow, rate-limiting, refusing the token), with its reason for the log.
 */
export type PagerDutyIncidentLookup =
  | { kind: 'found'; incident: PagerDutyIncidentFacts }
  | { kind: 'not_found' }
  | { kind: 'unavailable'; reason: string };

/** Looks PagerDuty incidents up. Never throws: a failure is `unavailable`. */
export interface PagerDutyIncidents {
  lookUp(pdIncidentId: PdIncidentId): Promise<PagerDutyIncidentLookup>;
}

/** People's display names, as their chat workspace shows them. Never throws: unknown → undefined. */
export interface PeopleDirectory {
  displayName(userId: string): Promise<string | undefined>;
}

/** A leased outbox row, as a deliverer sees it. */
export interface ClaimedOutboxRow extends NewOutboxRow {
  id: number;
  /** 1 on the first try. */
  attempts: number;
  createdAt: string;
}

/** Outbox bookkeeping outside use-case transactions. */
export interface OutboxQueue {
  claim(o: { now: Date; limit: number; leaseMs: number; workerId: string }): Promise<ClaimedOutboxRow[]>;
  /** Marks leased rows delivered in one statement; returns the ids marked (not those whose lease was lost). */
  delivered(rows: readonly { id: number; result: unknown }[], workerId: string, now: Date): Promise<Set<number>>;
  retry(id: number, workerId: string, error: string, nextAttemptAt: Date): Promise<void>;
  /** Gives a claimed row back untried until `nextAttemptAt` (its claim is not counted as an attempt, nothing failed). */
  defer(id: number, workerId: string, nextAttemptAt: Date): Promise<void>;
  dead(id: number, workerId: string, error: string): Promise<void>;
  /** Rows of `orderKey` with ids from `fromId` up to (not including) `beforeId` that were delivered. */
  deliveredBetween(orderKey: string, fromId: number, beforeId: number): Promise<number>;
}

/** Who is in a channel or a user group now, as the chat workspace says (cached briefly by the adapter). Throws when it cannot say. */
export interface AccessDirectory {
  channelMembers(channelId: string): Promise<ReadonlySet<string>>;
  userGroupMembers(groupId: string): Promise<ReadonlySet<string>>;
}

/** A refused attempt, for the operator's log and metrics (never the incident's timeline). */
export interface PermissionDenial {
  action: PermissionAction;
  userId: string;
  incidentId?: string;
  number?: number;
  /** `denied`: the rule does not include her; `unverified`: Slack could not say. */
  reason: 'denied' | 'unverified';
}

/** Where denials are reported (pino warn and a counter in production). */
export interface PermissionAudit {
  denied(d: PermissionDenial): void;
}
