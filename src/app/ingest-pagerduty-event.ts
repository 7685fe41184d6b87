/**
 * Applies one PagerDuty webhook event. A trigger on an auto-open service
 * declares an incident (keyed by the PagerDuty incident, so an alert storm
 * over N replicas opens one); every later event of that PagerDuty incident
 * lands on the same Kranz incident. Unknown events are ignored, never an
 * error: PagerDuty must keep getting 2xx. An event that arrives before the
 * trigger that opens its incident is reported `unlinked`, for the caller to
 * try again later; once the trigger was seen and ignored (its service does not
 * auto-open, or is not configured), later events are `ignored` at once.
 */
import type { Command } from '../domain/commands.ts';
import type { Actor, PagerDutyEventFacts, SourceRef } from '../domain/events.ts';
import type { PdIncidentId, PdServiceId } from '../domain/ids.ts';
import type { Policy, PagerDutyServicePolicy } from '../domain/policy.ts';
import { findSeverity } from '../domain/policy.ts';
import { applyCommand, type AppError, type CommandMeta } from './apply-command.ts';
import { declareIncident } from './declare-incident.ts';
import { findIncident } from './query-incidents.ts';
import type { AppDeps } from './ports.ts';

/** What Kranz needs of a PagerDuty event, whatever webhook version it came in. */
export interface PagerDutyEventInput {
  eventId: string;
  /** `incident.triggered`, …; the original type for unknown ones. */
  eventType: string;
  known: boolean;
  occurredAt: string;
  pdIncidentId?: PdIncidentId;
  pdIncidentNumber?: number;
  title?: string;
  serviceId?: PdServiceId;
  urgency?: string;
  priority?: { name: string } | null;
  htmlUrl?: string;
  agentName?: string;
  noteContent?: string;
  statusUpdateMessage?: string;
  responderName?: string;
  responderState?: string;
}

/**
 * `unlinked`: the event is about a PagerDuty incident Kranz has no incident
 * for yet, but its trigger may still come (PagerDuty does not promise order,
 * and a later event can overtake the trigger): the caller should try it again
 * later rather than drop it.
 */
export type IngestResult = { result: 'declared' | 'recorded' | 'duplicate'; incidentId: string } | { result: 'ignored' | 'unlinked'; reason: string };

export function severityFor(policy: Policy, svc: PagerDutyServicePolicy | undefined, ev: Pick<PagerDutyEventInput, 'priority' | 'urgency'>): string {
  // Priority wins over urgency: it is the more deliberate signal.
  const byPriority = ev.priority?.name ? svc?.severityByPriority[ev.priority.name] : undefined;
  if (byPriority && findSeverity(policy, byPriority)) return byPriority;
  const byUrgency = ev.urgency === 'low' ? svc?.severityByUrgency.low : ev.urgency === 'high' ? svc?.severityByUrgency.high : undefined;
  return byUrgency && findSeverity(policy, byUrgency) ? byUrgency : policy.defaultSeverity;
}

/** The facts of the event; the number of reference-only events (notes, responders) comes from the link. */
function factsOf(ev: PagerDutyEventInput, linkedNumber?: number): PagerDutyEventFacts {
  const n = ev.pdIncidentNumber ?? linkedNumber;
  return {
    ...(n ? { pdIncidentNumber: n } : {}),
    ...(ev.agentName ? { agentName: ev.agentName } : {}),
    ...(ev.priority?.name ? { priorityName: ev.priority.name } : {}),
    ...(ev.responderName ? { responderName: ev.responderName } : {}),
    ...(ev.responderState ? { responderState: ev.responderState } : {}),
    ...(ev.statusUpdateMessage !== undefined ? { statusUpdateMessage: ev.statusUpdateMessage } : {}),
  };
}

/** A refusal as the log line's reason: its code and facts (the words are for people, in Slack). */
const refusal = (e: AppError): string => `refused: ${e.code} ${JSON.stringify(e.params)}`;

