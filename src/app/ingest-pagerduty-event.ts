/**
 * Applies one PagerDuty webhook event. A trigger on an auto-open service
 * declares an incident (keyed by the PagerDuty incident, so an alert storm
 * over N replicas opens one); every later event of that PagerDuty incident
 * lands on the same Kranz incident. Unknown events are ignored, never an
 * error: PagerDuty must keep getting 2xx. An event that arrives before the
 * trigger that opens its incident is reported `unlinked`, for the caller to
 * try again later; once the trigger was seen and ignored (its service does not
 * auto-open, or is not configured), later events are `ignored` at once. So are
 * the events of a PagerDuty incident a person unlinked (`PD_UNLINKED`), its
 * trigger too, should PagerDuty send it again: it opens nothing.
 */
import type { Command } from '../domain/commands.ts';
import type { Actor, PagerDutyEventFacts, SourceRef } from '../domain/events.ts';
import type { PdIncidentId, PdServiceId } from '../domain/ids.ts';
import type { Policy, PagerDutyServicePolicy } from '../domain/policy.ts';
import { findSeverity } from '../domain/policy.ts';
import type { IncidentState } from '../domain/incident.ts';
import { applyInBatch, type BatchItem } from './apply-batch.ts';
import type { CommandMeta } from './command-meta.ts';
import type { AppError, CommandOutcome } from './command-outcome.ts';
import { declareIncident } from './declare-incident.ts';
import { findIncident } from './query-incidents.ts';
import type { AppDeps } from './ports.ts';

/**
 * The ignored mark of a PagerDuty incident a person unlinked (`/incident unlink`, app/unlink-pagerduty.ts).
 * Unlike a trigger's mark it settles a trigger too: an unlinked incident is not opened or linked again on its own.
 */
export const PD_UNLINKED = 'unlinked';

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
/** An event whose applying threw (the database went away, a bug): its request is retried, the others of its run stand. */
export interface IngestFailure { result: 'failed'; error: unknown }

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

/** Who and where an event's commands come from (PagerDuty, this event); the key is per command. */
function metaOf(ev: PagerDutyEventInput): Omit<CommandMeta, 'idempotencyKey'> {
  const actor: Actor = { kind: 'pagerduty', ...(ev.agentName ? { name: ev.agentName } : {}) };
  const source: SourceRef = { kind: 'pagerduty', eventId: ev.eventId, pdIncidentId: ev.pdIncidentId!, ...(ev.htmlUrl ? { url: ev.htmlUrl } : {}) };
  return { actor, source, occurredAt: new Date(ev.occurredAt) };
}

/** A refusal as the log line's reason: its code and facts (the words are for people, in Slack). */
const refusal = (e: AppError): string => `refused: ${e.code} ${JSON.stringify(e.params)}`;

/**
 * What becomes of an event whose PagerDuty incident has no Kranz incident,
 * decided without I/O: `declare` for a trigger of a service that auto-opens,
 * else ignored or unlinked. `ignoredBecause`: why this PagerDuty incident's
 * trigger was ignored, if it was (reference-only events name no service, so
 * the trigger's fate decides theirs). `mark`: a trigger ignored now, whose
 * reason must be remembered for the events after it.
 */
export type UnlinkedDecision = { kind: 'declare'; svc: PagerDutyServicePolicy } | { kind: 'settled'; result: IngestResult; mark?: string };

