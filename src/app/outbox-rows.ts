/**
 * The outbox contract. A row's payload names its target and op as
 * `kind: '<target>.<op>'` (the domain's effects already do; adapters add ops
 * of their own in their `outbox-ops.ts`); rows are built only by `outboxRow`,
 * and order keys only by `orderKeys`, so a new target (Statuspage, email)
 * adds a key there and an op union plus schema beside its deliverer, which
 * decodes each row with `decodePayload` before acting on it.
 *
 * The order key decides what must stay in order: everything in one incident
 * channel shares a key (so the channel exists before anything is posted in
 * it), other channels and DMs get their own, PagerDuty calls are ordered per
 * PagerDuty incident, status page publications per incident, customer emails
 * per incident and recipient.
 */
import type { ChannelRef, Effect } from '../domain/effects.ts';
import { err, ok, type Result } from '../lib/result.ts';
import type { ClaimedOutboxRow, NewOutboxRow } from './ports.ts';

/** What every outbox payload carries: its target and op, as `<target>.<op>`. */
export interface OutboxPayload {
  kind: `${string}.${string}`;
}

/** Every order key Kranz writes. Keys already stored keep these shapes. */
export const orderKeys = {
  /** The incident channel, and everything that needs it (creating it, topic, slots, report, archive). */
  incidentChannel: (incidentId: string): string => `slack:incident:${incidentId}`,
  slackChannel: (channelId: string): string => `slack:channel:${channelId}`,
  slackUser: (userId: string): string => `slack:user:${userId}`,
  pagerDutyIncident: (pdIncidentId: string): string => `pagerduty:${pdIncidentId}`,
  /** Pages of one Kranz incident (no PagerDuty incident exists yet). */
  pagerDutyPages: (incidentId: string): string => `pagerduty:page:${incidentId}`,
  statusPage: (incidentId: string): string => `statuspage:${incidentId}`,
  email: (incidentId: string, to: string): string => `email:${incidentId}:${to.toLowerCase()}`,
};

/** One outbox row: target and op come from the payload's `kind`. */
export function outboxRow<P extends OutboxPayload>(payload: P, o: { incidentId?: string; orderKey: string; idempotencyKey: string }): NewOutboxRow {
  const dot = payload.kind.indexOf('.');
  return {
    ...(o.incidentId !== undefined ? { incidentId: o.incidentId } : {}),
    target: payload.kind.slice(0, dot),
    orderKey: o.orderKey,
    op: payload.kind.slice(dot + 1),
    payload,
    idempotencyKey: o.idempotencyKey,
  };
}

/** A decoder for a target's payloads (a zod schema fits); app/ stays free of the library. */
export interface PayloadSchema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: { message: string } };
}

/**
 * Decodes a row at the deliverer's boundary. A payload that does not decode
 * (a row from a newer Kranz, a hand-edited row) is an error the deliverer
 * returns as permanent, so it goes to `dead` with the reason instead of being
 * half-delivered.
 */
export function decodePayload<T>(schema: PayloadSchema<T>, row: Pick<ClaimedOutboxRow, 'target' | 'op' | 'payload'>): Result<T, string> {
  const r = schema.safeParse(row.payload);
  return r.success ? ok(r.data) : err(`undecodable ${row.target}.${row.op} payload: ${r.error.message.replace(/\s+/g, ' ').slice(0, 300)}`);
}

export function orderKeyFor(incidentId: string, effect: Effect): string {
  switch (effect.kind) {
    case 'slack.post':
      return channelOrderKey(incidentId, effect.to);
    case 'pagerduty.note':
    case 'pagerduty.resolve':
      return orderKeys.pagerDutyIncident(effect.pdIncidentId);
    case 'pagerduty.page':
      return orderKeys.pagerDutyPages(incidentId);
    // One status page incident per Kranz incident: created first, then its updates in order.
    case 'statuspage.publish':
      return orderKeys.statusPage(incidentId);
    // One thread per incident and recipient, in order; recipients do not wait for each other.
    case 'email.send':
      return orderKeys.email(incidentId, effect.to);
    default:
      // Creating, inviting, topic, slots, report, archive, on-call invites: all in the incident channel.
      return orderKeys.incidentChannel(incidentId);
  }
}

export function channelOrderKey(incidentId: string, to: ChannelRef): string {
  if (to.kind === 'incident') return orderKeys.incidentChannel(incidentId);
  return to.kind === 'channel' ? orderKeys.slackChannel(to.id) : orderKeys.slackUser(to.id);
}

export function effectsToRows(incidentId: string, effects: readonly Effect[], commandKey: string): NewOutboxRow[] {
  return effects.map((effect, i) => outboxRow(effect, { incidentId, orderKey: orderKeyFor(incidentId, effect), idempotencyKey: `${commandKey}:fx${i}` }));
}
