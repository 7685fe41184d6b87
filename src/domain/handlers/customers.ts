/**
 * Customers attached at any time, and the customer reports drafted for them.
 * Attaching puts the customer's own call item on the checklist, detaching
 * takes it off while it is open (`handlers/call-items.ts`)
 * and starts relays to its channel (`relayTargets` reads the attached list).
 * Sending a customer report is the one way anything reaches a customer's
 * channel outside status updates, and it only ever follows a person's click.
 */
import type { Command } from '../commands.ts';
import { outletsOf } from '../customer-updates.ts';
import type { Effect } from '../effects.ts';
import { domainError, type DomainError } from '../errors.ts';
import type { IncidentState } from '../incident.ts';
import { customerEmails, findCustomer, type CustomerPolicy } from '../policy.ts';
import { callItemsOnAttach, callItemsOnDetach } from './call-items.ts';
import type { HandlerGroup, Step } from './context.ts';

export const customerHandlers: HandlerGroup<'attach_customer' | 'detach_customer' | 'edit_customer_report' | 'record_customer_report' | 'send_customer_report'> = {
  attach_customer(command, state, step) {
    const c = findCustomer(step.policy, command.customer);
    if (!c) return domainError('customer.unknown', { given: command.customer, known: step.policy.customers.map((x) => x.id) });
    if (state.customers.includes(c.id)) return domainError('customer.already_attached', { number: state.number, name: c.name });
    step.emit('customer_attached', { customer: c.id, via: command.via, policy: structuredClone(c), checklist: callItemsOnAttach(state, c, step.policy, step.at) });
    step.fx(
      { kind: 'slack.refresh_slot', slot: 'checklist' },
      { kind: 'slack.refresh_slot', slot: 'summary' },
      { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'customer_attached', customer: c.id, via: command.via } },
    );
    return undefined;
  },

  detach_customer(command, state, step) {
    const c = findCustomer(step.policy, command.customer) ?? state.policy?.customers.find((x) => x.id === command.customer);
    const id = c?.id ?? command.customer;
    if (!state.customers.includes(id)) return domainError('customer.not_attached', { number: state.number, given: command.customer });
    const checklist = callItemsOnDetach(state, id, step.policy);
    step.emit('customer_detached', { customer: id, checklist });
    // Their open call item goes with them, and the notice says so; a done one stays on the checklist.
    const callRemoved = state.checklist.some((i) => !i.doneAt && i.customer === id && checklist.remove?.includes(i.id));
    step.fx(
      { kind: 'slack.refresh_slot', slot: 'checklist' },
      { kind: 'slack.refresh_slot', slot: 'summary' },
      { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'customer_detached', customer: id, ...(callRemoved ? { callRemoved } : {}) } },
    );
    return undefined;
  },

  edit_customer_report(command, state, step) {
    if (command.customer && !state.customers.includes(command.customer)) return domainError('customer.not_attached', { number: state.number, given: command.customer });
    step.emit('customer_report_edited', {
      part: command.part,
      ...(command.customer ? { customer: command.customer } : {}),
      ...(command.withheld ? { withheld: true } : { text: command.text ?? '' }),
    });
    return undefined;
  },

  record_customer_report(command, state, step) {
    if (!state.customers.includes(command.customer)) return domainError('customer.not_attached', { number: state.number, given: command.customer });
    step.emit('customer_report_drafted', { customer: command.customer, length: command.markdown.length, sha256: command.sha256 });
    const name = state.policy?.customers.find((c) => c.id === command.customer)?.name ?? findCustomer(step.policy, command.customer)?.name ?? command.customer;
    step.fx({ kind: 'slack.publish_customer_report', customer: command.customer, customerName: name, markdown: command.markdown, sha256: command.sha256 });
    return undefined;
  },

  send_customer_report(command, state, step) {
    if (!state.customers.includes(command.customer)) return domainError('customer.not_attached', { number: state.number, given: command.customer });
    const c = state.policy?.customers.find((x) => x.id === command.customer) ?? findCustomer(step.policy, command.customer);
    if (command.via === 'email') return sendByEmail(command, state, step, c);
    const channel = c?.slackChannel;
    if (!channel) return domainError('customer.no_channel', { name: c?.name ?? command.customer });
    step.emit('customer_report_sent', { customer: command.customer, sha256: command.sha256, to: channel, via: 'slack' });
    step.fx(
      { kind: 'slack.publish_document', channel, title: `Incident report: ${c?.name ?? command.customer}`, filename: `INC-${state.number}-report-${command.customer}.md`, markdown: command.markdown },
      { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'customer_report_sent', customer: command.customer, channel } },
    );
    return undefined;
  },
};

/**
 * The reviewed customer report to the customer's contacts (main contact and
 * notify_emails), one email each, in the thread of the status updates this
 * incident emailed them. Needs an address and a mail server.
 */
function sendByEmail(command: Extract<Command, { type: 'send_customer_report' }>, state: IncidentState, step: Step, c: CustomerPolicy | undefined): DomainError | undefined {
  const name = c?.name ?? command.customer;
  if (!outletsOf(step.policy).email) return domainError('customer.no_email', { name, missing: 'mail_server' });
  const to = c ? customerEmails(c) : [];
  if (to.length === 0) return domainError('customer.no_email', { name, missing: 'address' });
  step.emit('customer_report_sent', { customer: command.customer, sha256: command.sha256, to: to.join(', '), via: 'email' });
  const emailed = state.customerFacing?.emailedUpdates ?? 0;
  step.fx(
    ...to.map((address): Effect => ({
      kind: 'email.send', to: address, customerId: command.customer, subject: `[INC-${state.number}] Incident report for ${name}`, text: command.markdown, format: 'markdown',
      // Keyed by the reviewed text: a retry resends the same Message-ID; a later, re-reviewed report is a new message.
      messageKey: `report-${command.sha256.slice(0, 16)}`, previousKeys: Array.from({ length: emailed }, (_, i) => `u${i + 1}`), report: command.customer,
    })),
    { kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'customer_report_sent', customer: command.customer, emails: to } },
  );
  return undefined;
}
