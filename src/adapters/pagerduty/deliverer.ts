/**
 * The PagerDuty outbox target: notes and status updates mirrored from Kranz,
 * resolving the PagerDuty incident, paging a service, and inviting the
 * service's on-call responders into the incident channel (PagerDuty on-calls
 * → their emails → Slack users.lookupByEmail → invite; queued when a trigger
 * opens an incident and when a person links a PagerDuty incident PagerDuty
 * confirmed; people already in the channel are not invited again). Rate limits wait for
 * `ratelimit-reset`; outages retry; PagerDuty down means delayed, never lost.
 */
import type { WorkspacePeople, Deliverer, DeliveryOutcome } from '../../app/deliver-outbox.ts';
import { decodePayload } from '../../app/outbox-rows.ts';
import type { ClaimedOutboxRow, DeliveryReads } from '../../app/ports.ts';
import { asSlackUserId } from '../../domain/ids.ts';
import type { Policy } from '../../domain/policy.ts';
import { assertNever } from '../../lib/result.ts';
import type { PagerDutyClient } from './client.ts';
import { describePdError, isRetryable, type PdError, type PdResult } from './errors.ts';
import { pagerDutyOpSchema } from './outbox-ops.ts';

export interface PagerDutyDelivererDeps {
  client: PagerDutyClient;
  reads: DeliveryReads;
  policy: Policy;
  /** For on-call invites; absent when Slack is not configured. */
  people?: WorkspacePeople;
  /** The PagerDuty user Kranz acts as (PAGERDUTY_FROM_EMAIL): the requester of responder requests. */
  fromEmail?: string;
}

function fail(e: PdError): Exclude<DeliveryOutcome, { ok: true }> {
  if (e.kind === 'rate_limited') return { ok: false, retryable: true, error: describePdError(e), retryAfterMs: e.retryAfterMs };
  return isRetryable(e) ? { ok: false, retryable: true, error: describePdError(e) } : { ok: false, retryable: false, error: describePdError(e) };
}

const done = <T>(r: PdResult<T>, result?: (v: T) => unknown): DeliveryOutcome => (r.ok ? { ok: true, result: result ? result(r.value) : null } : fail(r.error));

export class PagerDutyDeliverer implements Deliverer {
  constructor(private readonly d: PagerDutyDelivererDeps) {}

  async deliver(row: ClaimedOutboxRow): Promise<DeliveryOutcome> {
    const decoded = decodePayload(pagerDutyOpSchema, row);
    if (!decoded.ok) return { ok: false, retryable: false, error: decoded.error };
    const effect = decoded.value;
    const c = this.d.client;
    switch (effect.kind) {
      case 'pagerduty.note':
        return effect.as === 'status_update'
          ? done(await c.createStatusUpdate(effect.pdIncidentId, effect.content), (v) => ({ id: v.id }))
          : done(await c.createIncidentNote(effect.pdIncidentId, effect.content), (v) => ({ id: v.id }));
      case 'pagerduty.resolve': {
        const r = await c.resolveIncident(effect.pdIncidentId);
        // Already resolved in PagerDuty is what we wanted.
        if (!r.ok && r.error.kind === 'rejected' && /already resolved/i.test(r.error.message)) return { ok: true, result: { alreadyResolved: true } };
        return done(r, (v) => ({ status: v.status }));
      }
      case 'pagerduty.page': {
        if (effect.target.kind === 'user') return this.pageUser(row, effect.target.userId, effect.message);
        const s = row.incidentId ? await this.d.reads.readIncident(row.incidentId) : undefined;
        const created = await c.createIncident({
          serviceId: effect.target.serviceId,
          title: effect.message,
          urgency: 'high',
          details: s ? `Paged from Kranz for INC-${s.number}: ${s.title}` : 'Paged from Kranz',
          // PagerDuty refuses a second open incident with the same key: a retried page pages once.
          incidentKey: `kranz:${row.idempotencyKey}`,
        });
        // An earlier attempt already opened it: PagerDuty refuses the same dedup key while it is open.
        if (!created.ok && created.error.kind === 'rejected' && /dedup key/i.test(created.error.message)) return { ok: true, result: { alreadyPaged: true } };
        return done(created, (v) => ({ id: v.id }));
      }
      case 'pagerduty.invite_oncall':
        return this.inviteOnCall(row, effect.serviceId);
      default:
        return assertNever(effect, 'PagerDuty op');
    }
  }

