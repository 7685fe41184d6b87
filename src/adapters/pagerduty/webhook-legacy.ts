/**
 * Legacy V2 webhooks: `{ messages: [ { id, event: 'incident.trigger', created_on,
 * incident: {...}, log_entries: [...] } ] }`, decoded into the same
 * `PdWebhookEvent`s as V3. One body may carry several messages.
 */
import { z } from 'zod';
import { toAgent } from './webhook-agent.ts';
import type { PdDecoded, PdEventBase, PdIncidentDataEventType, PdIncidentFacts, PdWebhookEvent } from './webhook-types.ts';

/** V2 event name → the V3 event type Kranz handles it as. */
export const PD_V2_EVENT_MAP: Readonly<Record<string, PdIncidentDataEventType | 'incident.annotated'>> = {
  'incident.trigger': 'incident.triggered',
  'incident.acknowledge': 'incident.acknowledged',
  'incident.unacknowledge': 'incident.unacknowledged',
  'incident.resolve': 'incident.resolved',
  'incident.assign': 'incident.reassigned',
  'incident.escalate': 'incident.escalated',
  'incident.delegate': 'incident.delegated',
  'incident.annotate': 'incident.annotated',
};

const Ref = z.looseObject({ id: z.string().min(1), type: z.string().nullish(), summary: z.string().nullish(), name: z.string().nullish() });

const Timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a timestamp');

const V2Incident = z.looseObject({
  id: z.string().min(1),
  incident_number: z.number().int().nullish(),
  title: z.string().nullish(),
  status: z.string().nullish(),
  incident_key: z.string().nullish(),
  html_url: z.string().nullish(),
  urgency: z.string().nullish(),
  service: Ref.nullish(),
  escalation_policy: Ref.nullish(),
  priority: Ref.nullish(),
  assignments: z.array(z.looseObject({ assignee: Ref })).nullish(),
});

const V2LogEntry = z.looseObject({
  type: z.string().nullish(),
  created_at: Timestamp.nullish(),
  agent: z.unknown().optional(),
  channel: z.looseObject({ type: z.string().nullish(), summary: z.string().nullish() }).nullish(),
});

const V2Message = z.looseObject({
  id: z.string().min(1),
  event: z.string().min(1),
  created_on: Timestamp.nullish(),
  incident: V2Incident,
  log_entries: z.array(V2LogEntry).nullish(),
});

const V2Body = z.looseObject({ messages: z.array(z.unknown()) });

/**
 * Decodes a V2 body. Every message must decode, otherwise the whole body is
 * `{ ok: false }` (naming the message) so a partial delivery is never
 * acknowledged as complete.
 */
export function decodePagerDutyV2Webhook(body: unknown): PdDecoded<{ events: PdWebhookEvent[] }> {
  const b = V2Body.safeParse(body);
  if (!b.success) return { ok: false, reason: `not a PagerDuty V2 webhook: ${z.prettifyError(b.error)}` };
  const events: PdWebhookEvent[] = [];
  for (const [i, raw] of b.data.messages.entries()) {
    const m = V2Message.safeParse(raw);
    if (!m.success) return { ok: false, reason: `V2 message ${i}: ${z.prettifyError(m.error)}` };
    const event = toEvent(m.data, raw);
    if (!event) return { ok: false, reason: `V2 message ${i} (${m.data.id}): no created_on or log entry time` };
    events.push(event);
  }
  return { ok: true, events };
}

function toEvent(m: z.infer<typeof V2Message>, raw: unknown): PdWebhookEvent | undefined {
  const firstLog = m.log_entries?.[0];
  const occurredAt = m.created_on ?? firstLog?.created_at;
  if (!occurredAt) return undefined;
  const base: PdEventBase = { eventId: m.id, occurredAt, source: 'v2', raw };
  const agent = toAgent(firstLog?.agent);
  if (agent) base.agent = agent;

  const mapped = PD_V2_EVENT_MAP[m.event];
  if (!mapped) return { ...base, eventType: 'unknown', originalEventType: m.event, resourceType: 'incident', pdIncidentId: m.incident.id };
  const facts = incidentFacts(m.incident);
  if (mapped !== 'incident.annotated') return { ...base, ...facts, eventType: mapped };
  const event: PdWebhookEvent = { ...base, ...facts, eventType: mapped };
  // V2 carries a note's text, if at all, as the summary of the annotate log
  // entry's channel; the body has no dedicated field for it.
  const annotate = m.log_entries?.find((l) => l.type === 'annotate_log_entry');
  const text = annotate?.channel?.summary;
  if (text) event.noteContent = text;
  return event;
}

function incidentFacts(i: z.infer<typeof V2Incident>): PdIncidentFacts {
  const f: PdIncidentFacts = { pdIncidentId: i.id };
  if (typeof i.incident_number === 'number') f.pdIncidentNumber = i.incident_number;
  if (i.title) f.title = i.title;
  if (i.status) f.status = i.status;
  if (i.incident_key !== undefined) f.incidentKey = i.incident_key;
  if (i.html_url) f.htmlUrl = i.html_url;
  if (i.urgency) f.urgency = i.urgency;
  if (i.service) {
    f.serviceId = i.service.id;
    const name = i.service.name ?? i.service.summary;
    if (name) f.serviceName = name;
  }
  if (i.escalation_policy) f.escalationPolicyId = i.escalation_policy.id;
  if (i.priority === null) f.priority = null;
  else if (i.priority) f.priority = { id: i.priority.id, name: i.priority.name ?? i.priority.summary ?? i.priority.id };
  if (i.assignments) {
    f.assignees = i.assignments.map((a) => (a.assignee.summary ? { id: a.assignee.id, summary: a.assignee.summary } : { id: a.assignee.id }));
  }
  return f;
}
