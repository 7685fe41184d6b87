/**
 * Expected failures of a command, as values: a code and the facts behind it.
 * The domain says what went wrong; each surface (the Slack adapter's
 * `strings/errors.ts`) says it in words.
 */
import type { WordlessPart } from './customer-updates.ts';
import type { Status } from './events.ts';
import type { PermissionAction, WhoMay } from './permissions-policy.ts';

/** The parameters each code carries. */
export interface DomainErrorParams {
  'incident.not_declared': Record<string, never>;
  'incident.already_declared': { number: number };
  'incident.closed': { number: number };
  'incident.not_closed': { number: number };
  'incident.already_resolved': { number: number };
  'incident.not_resolved': { number: number };
  'severity.unknown': { given: string; known: string[] };
  'severity.unchanged': { number: number; severity: string };
  /** `closingCommands`: the status was one that `resolve`/`close` set, so say so. */
  'status.invalid': { given: string; allowed: readonly Status[]; closingCommands: boolean };
  'role.unknown': { given: string };
  'role.not_member': { userId: string };
  'checklist.unknown_item': { itemId: string };
  'checklist.already_done': { title: string; doneBy?: string };
  'input.empty': { field: string };
  'input.too_long': { field: string; length: number; max: number };
  /** `known` is set when the surface should list the configured customers. */
  'customer.unknown': { given: string; known?: string[] };
  'note.unknown_message': { messageTs: string };
  /**
   * A flag of a Slack message Kranz knows was deleted (a 📌 or a pin that
   * reached it late): it would bring the deleted text back, so it records nothing.
   */
  'note.message_deleted': { messageTs: string };
  'page.not_linked': { number: number };
  /** The PagerDuty incident is linked to this incident already: linking it again changes nothing. */
  'pagerduty.already_linked': { number: number; pdIncidentId: string; pdIncidentNumber?: number };
  /** The PagerDuty incident to unlink is not linked to this incident (never was, or unlinked already). */
  'pagerduty.not_linked': { number: number; pdIncidentId: string };
  'customer.already_attached': { number: number; name: string };
  'customer.not_attached': { number: number; given: string };
  'customer.no_channel': { name: string };
  /** Sending by email needs an address for the customer and a mail server (SMTP_URL, KRANZ_MAIL_FROM). */
  'customer.no_email': { name: string; missing: 'address' | 'mail_server' };
  /**
   * A customer-facing update whose summary (or title, where published) has none
   * of its writer's words left once cleaned for customers: nothing is published
   * that would reach them empty. `parts` names each such part and what was taken out.
   */
  'customer_update.no_words': { parts: WordlessPart[] };
  'incident.already_acknowledged': { number: number; at: string };
  'time.invalid': { given: string };
  'time.in_future': { given: string };
  /** The person may not do this; `who` is who may (policy `permissions`). `number` is absent for `declare`. */
  'permission.denied': { action: PermissionAction; number?: number; who: WhoMay };
  /** Slack could not say whether the person is in the channel or a user group: refused, fail closed. */
  'permission.unverified': { action: PermissionAction; number?: number; check: 'channel' | 'user_group' };
}

export type DomainErrorCode = keyof DomainErrorParams;

/** One refusal: `{ code, params }`, discriminated by `code`. */
export type DomainError = { [C in DomainErrorCode]: { code: C; params: DomainErrorParams[C] } }[DomainErrorCode];

/** A refusal by the permissions policy: what `checkAction` answers, for commands and for actions that are not commands (a snooze) alike. */
export type PermissionRefusal = Extract<DomainError, { code: 'permission.denied' | 'permission.unverified' }>;

export const domainError = <C extends DomainErrorCode>(code: C, params: DomainErrorParams[C]): DomainError =>
  ({ code, params }) as DomainError;
