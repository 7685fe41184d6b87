/**
 * Reminders: how Kranz makes sure customers hear from the team on time.
 *
 * `planReminders` derives from an incident's state alone (no clock) which
 * reminders exist and when each is due; the app stores that plan on every
 * state change. `reminderStep` says what to send when one fires (who, which
 * facts, worded by the Slack adapter) and when the next step of its escalation chain is due:
 *
 * - status update / customer contact (one per call item, so per customer): level 1 in the incident channel
 *   mentioning the commander and the customer liaison; level 2 a DM to the
 *   commander after the severity's grace; level 3 the configured escalation
 *   target; then level 1 again at the update cadence. Levels with nobody to
 *   reach (no commander, no target) are skipped.
 * - checklist item, no activity, review due: one message, once.
 * - resolved but not closed: one message, repeated every `resolvedNotClosedMs`.
 *
 * Every next time is computed from `now`, the moment a step is actually sent,
 * so after downtime each overdue reminder goes out once and the chain resumes
 * from there instead of replaying the missed steps.
 */
import { dueDate, quietHoursEnd, zonedTimeToUtc } from './business-days.ts';
import type { ChannelRef, ReminderFacts } from './effects.ts';
import type { SlackUserId } from './ids.ts';
import { CALL_CUSTOMER_ITEM, isCallItem } from './call-items.ts';
import type { IncidentState } from './incident.ts';
import { findSeverity, type Policy } from './policy.ts';
import type { Status } from './events.ts';

