/**
 * Applies one PagerDuty webhook event. A trigger on an auto-open service
 * declares an incident (keyed by the PagerDuty incident, so an alert storm
 * over N replicas opens one); every later event of that PagerDuty incident
 * lands on the same Kranz incident. Unknown or unlinked events are ignored,
 * never an error: PagerDuty must keep getting 2xx.
 */
import type { Command } from '../domain/commands.ts';
import type { Actor, SourceRef } from '../domain/events.ts';
import type { Policy, PagerDutyServicePolicy } from '../domain/policy.ts';
import { findSeverity } from '../domain/policy.ts';
import { applyCommand, type CommandMeta } from './apply-command.ts';
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
  pdIncidentId?: string;
  pdIncidentNumber?: number;
  title?: string;
  serviceId?: string;
  urgency?: string;
  priority?: { name: string } | null;
  htmlUrl?: string;
  agentName?: string;
  noteContent?: string;
  statusUpdateMessage?: string;
  responderName?: string;
  responderState?: string;
}

export type IngestResult = { result: 'declared' | 'recorded' | 'duplicate'; incidentId: string } | { result: 'ignored'; reason: string };

export function severityFor(policy: Policy, svc: PagerDutyServicePolicy | undefined, ev: Pick<PagerDutyEventInput, 'priority' | 'urgency'>): string {
  // Priority wins over urgency: it is the more deliberate signal.
  const byPriority = ev.priority?.name ? svc?.severityByPriority[ev.priority.name] : undefined;
  if (byPriority && findSeverity(policy, byPriority)) return byPriority;
  const byUrgency = ev.urgency === 'low' ? svc?.severityByUrgency.low : ev.urgency === 'high' ? svc?.severityByUrgency.high : undefined;
  return byUrgency && findSeverity(policy, byUrgency) ? byUrgency : policy.defaultSeverity;
}

function describe(ev: PagerDutyEventInput): string {
  const who = ev.agentName ? ` by ${ev.agentName}` : '';
  const what: Record<string, string> = {
    'incident.triggered': `Triggered: ${ev.title ?? ''}`,
    'incident.acknowledged': `Acknowledged${who}`,
    'incident.unacknowledged': 'Unacknowledged (the acknowledgement timed out)',
    'incident.escalated': `Escalated${who}`,
    'incident.reassigned': `Reassigned${who}`,
    'incident.delegated': `Delegated${who}`,
    'incident.reopened': `Reopened${who}`,
    'incident.resolved': `PagerDuty resolved it${who}`,
    'incident.priority_updated': `Priority changed to ${ev.priority?.name ?? 'none'}${who}`,
    'incident.responder.added': `Responder requested: ${ev.responderName ?? 'someone'}`,
    'incident.responder.replied': `${ev.responderName ?? 'A responder'} replied: ${ev.responderState ?? 'answered'}`,
    'incident.status_update_published': `Status update published in PagerDuty: ${ev.statusUpdateMessage ?? ''}`,
    'incident.conference_bridge.updated': 'Conference bridge updated',
  };
  const num = ev.pdIncidentNumber ? `PagerDuty #${ev.pdIncidentNumber}` : 'PagerDuty';
  return `${num}: ${what[ev.eventType] ?? ev.eventType}`;
}

