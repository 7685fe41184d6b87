/**
 * Turns a transition's effects into outbox rows. The order key decides what
 * must stay in order: everything in one incident channel shares a key (so the
 * channel exists before anything is posted in it), other channels and DMs get
 * their own, PagerDuty calls are ordered per PagerDuty incident, status page
 * publications per incident, customer emails per incident and recipient.
 */
import type { ChannelRef, Effect } from '../domain/effects.ts';
import type { NewOutboxRow } from './ports.ts';

export function orderKeyFor(incidentId: string, effect: Effect): string {
  switch (effect.kind) {
    case 'slack.post':
      return channelOrderKey(incidentId, effect.to);
    case 'pagerduty.note':
    case 'pagerduty.resolve':
      return `pagerduty:${effect.pdIncidentId}`;
    case 'pagerduty.page':
      return `pagerduty:page:${incidentId}`;
    // One status page incident per Kranz incident: created first, then its updates in order.
    case 'statuspage.publish':
      return `statuspage:${incidentId}`;
    // One thread per incident and recipient, in order; recipients do not wait for each other.
    case 'email.send':
      return `email:${incidentId}:${effect.to.toLowerCase()}`;
    default:
      // Creating, inviting, topic, slots, report, archive, on-call invites: all in the incident channel.
      return `slack:incident:${incidentId}`;
  }
}

export function channelOrderKey(incidentId: string, to: ChannelRef): string {
  if (to.kind === 'incident') return `slack:incident:${incidentId}`;
  return to.kind === 'channel' ? `slack:channel:${to.id}` : `slack:user:${to.id}`;
}

export function effectsToRows(incidentId: string, effects: readonly Effect[], commandKey: string): NewOutboxRow[] {
  return effects.map((effect, i) => {
    const [target, op] = effect.kind.split('.') as [string, string];
    return {
      incidentId,
      target,
      orderKey: orderKeyFor(incidentId, effect),
      op,
      payload: effect,
      idempotencyKey: `${commandKey}:fx${i}`,
    };
  });
}
