/** Status updates (and where they are relayed), customer contact and the checklist. */
import { SETTABLE_STATUSES } from '../commands.ts';
import { domainError } from '../errors.ts';
import type { Status } from '../events.ts';
import type { SlackChannelId } from '../ids.ts';
import type { IncidentState } from '../incident.ts';
import { findCustomer, findSeverity, type Policy } from '../policy.ts';
import type { HandlerGroup } from './context.ts';

/** The default checklist's "post the first status update" item, ticked by the first update. */
export const FIRST_UPDATE_ITEM = 'first-update';

const DEFAULT_CADENCE_MS = 30 * 60_000;

/** Customer-facing channels of the affected customers, then the stakeholder channel. */
export function relayTargets(policy: Policy, state: IncidentState): SlackChannelId[] {
  const ids: SlackChannelId[] = [];
  if (!state.private) {
    for (const id of state.customers) {
      const ch = policy.customers.find((c) => c.id === id)?.slackChannel;
      if (ch && !ids.includes(ch)) ids.push(ch);
    }
  }
  if (policy.stakeholderChannel && !ids.includes(policy.stakeholderChannel)) ids.push(policy.stakeholderChannel);
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
    const update = step.emit('status_update_posted', { status, summary, nextUpdateAt: new Date(step.at.getTime() + cadence).toISOString(), relayedTo });
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
    step.fx({ kind: 'slack.set_topic' }, { kind: 'slack.refresh_slot', slot: 'summary' });
    return undefined;
  },

  record_customer_contact(command, _state, step) {
    let customer: string | undefined;
    if (command.customer) {
      const c = findCustomer(step.policy, command.customer);
      if (!c) return domainError('customer.unknown', { given: command.customer });
      customer = c.id;
    }
    step.emit('customer_contacted', { details: command.details.trim(), ...(customer ? { customer } : {}) });
    step.fx({ kind: 'slack.refresh_slot', slot: 'checklist' }, { kind: 'slack.refresh_slot', slot: 'summary' });
    return undefined;
  },

  check_item(command, state, step) {
    const item = state.checklist.find((i) => i.id === command.itemId);
    if (!item) return domainError('checklist.unknown_item', { itemId: command.itemId });
    if (item.doneAt) return domainError('checklist.already_done', { title: item.title, ...(item.doneBy ? { doneBy: item.doneBy } : {}) });
    step.emit('checklist_item_done', { itemId: item.id, title: item.title });
    step.fx({ kind: 'slack.refresh_slot', slot: 'checklist' });
    return undefined;
  },
};