export function decideUnlinked(policy: Policy, ev: PagerDutyEventInput, pd: PdIncidentId, ignoredBecause: string | undefined): UnlinkedDecision {
  const svc = ev.serviceId ? policy.pagerduty.services.find((s) => s.serviceId === ev.serviceId) : undefined;
  const settled = (result: IngestResult, mark?: string): UnlinkedDecision => ({ kind: 'settled', result, ...(mark ? { mark } : {}) });
  if (ignoredBecause === PD_UNLINKED) return settled({ result: 'ignored', reason: `PagerDuty ${pd} was unlinked from its Kranz incident (${ev.eventType})` });
  if (ev.eventType !== 'incident.triggered') {
    // Only a trigger opens. When the event names a service that never auto-opens, no trigger will link it.
    if (ev.serviceId && !svc?.autoOpen) return settled({ result: 'ignored', reason: `no Kranz incident for PagerDuty ${pd} (${ev.eventType}); service ${ev.serviceId} does not auto-open incidents` });
    if (ignoredBecause !== undefined) return settled({ result: 'ignored', reason: `no Kranz incident for PagerDuty ${pd} (${ev.eventType}); its trigger was ignored: ${ignoredBecause}` });
    return settled({ result: 'unlinked', reason: `no Kranz incident for PagerDuty ${pd} yet (${ev.eventType})` });
  }
  if (svc?.autoOpen) return { kind: 'declare', svc };
  const reason = svc ? `service ${svc.serviceId} does not auto-open incidents` : `service ${ev.serviceId ?? '?'} is not configured in Kranz`;
  // Remembered so that the incident's later events are settled at once rather than waiting for a trigger that came and went.
  return settled({ result: 'ignored', reason }, reason);
}

/** An event Kranz ignores whatever the database holds (a type it does not act on, no PagerDuty incident named). */
export function ignoredOnSight(ev: PagerDutyEventInput): IngestResult | undefined {
  if (!ev.known) return { result: 'ignored', reason: `event type ${ev.eventType} is not one Kranz acts on` };
  if (!ev.pdIncidentId) return { result: 'ignored', reason: 'the event names no PagerDuty incident' };
  return undefined;
}

