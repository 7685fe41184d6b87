/** Status updates (and where they are relayed), customer contact and the checklist. */
import { SETTABLE_STATUSES } from '../commands.ts';
import { isCallItem } from '../call-items.ts';
import { domainError } from '../errors.ts';
import type { Status } from '../events.ts';
import type { SlackChannelId } from '../ids.ts';
import type { IncidentState } from '../incident.ts';
import { findCustomer, findSeverity, privacyPolicy, type Policy } from '../policy.ts';
import type { HandlerGroup } from './context.ts';
import { planCustomerUpdate, resolutionEmails, resolvePublication } from '../customer-updates.ts';

/** The default checklist's "post the first status update" item, ticked by the first update. */
export const FIRST_UPDATE_ITEM = 'first-update';

const DEFAULT_CADENCE_MS = 30 * 60_000;

/**
 * Customer-facing channels of the affected customers, then the stakeholder
 * channel. A private incident is relayed to neither unless `privacy` turns
 * that relay on: its title and updates are for its channel's members.
 */
export function relayTargets(policy: Policy, state: IncidentState): SlackChannelId[] {
  const ids: SlackChannelId[] = [];
  const privacy = privacyPolicy(policy);
  if (!state.private || privacy.relayPrivateToCustomers) {
    for (const id of state.customers) {
      const ch = policy.customers.find((c) => c.id === id)?.slackChannel;
      if (ch && !ids.includes(ch)) ids.push(ch);
    }
  }
  const stakeholders = !state.private || privacy.relayPrivateToStakeholders;
  if (stakeholders && policy.stakeholderChannel && !ids.includes(policy.stakeholderChannel)) ids.push(policy.stakeholderChannel);
  return ids;
}

