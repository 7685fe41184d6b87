/** PagerDuty: links to its incidents, the events it reports, and pages Kranz sends. */
import { domainError } from '../errors.ts';
import type { IncidentState } from '../incident.ts';
import { pagerDutyEventSummary } from '../report/pagerduty-event.ts';
import type { HandlerGroup } from './context.ts';

/**
 * Whether linking a PagerDuty incident that PagerDuty confirmed invites its service's on-call responders
 * into the incident channel: `invite` while the incident is open and public; `private`: a private
 * incident's channel is opened to people by its own people, not by an on-call schedule; `over`: resolved
 * or closed, the incident needs no responders, and those on call now may not be the ones who responded.
 * The answer to the person who linked says the same (`adapters/slack/strings/replies.ts`).
 */
export function linkInvitesOnCall(state: Pick<IncidentState, 'status' | 'private'>): 'invite' | 'private' | 'over' {
  if (state.status === 'resolved' || state.status === 'closed') return 'over';
  return state.private ? 'private' : 'invite';
}

export const pagerDutyHandlers: HandlerGroup<'link_pagerduty' | 'unlink_pagerduty' | 'record_pagerduty_event' | 'page'> = {
  /**
   * A person links a PagerDuty incident. Whether another Kranz incident holds it is the app layer's
   * question (it needs the links table, read under this incident's lock); the rules here are that
   * linking it twice changes nothing, and says so, and that a link PagerDuty confirmed (it named the
   * incident's service) invites that service's on-call responders, as a trigger that opens an incident does
   * (`linkInvitesOnCall`).
   */
  link_pagerduty(command, state, step) {
    const linked = state.pagerDutyIncidents.find((p) => p.id === command.pdIncidentId);
    if (linked) {
      return domainError('pagerduty.already_linked', { number: state.number, pdIncidentId: linked.id, ...(linked.number !== undefined ? { pdIncidentNumber: linked.number } : {}) });
    }
    const { type: _t, title, ...data } = command;
    step.emit('pagerduty_linked', data);
    const by = step.env.actor.kind === 'user' ? step.env.actor.userId : undefined;
    step.fx({ kind: 'slack.refresh_slot', slot: 'summary' }, {
      kind: 'slack.post', to: { kind: 'incident' },
      message: {
        template: 'pagerduty_linked', pdIncidentId: data.pdIncidentId,
        ...(data.pdIncidentNumber !== undefined ? { pdIncidentNumber: data.pdIncidentNumber } : {}),
        ...(data.url ? { url: data.url } : {}), ...(title ? { title } : {}), ...(by ? { by } : {}),
      },
    });
    // After the notice, so the channel reads why they arrive. Linked by id alone (PagerDuty not asked), no service: nobody.
    if (data.serviceId && linkInvitesOnCall(state) === 'invite') step.fx({ kind: 'pagerduty.invite_oncall', serviceId: data.serviceId });
    return undefined;
  },

  /**
   * A person undoes a link. The links table row and the mark that settles the PagerDuty incident's later
   * events are the app layer's (app/unlink-pagerduty.ts); here, only a PagerDuty incident linked to this
   * one can be unlinked, so a typo or a second unlink is refused instead of recording a change that is none.
   * The channel is told, named as the link named it (number and URL when known).
   */
  unlink_pagerduty(command, state, step) {
    const linked = state.pagerDutyIncidents.find((p) => p.id === command.pdIncidentId);
    if (!linked) return domainError('pagerduty.not_linked', { number: state.number, pdIncidentId: command.pdIncidentId });
    const number = linked.number !== undefined ? { pdIncidentNumber: linked.number } : {};
    step.emit('pagerduty_unlinked', { pdIncidentId: linked.id, ...number });
    // The summary names the linked PagerDuty incidents; the channel hears who unlinked which, as it heard the link.
    const by = step.env.actor.kind === 'user' ? step.env.actor.userId : undefined;
    step.fx({ kind: 'slack.refresh_slot', slot: 'summary' }, {
      kind: 'slack.post', to: { kind: 'incident' },
      message: { template: 'pagerduty_unlinked', pdIncidentId: linked.id, ...number, ...(linked.url ? { url: linked.url } : {}), ...(by ? { by } : {}) },
    });
    return undefined;
  },

  record_pagerduty_event(command, _state, step) {
    const { eventType, facts } = command;
    const summary = pagerDutyEventSummary(eventType, facts);
    step.emit('pagerduty_event', { eventType, pdIncidentId: command.pdIncidentId, summary, facts });
    const s = command.suggestion;
    const action = s === 'resolve' ? { kind: 'resolve' as const } : s ? { kind: 'change_severity' as const, severity: s.severity } : undefined;
    step.fx({ kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'pagerduty_event', eventType, text: summary, facts, ...(action ? { action } : {}) } });
    return undefined;
  },

  page(command, state, step) {
    // A person is paged as a responder on the linked PagerDuty incident; without one there is nothing to add them to.
    if (command.target.kind === 'user' && state.pagerDutyIncidents.length === 0) return domainError('page.not_linked', { number: state.number });
    step.fx({ kind: 'pagerduty.page', target: command.target, message: command.message });
    return undefined;
  },
};
