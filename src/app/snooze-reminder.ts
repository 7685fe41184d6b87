/**
 * Snoozes a reminder: `/incident snooze 30m [kind]` and the Snooze button on
 * a reminder message both end here. The reminder is held until now + the
 * duration; its escalation level is kept (a snooze delays the chain, it does
 * not reset it). A new plan for the reminder (say, a status update posted)
 * keeps the snooze only if it ends after the new due time.
 */
import type { PermissionRefusal } from '../domain/errors.ts';
import type { IncidentId } from '../domain/ids.ts';
import { checkAction } from '../domain/permissions.ts';
import { permissionsPolicy } from '../domain/policy.ts';
import { isReminderKind, parseReminderName, type ReminderKind } from '../domain/reminders.ts';
import { auditDenial } from './access.ts';
import { claimAndLock, type CommandMeta, type IncidentRef, type NotFound } from './apply-command.ts';
import { authorizeAction } from './authorize.ts';
import type { AppDeps, SnoozedReminder } from './ports.ts';
import { runInTransaction } from './run-in-transaction.ts';

/** What to snooze and for how long. */
export interface SnoozeInput {
  /** A kind, a word for one (`update`, `customer`, `checklist`, …) or a reminder name from a button. Default: the status update. */
  kind?: string;
  /** One checklist item; all pending reminders of the kind when absent. */
  subject?: string;
  durationMs: number;
}

/** Why a snooze was refused, as a code and its facts; surfaces put it in words. */
export type SnoozeError =
  | NotFound
  | PermissionRefusal
  | { code: 'reminder.unknown_kind'; params: { given: string } }
  | { code: 'reminder.bad_duration'; params: { maxMs: number } }
  | { code: 'reminder.none'; params: { number: number; kind: ReminderKind } };

/**
 * The snoozed reminders, or the refusal. `number` and `kind` say which
 * reminder; `firstDueAt` is the earliest snoozed reminder's due time (when it
 * is not before `until`, the snooze changed nothing). Surfaces word it.
 */
export type SnoozeOutcome =
  | {
      ok: true; incidentId: IncidentId; number: number; kind: ReminderKind; durationMs: number;
      until: string; reminders: SnoozedReminder[]; firstDueAt?: string; duplicate: boolean;
    }
  | { ok: false; error: SnoozeError };

/** Longest snooze: a day. Longer means the reminder is wrong, not early. */
export const MAX_SNOOZE_MS = 24 * 60 * 60_000;

const ALIASES: Record<string, ReminderKind> = {
  update: 'status_update', updates: 'status_update', status: 'status_update',
  customer: 'customer_contact', call: 'customer_contact', contact: 'customer_contact',
  checklist: 'checklist_item', item: 'checklist_item',
  activity: 'no_activity', quiet: 'no_activity', idle: 'no_activity',
  close: 'resolved_not_closed', resolved: 'resolved_not_closed',
  review: 'review_due', report: 'review_due',
};

/** Reads a kind as people type it; undefined when it is not one. */
export function parseSnoozeKind(text: string | undefined): { kind: ReminderKind; subject?: string } | undefined {
  const t = (text ?? '').trim();
  if (!t) return { kind: 'status_update' };
  const named = parseReminderName(t);
  if (named) return named.subject ? named : { kind: named.kind };
  const k = t.toLowerCase().replace(/[-\s]+/g, '_');
  if (isReminderKind(k)) return { kind: k };
  const alias = ALIASES[k];
  return alias ? { kind: alias } : undefined;
}

/**
 * Snoozes a reminder of the incident `ref` names for `durationMs` from now,
 * if the policy lets the person (`permissions.allow.snooze_reminder`): a
 * snooze holds back what the policy means to keep nagging, so it is asked
 * like any command, before the transaction and again under the lock.
 */
export async function snoozeReminder(deps: AppDeps, ref: IncidentRef, input: SnoozeInput, meta: CommandMeta): Promise<SnoozeOutcome> {
  const parsed = parseSnoozeKind(input.kind);
  if (!parsed) {
    return { ok: false, error: { code: 'reminder.unknown_kind', params: { given: input.kind ?? '' } } };
  }
  if (!Number.isFinite(input.durationMs) || input.durationMs <= 0 || input.durationMs > MAX_SNOOZE_MS) {
    return { ok: false, error: { code: 'reminder.bad_duration', params: { maxMs: MAX_SNOOZE_MS } } };
  }
  // Who may is looked up before the transaction: a slow directory must not hold the incident's lock.
  const allowed = await authorizeAction(deps, ref, 'snooze_reminder', meta);
  if (!allowed.ok) return allowed;
  const outcome = await runInTransaction(deps.store, async (uow): Promise<SnoozeOutcome> => {
    // Locked before the key is claimed, as on every path; the lock also waits for a sender that is sending this reminder right now.
    const claimed = await claimAndLock(uow, ref, meta.idempotencyKey);
    if (!claimed.ok) return claimed;
    const { incidentId, current: state, duplicate } = claimed.value;
    const which = { incidentId, number: state.number, kind: parsed.kind, durationMs: input.durationMs };
    if (duplicate) return { ok: true, ...which, until: deps.clock.now().toISOString(), reminders: [], duplicate: true };
    // Decided again against the locked incident: a role taken away since the check above holds.
    const refused = checkAction(permissionsPolicy(deps.policy), 'snooze_reminder', meta.actor, state, allowed.meta.access);
    if (refused) return { ok: false, error: refused };
    const now = deps.clock.now();
    const until = new Date(now.getTime() + input.durationMs);
    const rows = await uow.reminders.snoozeReminder(incidentId, parsed.kind, input.subject ?? parsed.subject, until, now);
    if (rows.length === 0) return { ok: false, error: { code: 'reminder.none', params: { number: state.number, kind: parsed.kind } } };
    const first = rows.reduce((a, b) => (a.dueAt <= b.dueAt ? a : b));
    return { ok: true, ...which, until: until.toISOString(), reminders: rows, firstDueAt: first.dueAt, duplicate: false };
  });
  // Refused under the lock (its roles changed meanwhile): reported like any refusal.
  if (!outcome.ok) auditDenial(deps, meta, outcome.error, 'id' in ref ? { id: ref.id } : undefined);
  return outcome;
}