export const updateHandlers: HandlerGroup<'post_status_update' | 'record_customer_contact' | 'check_item'> = {
  post_status_update(command, state, step) {
    const { policy } = step;
    const status = command.status ?? (state.status === 'resolved' ? 'resolved' : state.status);
    if (!([...SETTABLE_STATUSES, 'resolved'] as Status[]).includes(status)) {
      return domainError('status.invalid', { given: status, allowed: SETTABLE_STATUSES, closingCommands: false });
    }
    const cadence = command.nextUpdateInMs ?? findSeverity(policy, state.severity)?.updateCadenceMs ?? DEFAULT_CADENCE_MS;
    const relayedTo = relayTargets(policy, state);
    const summary = command.summary.trim();
    const nextUpdateAt = new Date(step.at.getTime() + cadence).toISOString();
    // The event id is not known before emitting, so the plan is made twice: once to record, once with the id for the effects.
    const plan = planCustomerUpdate(policy, state, { status, summary, nextUpdateAt }, command.customer);
    if (command.customer && plan.blocked === 'title_required' && (command.customer.approved || !plan.needsApproval)) {
      return domainError('input.empty', { field: 'customer-facing title' });
    }
    // Cleaned for customers, it would say nothing: refused here too, whatever surface sent it.
    if (plan.blocked === 'no_words') return domainError('customer_update.no_words', { parts: plan.wordless ?? [] });
    const goesOut = Boolean(plan.statusPage || plan.emails.length) && plan.title;
    // An update that resolves the incident without publishing (unticked, or no longer customer-impacting) still
    // resolves the open page incident: nothing else would, since `/incident resolve` is refused from here on.
    const resolving = status === 'resolved' && state.status !== 'resolved';
    const pageResolve = resolving && !(goesOut && plan.statusPage) ? resolvePublication(state) : undefined;
    // Likewise the contacts emailed before hear of the resolution (in its generic words) when this update is not emailed.
    const resolution = resolving && !(goesOut && plan.emails.length) ? resolutionEmails(policy, state) : [];
    const page = goesOut && plan.statusPage
      ? { pageId: plan.statusPage.pageId, action: plan.statusPage.action === 'create' ? 'create' as const : 'update' as const, components: plan.statusPage.components }
      : pageResolve ? { pageId: pageResolve.pageId, action: 'update' as const, components: pageResolve.components } : undefined;
    const emailedTo = (goesOut && plan.emails.length ? plan.emails : resolution).map((m) => m.to);
    const customer = goesOut || page || emailedTo.length ? {
      title: (goesOut ? plan.title : undefined) ?? state.customerFacing?.title ?? '',
      ...(page ? { statusPage: page } : {}),
      ...(emailedTo.length ? { emailedTo } : {}),
    } : undefined;
    const update = step.emit('status_update_posted', { status, summary, nextUpdateAt, relayedTo, ...(customer ? { customer } : {}) });
    // Posting the first update is itself a checklist item: tick it rather than ask for a click.
    const first = state.checklist.find((i) => i.id === FIRST_UPDATE_ITEM && !i.doneAt);
    if (first) {
      step.emit('checklist_item_done', { itemId: first.id, title: first.title });
      step.fx({ kind: 'slack.refresh_slot', slot: 'checklist' });
    }
    step.fx({ kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'status_update', eventId: update.id } });
    for (const id of relayedTo) step.fx({ kind: 'slack.post', to: { kind: 'channel', id }, message: { template: 'status_update', eventId: update.id } });
    const as = policy.pagerduty.mirrorUpdatesAs;
    if (as !== 'none') {
      for (const pd of state.pagerDutyIncidents) step.fx({ kind: 'pagerduty.note', pdIncidentId: pd.id, content: `[${status}] ${summary}`, as });
    }
    if (goesOut) {
      const withId = planCustomerUpdate(policy, state, { status, summary, nextUpdateAt, updateEventId: update.id }, command.customer);
      if (withId.statusPage) step.fx(withId.statusPage);
      step.fx(...withId.emails);
    }
    if (pageResolve) step.fx(pageResolve);
    // Planned before the update had an id: each email names the update it tells of.
    step.fx(...resolution.map((m) => ({ ...m, updateEventId: update.id })));
    step.fx({ kind: 'slack.set_topic' }, { kind: 'slack.refresh_slot', slot: 'summary' });
    return undefined;
  },

  record_customer_contact(command, state, step) {
    let customer: string | undefined;
    if (command.customer) {
      const c = findCustomer(step.policy, command.customer);
      if (!c) return domainError('customer.unknown', { given: command.customer });
      // A call to a customer not on this incident would count for no one: say so rather than record it.
      if (!state.customers.includes(c.id)) return domainError('customer.not_attached', { number: state.number, given: command.customer });
      customer = c.id;
    } else if (state.customers.length === 1) {
      // With one customer attached, a call to "the customer" is a call to them: a customer attached later is not counted as called.
      customer = state.customers[0];
    }
    step.emit('customer_contacted', { details: command.details.trim(), ...(customer ? { customer } : {}) });
    step.fx({ kind: 'slack.refresh_slot', slot: 'checklist' }, { kind: 'slack.refresh_slot', slot: 'summary' });
    return undefined;
  },

  check_item(command, state, step) {
    const item = state.checklist.find((i) => i.id === command.itemId);
    if (!item) return domainError('checklist.unknown_item', { itemId: command.itemId });
    if (item.doneAt) return domainError('checklist.already_done', { title: item.title, ...(item.doneBy ? { doneBy: item.doneBy } : {}) });
    if (isCallItem(item)) {
      // Ticking a customer's call item is the call to that customer, and to no other. The generic item (or an
      // older incident's single one) is the call to the customer, as `/incident customer-contacted` without a name
      // records it: theirs with one customer attached, else counted for each. Either way the report times it.
      const customer = item.customer ?? (state.customers.length === 1 ? state.customers[0] : undefined);
      step.emit('customer_contacted', { ...(customer ? { customer } : {}), details: item.title, via: 'checklist' });
      step.fx({ kind: 'slack.refresh_slot', slot: 'checklist' }, { kind: 'slack.refresh_slot', slot: 'summary' });
      return undefined;
    }
    step.emit('checklist_item_done', { itemId: item.id, title: item.title });
    step.fx({ kind: 'slack.refresh_slot', slot: 'checklist' });
    return undefined;
  },
};