export async function ingestPagerDutyEvent(deps: AppDeps, ev: PagerDutyEventInput): Promise<IngestResult> {
  const onSight = ignoredOnSight(ev);
  if (onSight) return onSight;
  const pd = ev.pdIncidentId!;
  const meta = (key: string): CommandMeta => ({ ...metaOf(ev), idempotencyKey: key });

  const incident = await findIncident(deps, { pdIncidentId: pd });
  if (!incident) {
    let decision = decideUnlinked(deps.policy, ev, pd, undefined);
    // Waiting for a trigger: unless the trigger came and was ignored. About to declare: unless a person unlinked it.
    if (decision.kind === 'declare' || decision.result.result === 'unlinked') {
      const ignoredBecause = (await deps.store.transaction((uow) => uow.keys.pagerDutyIgnoredReasons([pd]))).get(pd);
      decision = decideUnlinked(deps.policy, ev, pd, ignoredBecause);
    }
    if (decision.kind === 'settled') {
      if (decision.mark) await deps.store.transaction((uow) => uow.keys.markPagerDutyIgnored([{ pdIncidentId: pd, reason: decision.mark! }]));
      return decision.result;
    }
    const svc = decision.svc;
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
  return resultOf(incident.id, await applyInBatch(deps, { id: incident.id }, pagerDutyItem(deps, ev)));
}

/**
 * Events of one PagerDuty incident, in PagerDuty's delivery order. Once its
 * Kranz incident exists, a run of its events is queued at once, in order, so
 * they apply in as few transactions as the incident's queue forms (see
 * apply-batch.ts); until then (a trigger to declare, events that overtook it)
 * each goes alone, as `ingestPagerDutyEvent`.
 */
export async function ingestPagerDutyEvents(deps: AppDeps, evs: readonly PagerDutyEventInput[]): Promise<(IngestResult | IngestFailure)[]> {
  const results: (IngestResult | IngestFailure)[] = [];
  const failed = (error: unknown): IngestFailure => ({ result: 'failed', error });
  let i = 0;
  while (i < evs.length) {
    const first = evs[i]!;
    const pd = first.known && first.eventType !== 'incident.triggered' ? first.pdIncidentId : undefined;
    const incident = pd ? await findIncident(deps, { pdIncidentId: pd }).catch(() => undefined) : undefined;
    if (!pd || !incident) {
      results.push(await ingestPagerDutyEvent(deps, first).catch(failed));
      i++;
      continue;
    }
    const run: PagerDutyEventInput[] = [];
    for (let e = evs[i]; e && e.known && e.pdIncidentId === pd && e.eventType !== 'incident.triggered'; e = evs[++i]) run.push(e);
    // Queued one after the other before any is awaited: they apply in this order.
    const pending = run.map((e) => applyInBatch(deps, { id: incident.id }, pagerDutyItem(deps, e)).then((o) => resultOf(incident.id, o), failed));
    results.push(...(await Promise.all(pending)));
  }
  return results;
}

/**
 * The commands of an event for an incident that exists, planned against the
 * incident as it stands when the event's turn comes (whether a resolve still
 * applies, which severity a priority maps to).
 */
export function pagerDutyItem(deps: AppDeps, ev: PagerDutyEventInput): BatchItem {
  const pd = ev.pdIncidentId!;
  const key = (i: number): string => `pd:event:${ev.eventId}${i ? `#${i}` : ''}`;
  const meta = (i: number): CommandMeta => ({ ...metaOf(ev), idempotencyKey: key(i) });
  return {
    keys: [key(0), key(1)],
    plan: (incident) => pagerDutyCommands(deps.policy, ev, pd, incident).map((command, i) => ({ command, meta: meta(i) })),
  };
}

function pagerDutyCommands(policy: Policy, ev: PagerDutyEventInput, pd: PdIncidentId, incident: IncidentState): Command[] {
  const link = incident.pagerDutyIncidents.find((p) => p.id === pd);
  // Routed here by a link a person undid before this incident's lock was taken: it no longer belongs here.
  // (Every link, by hand or by a trigger, has been on the incident since its first event.)
  if (!link) return [];
  // Reference-only events (notes, responders) name no service: the linked one decides the mapping.
  const serviceId = ev.serviceId ?? link?.serviceId;
  const svc = serviceId ? policy.pagerduty.services.find((s) => s.serviceId === serviceId) : undefined;
  const recordEvent = { type: 'record_pagerduty_event' as const, eventType: ev.eventType, pdIncidentId: pd, facts: factsOf(ev, link?.number) };
  const open = incident.status !== 'resolved' && incident.status !== 'closed';
  if (ev.eventType === 'incident.annotated') {
    return [{ type: 'add_note', text: `PagerDuty note${ev.agentName ? ` by ${ev.agentName}` : ''}: ${ev.noteContent ?? '(empty)'}`, via: 'pagerduty' }];
  }
  if (ev.eventType === 'incident.resolved') {
    if (policy.pagerduty.autoResolve && open) return [recordEvent, { type: 'resolve', summary: 'Resolved in PagerDuty' }];
    return [{ ...recordEvent, ...(open ? { suggestion: 'resolve' as const } : {}) }];
  }
  if (ev.eventType === 'incident.priority_updated') {
    const sev = severityFor(policy, svc, { priority: ev.priority ?? null });
    const suggest = ev.priority?.name && sev !== incident.severity && svc?.severityByPriority[ev.priority.name];
    return [{ ...recordEvent, ...(suggest ? { suggestion: { severity: sev } } : {}) }];
  }
  return [recordEvent];
}

export function resultOf(incidentId: string, outcomes: readonly CommandOutcome[]): IngestResult {
  // Nothing planned: the PagerDuty incident was unlinked from this one meanwhile (see pagerDutyCommands).
  if (outcomes.length === 0) return { result: 'ignored', reason: `its PagerDuty incident is no longer linked to Kranz incident ${incidentId}` };
  const recorded = outcomes.some((o) => o.ok && !o.duplicate);
  const refused = outcomes.flatMap((o) => (o.ok ? [] : [refusal(o.error)]));
  // A refusal is not a duplicate: say so, or the event would look applied.
  if (!recorded && refused.length) return { result: 'ignored', reason: refused.join('; ') };
  return { result: recorded ? 'recorded' : 'duplicate', incidentId };
}
