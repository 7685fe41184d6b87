/**
 * The demo's key figures, read from the incident's event log (the same facts
 * the report is drafted from): how fast the customer heard from us, how many
 * updates and reminders went out, how long the impact lasted and what it cost
 * against the SLA.
 */
import type { IncidentEvent, IncidentEventOf } from '../../domain/events.ts';
import { findCustomer, findSeverity, type Policy } from '../../domain/policy.ts';
import { reportFigures } from '../../domain/report/index.ts';
import { slaImpact } from '../../domain/report/sla.ts';

const MINUTE = 60_000;

/** The figures the demo prints at the end. */
export interface DemoFigures {
  /** Minutes from declaration to the logged call to the customer; undefined when never logged. */
  customerContactMinutes: number | undefined;
  /** The severity's deadline for that call, in minutes. */
  customerContactDeadlineMinutes: number;
  customerContactedInTime: boolean;
  /** Status updates posted (each also relayed to the customer and stakeholder channels). */
  updatesSent: number;
  /** Channels each update was relayed to, summed over the updates. */
  relays: number;
  /** Reminders Kranz sent (each step of an escalation counts). */
  remindersSent: number;
  /** The reminders' names, e.g. `status_update`. */
  reminders: string[];
  /** From impact start to service restored, as the report computes it. */
  impactMinutes: number;
  /** Share of the first affected customer's monthly error budget this incident used, in percent. */
  slaBudgetUsedPercent: number;
  slaBudgetMinutes: number;
  serviceCreditPercent: number;
  /** Corrective actions by kind. */
  actions: { prevent: number; failBetter: number };
}

const minutesBetween = (from: string, to: string): number => (Date.parse(to) - Date.parse(from)) / MINUTE;

function ofType<T extends IncidentEvent['type']>(events: readonly IncidentEvent[], type: T): IncidentEventOf<T>[] {
  return events.filter((e) => e.type === type) as IncidentEventOf<T>[];
}

/** Computes the figures from an incident's events under `policy`. */
export function computeFigures(events: readonly IncidentEvent[], policy: Policy): DemoFigures {
  const declared = ofType(events, 'declared')[0];
  if (!declared) throw new Error('the incident has no declared event');
  const declaredAt = declared.occurredAt;
  const contacted = ofType(events, 'customer_contacted')[0];
  const deadline = (findSeverity(policy, declared.data.severity)?.customerContactDeadlineMs ?? 0) / MINUTE;
  const contactMinutes = contacted ? minutesBetween(declaredAt, contacted.occurredAt) : undefined;
  const updates = ofType(events, 'status_update_posted');
  const reminders = ofType(events, 'reminder_sent');
  // The report's own figures: impact start (as corrected) to service restored (PagerDuty's resolve).
  const impactMinutes = reportFigures(events, policy).impactMinutes;
  const customer = declared.data.customers[0] ? findCustomer(policy, declared.data.customers[0]) : undefined;
  const sla = customer ? slaImpact(impactMinutes, customer.sla, customer.serviceCredits) : undefined;
  const actions = ofType(events, 'action_item_added');
  return {
    customerContactMinutes: contactMinutes,
    customerContactDeadlineMinutes: deadline,
    customerContactedInTime: contactMinutes !== undefined && contactMinutes <= deadline,
    updatesSent: updates.length,
    relays: updates.reduce((n, u) => n + u.data.relayedTo.length, 0),
    remindersSent: reminders.length,
    reminders: reminders.map((r) => r.data.reminder),
    impactMinutes,
    slaBudgetUsedPercent: sla?.consumedPercent ?? 0,
    slaBudgetMinutes: sla?.budgetMinutes ?? 0,
    serviceCreditPercent: sla?.creditPercent ?? 0,
    actions: { prevent: actions.filter((a) => a.data.kind === 'prevent').length, failBetter: actions.filter((a) => a.data.kind === 'fail_better').length },
  };
}

/** The figures as the lines the demo prints. */
export function figureLines(f: DemoFigures, customerName: string): string[] {
  const n = (x: number, digits = 1): string => String(Math.round(x * 10 ** digits) / 10 ** digits);
  return [
    `  Time to customer contact: ${f.customerContactMinutes === undefined ? 'never logged' : `${n(f.customerContactMinutes)} min`} (deadline ${n(f.customerContactDeadlineMinutes)} min: ${f.customerContactedInTime ? 'met' : 'MISSED'})`,
    `  Status updates sent:      ${f.updatesSent}, each relayed (${f.relays} relays in all)`,
    `  Reminders sent:           ${f.remindersSent}${f.reminders.length ? ` (${f.reminders.join(', ')})` : ''}`,
    `  Impact:                   ${n(f.impactMinutes)} min`,
    `  SLA budget used:          ${n(f.slaBudgetUsedPercent)} % of ${customerName}'s ${n(f.slaBudgetMinutes)}-minute monthly error budget; service credit ${n(f.serviceCreditPercent)} %`,
    `  Actions:                  ${f.actions.prevent} prevent it, ${f.actions.failBetter} fail better`,
  ];
}