export async function ingestPagerDutyEvent(deps: AppDeps, ev: PagerDutyEventInput): Promise<IngestResult> {
  if (!ev.known) return { result: 'ignored', reason: `event type ${ev.eventType} is not one Kranz acts on` };
  if (!ev.pdIncidentId) return { result: 'ignored', reason: 'the event names no PagerDuty incident' };
  const pd = ev.pdIncidentId;
  const actor: Actor = { kind: 'pagerduty', ...(ev.agentName ? { name: ev.agentName } : {}) };
  const source: SourceRef = { kind: 'pagerduty', eventId: ev.eventId, pdIncidentId: pd, ...(ev.htmlUrl ? { url: ev.htmlUrl } : {}) };
  const meta = (key: string): CommandMeta => ({ actor, source, idempotencyKey: key, occurredAt: new Date(ev.occurredAt) });
  const svc = deps.policy.pagerduty.services.find((s) => s.serviceId === ev.serviceId);

  let incident = await findIncident(deps, { pdIncidentId: pd });
  if (!incident) {
    if (ev.eventType !== 'incident.triggered') return { result: 'ignored', reason: `no Kranz incident for PagerDuty ${pd} (${ev.eventType})` };
    if (!svc?.autoOpen) return { result: 'ignored', reason: `service ${ev.serviceId ?? '?'} does not auto-open incidents` };
    const declared = await declareIncident(deps, {
      title: ev.title ?? `PagerDuty incident ${ev.pdIncidentNumber ?? pd}`,
      severity: severityFor(deps.policy, svc, ev),
      description: `Opened from PagerDuty${ev.htmlUrl ? `: ${ev.htmlUrl}` : ''}`,
      customers: svc.customers,
      impactStartedAt: ev.occurredAt,
      pagerDuty: { pdIncidentId: pd, ...(ev.pdIncidentNumber !== undefined ? { pdIncidentNumber: ev.pdIncidentNumber } : {}), ...(ev.htmlUrl ? { url: ev.htmlUrl } : {}), ...(ev.serviceId ? { serviceId: ev.serviceId } : {}) },
    }, meta(`pd:incident:${pd}`));
    if (!declared.ok) return { result: 'ignored', reason: declared.error.message };
    return { result: declared.duplicate ? 'duplicate' : 'declared', incidentId: declared.incidentId };
  }

  const ref = { id: incident.id };
  const commands: Command[] = [];
  if (ev.eventType === 'incident.annotated') {
    commands.push({ type: 'add_note', text: `PagerDuty note${ev.agentName ? ` by ${ev.agentName}` : ''}: ${ev.noteContent ?? '(empty)'}`, via: 'pagerduty' });
  } else if (ev.eventType === 'incident.resolved') {
    if (deps.policy.pagerduty.autoResolve && incident.status !== 'resolved' && incident.status !== 'closed') {
      commands.push({ type: 'record_pagerduty_event', eventType: ev.eventType, pdIncidentId: pd, summary: describe(ev) }, { type: 'resolve', summary: 'Resolved in PagerDuty' });
    } else {
      const open = incident.status !== 'resolved' && incident.status !== 'closed';
      commands.push({ type: 'record_pagerduty_event', eventType: ev.eventType, pdIncidentId: pd, summary: open ? `${describe(ev)}: resolve the incident?` : describe(ev), ...(open ? { suggestion: 'resolve' as const } : {}) });
    }
  } else if (ev.eventType === 'incident.priority_updated') {
    const sev = severityFor(deps.policy, svc, { priority: ev.priority ?? null });
    const suggest = ev.priority?.name && sev !== incident.severity && svc?.severityByPriority[ev.priority.name];
    commands.push({ type: 'record_pagerduty_event', eventType: ev.eventType, pdIncidentId: pd, summary: suggest ? `${describe(ev)}: change the severity to ${sev}?` : describe(ev), ...(suggest ? { suggestion: { severity: sev } } : {}) });
  } else {
    commands.push({ type: 'record_pagerduty_event', eventType: ev.eventType, pdIncidentId: pd, summary: describe(ev) });
  }
  let recorded = false;
  for (const [i, c] of commands.entries()) {
    const o = await applyCommand(deps, ref, c, meta(`pd:event:${ev.eventId}${i ? `#${i}` : ''}`));
    if (o.ok && !o.duplicate) recorded = true;
    if (o.ok) incident = o.state;
  }
  return { result: recorded ? 'recorded' : 'duplicate', incidentId: ref.id };
}