/** Every kind of reminder Kranz sends. */
export const REMINDER_KINDS = ['status_update', 'customer_contact', 'checklist_item', 'no_activity', 'resolved_not_closed', 'review_due'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

/** Narrows a stored or typed string to a kind. */
export const isReminderKind = (k: string): k is ReminderKind => (REMINDER_KINDS as readonly string[]).includes(k);

/** Words people use for a kind, e.g. in `/incident snooze 30m customer`. */
export const REMINDER_LABELS: Record<ReminderKind, string> = {
  status_update: 'status update',
  customer_contact: 'customer call',
  checklist_item: 'checklist item',
  no_activity: 'no activity',
  resolved_not_closed: 'resolved but not closed',
  review_due: 'report review',
};

/** One reminder an incident should have. `subject` tells apart reminders of one kind (a checklist item id, a customer call's customer id, else ''). */
export interface PlannedReminder {
  kind: ReminderKind;
  subject: string;
  /** When the thing reminded about is due, ISO 8601 UTC. */
  dueAt: string;
}

/** What to send for one step of a reminder, and when the next step is due. */
export interface ReminderStep {
  /** The level actually sent (a level with nobody to reach is skipped). */
  level: number;
  /** Where it goes: the incident channel, a person (DM) or a channel. */
  to: ChannelRef;
  /** The same as the event log records it: `incident`, or the user or channel id. */
  recipient: string;
  mention: SlackUserId[];
  /** What the message says, as facts; the Slack adapter words them. */
  facts: ReminderFacts;
  nextLevel: number;
  /** Absent when the reminder is finished (one-shot kinds). */
  nextDueAt?: string;
}

/** The review reminder goes out at the start of the working day on the due date, in the report zone. */
export const REVIEW_REMINDER_HOUR = 9;

const OPEN: readonly Status[] = ['investigating', 'identified', 'monitoring'];
const ESCALATING: readonly ReminderKind[] = ['status_update', 'customer_contact'];
// Matches the fallback `transition` uses when a severity vanished from the policy.
const FALLBACK = { updateCadenceMs: 30 * 60_000, escalationGraceMs: 10 * 60_000, reviewDue: { days: 5, business: true } };

/** `status_update`, or `checklist_item:notify-execs`: the name stored in `reminder_sent` events. */
export const reminderName = (r: { kind: ReminderKind; subject: string }): string => (r.subject ? `${r.kind}:${r.subject}` : r.kind);

/** Inverse of {@link reminderName} (a snooze button carries the name). */
export function parseReminderName(name: string): { kind: ReminderKind; subject: string } | undefined {
  const i = name.indexOf(':');
  const kind = i < 0 ? name : name.slice(0, i);
  return isReminderKind(kind) ? { kind, subject: i < 0 ? '' : name.slice(i + 1) } : undefined;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const sevOf = (state: IncidentState, policy: Policy) => findSeverity(policy, state.severity) ?? FALLBACK;

/**
 * When the next status update is due: the time the last update promised,
 * unless the current severity's cadence counted from the last update (or the
 * declaration) is sooner. The cadence is a maximum ("at least this often"),
 * so a severity raised mid-interval pulls the due time in at once; a promise
 * sooner than the cadence is honoured. A lowered severity does not push back
 * a time already promised in an update: customers were told that time.
 */
export function statusUpdateDueAt(state: IncidentState, policy: Policy): string {
  const base = Date.parse(state.lastStatusUpdateAt ?? state.times.declaredAt);
  const byCadence = base + sevOf(state, policy).updateCadenceMs;
  const promised = state.nextUpdateDueAt ? Date.parse(state.nextUpdateDueAt) : Number.POSITIVE_INFINITY;
  return iso(Math.min(byCadence, promised));
}

/** The instant the report-review reminder is due after close: {@link REVIEW_REMINDER_HOUR} on the due date. */
export function reviewDueAt(closedAt: string, rule: { days: number; business: boolean }, timeZone: string): string {
  return zonedTimeToUtc(dueDate(new Date(closedAt), rule, timeZone), REVIEW_REMINDER_HOUR, 0, timeZone).toISOString();
}

/** The reminders `state` should have under `policy`. Pure and clock-free: the same state plans the same reminders. */
export function planReminders(state: IncidentState, policy: Policy): PlannedReminder[] {
  const out: PlannedReminder[] = [];
  if (OPEN.includes(state.status)) {
    out.push({ kind: 'status_update', subject: '', dueAt: statusUpdateDueAt(state, policy) });
    for (const item of state.checklist) {
      if (item.doneAt || !item.dueAt) continue;
      // One customer-call reminder per call item: `customer_contact:acme`, or `customer_contact` for the generic item.
      out.push(isCallItem(item)
        ? { kind: 'customer_contact', subject: item.customer ?? '', dueAt: item.dueAt }
        : { kind: 'checklist_item', subject: item.id, dueAt: item.dueAt });
    }
    if (policy.reminders.noActivityMs > 0) {
      out.push({ kind: 'no_activity', subject: '', dueAt: iso(Date.parse(state.lastActivityAt) + policy.reminders.noActivityMs) });
    }
  }
  if (state.status === 'resolved' && state.times.resolvedAt && policy.reminders.resolvedNotClosedMs > 0) {
    out.push({ kind: 'resolved_not_closed', subject: '', dueAt: iso(Date.parse(state.times.resolvedAt) + policy.reminders.resolvedNotClosedMs) });
  }
  if (state.status === 'closed' && state.times.closedAt) {
    out.push({ kind: 'review_due', subject: '', dueAt: reviewDueAt(state.times.closedAt, sevOf(state, policy).reviewDue, policy.reportTimezone) });
  }
  return out;
}

/**
 * Quiet hours: when a level-1 channel reminder of `reminder` would go out
 * during the severity's quiet hours, the time to send it instead (the end of
 * the quiet hours); otherwise undefined. Status-update and customer-contact
 * reminders of customer-impacting severities are never silenced: a customer
 * waiting at 3 a.m. is still waiting, and the person on call is awake for the
 * incident anyway. Escalation DMs only follow a level-1 message, so deferring
 * level 1 defers the chain. The review reminder is a DM at 09:00 and is left alone.
 */
export function quietHoursDeferral(reminder: PlannedReminder, level: number, state: IncidentState, policy: Policy, now: Date): string | undefined {
  if (level !== 1 || reminder.kind === 'review_due') return undefined;
  const sev = findSeverity(policy, state.severity);
  if (!sev?.quietHours) return undefined;
  if (ESCALATING.includes(reminder.kind) && sev.customerImpacting) return undefined;
  return quietHoursEnd(sev.quietHours, now)?.toISOString();
}

/** Whether a level reaches anyone: 1 always (the channel), 2 a commander, 3 an escalation target. */
function reachable(level: number, state: IncidentState, policy: Policy): boolean {
  if (level === 1) return true;
  if (level === 2) return Boolean(state.roles.commander);
  return level === 3 && Boolean(policy.reminders.escalationTarget);
}

/** The level to send for a requested one: it, or the next one that reaches someone, else a new round at 1. */
function effectiveLevel(level: number, state: IncidentState, policy: Policy): number {
  for (let l = Math.max(1, level); l <= 3; l++) if (reachable(l, state, policy)) return l;
  return 1;
}

/** What one step of `reminder` at `level` sends at `now`, and when the next step is due. */
export function reminderStep(reminder: PlannedReminder, level: number, state: IncidentState, policy: Policy, now: Date): ReminderStep {
  const sev = sevOf(state, policy);
  const t = now.getTime();
  const commander = state.roles.commander;
  const owners = commander ? [commander] : [];
  const facts = (lvl: number, extra: Partial<ReminderFacts> = {}): ReminderFacts => ({
    kind: reminder.kind, level: lvl, incident: state.number, severity: state.severity, updateCadenceMs: sev.updateCadenceMs,
    overdueMs: t - Date.parse(reminder.dueAt), title: state.title,
    ...(state.channelId ? { channelId: state.channelId } : {}), ...(commander ? { commander } : {}), ...extra,
  });
  const channel = (mention: SlackUserId[], f: ReminderFacts): Message => ({ ...sendTo({ kind: 'incident' }), mention, facts: f });
  // Private means private: outside its own channel (a DM, the escalation target) a private
  // incident is named by its number only, without its title or channel.
  const outside = (m: Message): Message => {
    if (!state.private || m.to.kind === 'incident') return m;
    const { title: _t, channelId: _c, ...rest } = m.facts;
    return { ...m, facts: { ...rest, private: true } };
  };
  const commanderOrChannel = sendTo(commander ? { kind: 'user', id: commander } : { kind: 'incident' });
  const once = (s: Message): ReminderStep => ({ level: 1, ...s, nextLevel: 1 });

  switch (reminder.kind) {
    case 'status_update':
    case 'customer_contact': {
      const lvl = effectiveLevel(level, state, policy);
      let next = 1;
      for (let l = lvl + 1; l <= 3; l++) if (reachable(l, state, policy)) { next = l; break; }
      const nextDueAt = iso(t + (next === 1 ? sev.updateCadenceMs : sev.escalationGraceMs));
      const liaison = state.roles.customer_liaison;
      const mention = [...owners, ...(liaison && liaison !== commander ? [liaison] : [])];
      const callWho = callItemFor(state, reminder.subject)?.title;
      const f = facts(lvl, { ...(callWho ? { callWho } : {}), ...(lvl === 3 ? { commanderDmed: reachable(2, state, policy) } : {}) });
      const s: Message = lvl === 1 ? channel(mention, f)
        : lvl === 2 ? { ...commanderOrChannel, mention: owners, facts: f }
          : { ...sendTo(policy.reminders.escalationTarget ?? { kind: 'incident' }), mention: owners, facts: f };
      return { level: lvl, ...outside(s), nextLevel: next, nextDueAt };
    }
    case 'checklist_item': {
      const itemTitle = state.checklist.find((i) => i.id === reminder.subject)?.title ?? reminder.subject;
      return once(channel(owners, facts(1, { itemTitle })));
    }
    case 'no_activity':
      return once(channel(owners, facts(1, { quietMs: t - Date.parse(state.lastActivityAt) })));
    case 'resolved_not_closed': {
      const repeatMs = policy.reminders.resolvedNotClosedMs;
      const resolvedForMs = t - Date.parse(state.times.resolvedAt ?? reminder.dueAt);
      return { level: 1, ...channel(owners, facts(1, { resolvedForMs })), nextLevel: 1, ...(repeatMs > 0 ? { nextDueAt: iso(t + repeatMs) } : {}) };
    }
    case 'review_due':
      return once(outside({ ...commanderOrChannel, mention: owners, facts: facts(1) }));
  }
}

type Message = Pick<ReminderStep, 'to' | 'recipient' | 'mention' | 'facts'>;

/** The call item a customer-call reminder is about: the customer's own (subject), else the generic one. */
function callItemFor(state: IncidentState, subject: string): IncidentState['checklist'][number] | undefined {
  return subject
    ? state.checklist.find((i) => isCallItem(i) && i.customer === subject)
    : state.checklist.find((i) => i.id === CALL_CUSTOMER_ITEM);
}

/** A destination, and how the event log names it. */
function sendTo(to: ChannelRef): Pick<ReminderStep, 'to' | 'recipient'> {
  return { to, recipient: to.kind === 'incident' ? 'incident' : to.id };
}