export async function ingestPagerDutyEvent(deps: AppDeps, ev: PagerDutyEventInput): Promise<IngestResult> {
  if (!ev.known) return { result: 'ignored', reason: `event type ${ev.eventType} is not one Kranz acts on` };
  if (!ev.pdIncidentId) return { result: 'ignored', reason: 'the event names no PagerDuty incident' };
  const pd = ev.pdIncidentId;
  const actor: Actor = { kind: 'pagerduty', ...(ev.agentName ? { name: ev.agentName } : {}) };
  const source: SourceRef = { kind: 'pagerduty', eventId: ev.eventId, pdIncidentId: pd, ...(ev.htmlUrl ? { url: ev.htmlUrl } : {}) };
  const meta = (key: string): CommandMeta => ({ actor, source, idempotencyKey: key, occurredAt: new Date(ev.occurredAt) });
  const serviceOf = (id: string | undefined): PagerDutyServicePolicy | undefined => (id ? deps.policy.pagerduty.services.find((s) => s.serviceId === id) : undefined);

  let incident = await findIncident(deps, { pdIncidentId: pd });
  if (!incident) {
    const svc = serviceOf(ev.serviceId);
    if (ev.eventType !== 'incident.triggered') {
      // Only a trigger opens. When the event names a service that never auto-opens, no trigger will link it.
      if (ev.serviceId && !svc?.autoOpen) return { result: 'ignored', reason: `no Kranz incident for PagerDuty ${pd} (${ev.eventType}); service ${ev.serviceId} does not auto-open incidents` };
      // Reference-only events (notes, responders) name no service: the trigger, if it was seen and ignored, already decided.
      const ignoredBecause = await deps.store.transaction((uow) => uow.keys.pagerDutyIgnoredReason(pd));
      if (ignoredBecause !== undefined) return { result: 'ignored', reason: `no Kranz incident for PagerDuty ${pd} (${ev.eventType}); its trigger was ignored: ${ignoredBecause}` };
      return { result: 'unlinked', reason: `no Kranz incident for PagerDuty ${pd} yet (${ev.eventType})` };
    }
    if (!svc?.autoOpen) {
      const reason = svc ? `service ${svc.serviceId} does not auto-open incidents` : `service ${ev.serviceId ?? '?'} is not configured in Kranz`;
      // Remembered so that the incident's later events are settled at once rather than waiting for a trigger that came and went.
      await deps.store.transaction((uow) => uow.keys.markPagerDutyIgnored(pd, reason));
      return { result: 'ignored', reason };
    }
    const declared = await declareIncident(deps, {
      title: ev.title ?? `PagerDuty incident ${ev.pdIncidentNumber ?? pd}`,
      severity: severityFor(deps.policy, svc, ev),
      description: `Opened from PagerDuty${ev.htmlUrl ? `: ${ev.htmlUrl}` : ''}`,
      customers: svc.customers,
      impactStartedAt: ev.occurredAt,
      pagerDuty: { pdIncidentId: pd, ...(ev.pdIncidentNumber !== undefined ? { pdIncidentNumber: ev.pdIncidentNumber } : {}), ...(ev.htmlUrl ? { url: ev.htmlUrl } : {}), ...(ev.serviceId ? { serviceId: ev.serviceId } : {}) },
    }, meta(`pd:incident:${pd}`));
    if (!declared.ok) return { result: 'ignored', reason: refusal(declared.error) };
    return { result: declared.duplicate ? 'duplicate' : 'declared', incidentId: declared.incidentId };
  }

  // A trigger applied again (a crash before its request was marked done, a second
  // subscription) finds its own incident: it has nothing more to say.
  if (ev.eventType === 'incident.triggered') return { result: 'duplicate', incidentId: incident.id };
  const ref = { id: incident.id };
  const link = incident.pagerDutyIncidents.find((p) => p.id === pd);
  // Reference-only events (notes, responders) name no service: the linked one decides the mapping.
  const svc = serviceOf(ev.serviceId ?? link?.serviceId);
  const recordEvent = { type: 'record_pagerduty_event' as const, eventType: ev.eventType, pdIncidentId: pd, facts: factsOf(ev, link?.number) };
  const commands: Command[] = [];
  if (ev.eventType === 'incident.annotated') {
    commands.push({ type: 'add_note', text: `PagerDuty note${ev.agentName ? ` by ${ev.agentName}` : ''}: ${ev.noteContent ?? '(empty)'}`, via: 'pagerduty' });
  } else if (ev.eventType === 'incident.resolved') {
    if (deps.policy.pagerduty.autoResolve && incident.status !== 'resolved' && incident.status !== 'closed') {
      commands.push(recordEvent, { type: 'resolve', summary: 'Resolved in PagerDuty' });
    } else {
      const open = incident.status !== 'resolved' && incident.status !== 'closed';
      commands.push({ ...recordEvent, ...(open ? { suggestion: 'resolve' as const } : {}) });
    }
  } else if (ev.eventType === 'incident.priority_updated') {
    const sev = severityFor(deps.policy, svc, { priority: ev.priority ?? null });
    const suggest = ev.priority?.name && sev !== incident.severity && svc?.severityByPriority[ev.priority.name];
    commands.push({ ...recordEvent, ...(suggest ? { suggestion: { severity: sev } } : {}) });
  } else {
    commands.push(recordEvent);
  }
  let recorded = false;
  const refused: string[] = [];
  for (const [i, c] of commands.entries()) {
    const o = await applyCommand(deps, ref, c, meta(`pd:event:${ev.eventId}${i ? `#${i}` : ''}`));
    if (o.ok && !o.duplicate) recorded = true;
    if (o.ok) incident = o.state;
    else refused.push(refusal(o.error));
  }
  // A refusal is not a duplicate: say so, or the event would look applied.
  if (!recorded && refused.length) return { result: 'ignored', reason: refused.join('; ') };
  return { result: recorded ? 'recorded' : 'duplicate', incidentId: ref.id };
}
