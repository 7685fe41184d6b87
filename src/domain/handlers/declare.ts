/**
 * Declaring: the one command that runs without an incident. It records the
 * incident as policy shapes it (severity, customers, checklist) and asks for
 * its channel, pinned messages, on-call invites and announcement.
 */
import { buildChecklist } from '../checklist.ts';
import { channelName } from '../channel-name.ts';
import { domainError } from '../errors.ts';
import type { IncidentState } from '../incident.ts';
import { findCustomer, findSeverity } from '../policy.ts';
import { snapshotPolicy } from '../policy-snapshot.ts';
import { callItemsOnAttach } from './call-items.ts';
import type { HandlerGroup } from './context.ts';
import { unknownSeverity } from './lifecycle.ts';

export const declareHandlers: HandlerGroup<'declare'> = {
  declare(command, _none, step) {
    const { policy, env } = step;
    const sev = findSeverity(policy, command.severity);
    if (!sev) return unknownSeverity(policy, command.severity);
    const customers: string[] = [];
    for (const c of command.customers ?? []) {
      const found = findCustomer(policy, c);
      if (!found) return domainError('customer.unknown', { given: c, known: policy.customers.map((x) => x.id) });
      if (!customers.includes(found.id)) customers.push(found.id);
    }
    const declaredBy = env.actor.kind === 'user' ? env.actor.userId : undefined;
    const commanderId = command.commanderId ?? declaredBy;
    step.emit('declared', {
      number: command.number,
      title: command.title.trim(),
      severity: sev.key,
      description: command.description?.trim() ?? '',
      private: command.private ?? false,
      ...(commanderId ? { commanderId } : {}),
      ...(declaredBy ? { declaredBy } : {}),
      customers,
      checklist: buildChecklist(policy, sev, customers, step.at),
      ...(command.impactStartedAt ? { impactStartedAt: command.impactStartedAt } : {}),
      // The report judges the incident by the policy it ran under, whatever the policy says later.
      policy: snapshotPolicy(policy),
      ...(env.actor.kind === 'user' && env.actor.name ? { declaredByName: env.actor.name } : {}),
      ...(commanderName(command.commanderName, commanderId, env) ? { commanderName: commanderName(command.commanderName, commanderId, env) as string } : {}),
    });
    if (command.pagerDuty) step.emit('pagerduty_linked', { ...command.pagerDuty });
    // With exactly one customer configured and none named, it is that one: attach it, and say so with a one-click remove.
    // Only where the severity says customers are affected: a "no customer impact" declare stays without one.
    const only = policy.customers.length === 1 && sev.customerImpacting ? policy.customers[0] : undefined;
    if (customers.length === 0 && only) {
      const declared = step.current() as IncidentState;
      step.emit('customer_attached', { customer: only.id, via: 'only_configured', policy: structuredClone(only), checklist: callItemsOnAttach(declared, only, policy, step.at) });
    }
    const s = step.current() as IncidentState;
    step.fx(
      { kind: 'slack.create_channel', name: channelName(policy, s, step.at), private: s.private, invite: s.members },
      { kind: 'slack.set_topic' },
      { kind: 'slack.post_slot', slot: 'summary', pin: true },
      { kind: 'slack.post_slot', slot: 'checklist', pin: false },
    );
    // After the channel's own messages: this notice is about the channel's incident.
    if (customers.length === 0 && only) {
      step.fx({ kind: 'slack.post', to: { kind: 'incident' }, message: { template: 'customer_attached', customer: only.id, via: 'only_configured' } });
    }
    if (command.pagerDuty?.serviceId) step.fx({ kind: 'pagerduty.invite_oncall', serviceId: command.pagerDuty.serviceId });
    if (policy.announcementsChannel && !s.private) {
      step.fx({ kind: 'slack.post', to: { kind: 'channel', id: policy.announcementsChannel }, message: { template: 'incident_announced' } });
    }
    return undefined;
  },
};

function commanderName(given: string | undefined, commanderId: string | undefined, env: { names?: Record<string, string>; actor: { kind: string; userId?: string; name?: string } }): string | undefined {
  if (given) return given;
  if (!commanderId) return undefined;
  return env.names?.[commanderId] ?? (env.actor.kind === 'user' && env.actor.userId === commanderId ? env.actor.name : undefined);
}