  /**
   * `/incident page @user`: a responder request on the linked PagerDuty
   * incident, from the Kranz user (From email) to the PagerDuty user with the
   * same email as the Slack user.
   */
  private async pageUser(row: ClaimedOutboxRow, slackUserId: string, message: string): Promise<DeliveryOutcome> {
    const state = row.incidentId ? await this.d.reads.readIncident(row.incidentId) : undefined;
    const pd = state?.pagerDutyIncidents[0];
    if (!state || !pd) return { ok: false, retryable: false, error: 'no linked PagerDuty incident to add a responder to' };
    if (!this.d.people) return { ok: false, retryable: false, error: 'Slack is not configured, so the person cannot be looked up' };
    const found = await this.d.people.emailOf(slackUserId);
    if (!found.ok) return found;
    const email = found.email;
    if (!email) return { ok: false, retryable: false, error: `Slack user ${slackUserId} has no email Kranz can see (users:read.email)` };
    const target = await this.d.client.findUserByEmail(email);
    if (!target.ok) return fail(target.error);
    if (!target.value) return { ok: false, retryable: false, error: `no PagerDuty user with the email ${email}` };
    const requester = this.d.fromEmail ? await this.d.client.findUserByEmail(this.d.fromEmail) : undefined;
    if (requester && !requester.ok) return fail(requester.error);
    if (!requester?.value) return { ok: false, retryable: false, error: 'PAGERDUTY_FROM_EMAIL names no PagerDuty user to request responders as' };
    return done(await this.d.client.createResponderRequest(pd.id, {
      requesterId: requester.value.id,
      message: message || `Kranz: you are needed on INC-${state.number} (${state.title})`,
      userIds: [target.value.id],
    }), (v) => ({ incidentId: v.incidentId, targets: v.targetIds }));
  }

  private async inviteOnCall(row: ClaimedOutboxRow, serviceId: string): Promise<DeliveryOutcome> {
    const people = this.d.people;
    if (!people || !row.incidentId) return { ok: true, result: { skipped: 'Slack is not configured' } };
    const state = await this.d.reads.readIncident(row.incidentId);
    if (!state?.channelId) return { ok: false, retryable: true, error: 'incident channel not created yet', waiting: true };
    let ep = this.d.policy.pagerduty.services.find((s) => s.serviceId === serviceId)?.escalationPolicyId;
    if (!ep) {
      const svc = await this.d.client.getService(serviceId);
      if (!svc.ok) return fail(svc.error);
      ep = svc.value.escalationPolicyId;
    }
    if (!ep) return { ok: true, result: { invited: [], reason: 'the service has no escalation policy' } };
    const emails = await this.d.client.listOnCallUserEmails([ep], { maxEscalationLevel: 1 });
    if (!emails.ok) return fail(emails.error);
    // The incident's members (whoever declared, linked or joined) are not invited again.
    const r = await people.inviteByEmail(state.channelId, emails.value, state.members);
    if (!r.ok) return r;
    const { invited, alreadyIn, notInSlack: unknown, refused } = r;
    // Record them as members now, so roles can be given to them at once (with those Slack found in already that Kranz did not know of).
    const joined = [...invited, ...alreadyIn.filter((u) => !state.members.includes(asSlackUserId(u)))];
    const followUps = joined.map((userId) => ({
      kind: 'command' as const, incidentId: state.id, command: { type: 'member_joined' as const, userId: asSlackUserId(userId) },
      meta: { actor: { kind: 'kranz' as const }, source: { kind: 'slack' as const, channelId: state.channelId! }, idempotencyKey: `${row.idempotencyKey}:member:${userId}` },
    }));
    return { ok: true, result: { invited, ...(alreadyIn.length ? { alreadyIn } : {}), notInSlack: unknown, ...(refused.length ? { refused } : {}) }, followUps };
  }
}
