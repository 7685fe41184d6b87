/**
 * Decodes PagerDuty webhook bodies into `PdWebhookEvent`s. V3 envelopes
 * (`{ event: { id, event_type, resource_type, occurred_at, agent, client, data } }`)
 * are decoded here; legacy V2 (`{ messages: [...] }`) in `webhook-legacy.ts`.
 *
 * Tolerant where PagerDuty varies (extra fields, `priority: null`, no
 * `incident_key`, `agent: null`, unknown event types), strict only where Kranz
 * could not act without the field (the event id, the incident id, a note's
 * text). Decoders never throw.
 */
import { z } from 'zod';
import { toAgent } from './webhook-agent.ts';
import { decodePagerDutyV2Webhook } from './webhook-legacy.ts';
import {
  PD_INCIDENT_DATA_EVENT_TYPES,
  type PdDecoded,
  type PdEventBase,
  type PdIncidentDataEventType,
  type PdIncidentFacts,
  type PdResponderEvent,
  type PdWebhookEvent,
} from './webhook-types.ts';

export * from './webhook-types.ts';
export { decodePagerDutyV2Webhook } from './webhook-legacy.ts';

const Ref = z.looseObject({
  id: z.string().min(1),
  type: z.string().nullish(),
  summary: z.string().nullish(),
  html_url: z.string().nullish(),
});

// A time Kranz can compute with: the year 2000 to 9999. JavaScript dates end at +275760; a source time near that
// end parses, then every deadline computed from it (now + the cadence) is an Invalid Date that throws when stored.
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(9999, 11, 31);
const Timestamp = z.string().refine((s) => {
  const t = Date.parse(s);
  return !Number.isNaN(t) && t >= EARLIEST && t <= LATEST;
}, 'not a timestamp between the years 2000 and 9999');

const Envelope = z.looseObject({
  event: z.looseObject({
    id: z.string().min(1),
    event_type: z.string().min(1),
    resource_type: z.string().nullish(),
    occurred_at: Timestamp,
    agent: z.unknown().optional(),
    client: z.unknown().optional(),
    data: z.unknown(),
  }),
});

const IncidentData = z.looseObject({
  id: z.string().min(1),
  number: z.number().int().nullish(),
  title: z.string().nullish(),
  status: z.string().nullish(),
  incident_key: z.string().nullish(),
  html_url: z.string().nullish(),
  service: Ref.nullish(),
  escalation_policy: Ref.nullish(),
  assignees: z.array(Ref).nullish(),
  urgency: z.string().nullish(),
  priority: Ref.nullish(),
});

const OnIncident = z.looseObject({ incident: Ref });

const NoteData = OnIncident.extend({ content: z.string(), trimmed: z.boolean().nullish() });
const StatusUpdateData = OnIncident.extend({ message: z.string(), trimmed: z.boolean().nullish() });
const ResponderData = OnIncident.extend({
  user: Ref.nullish(),
  escalation_policy: Ref.nullish(),
  message: z.string().nullish(),
  state: z.string().nullish(),
});
// PagerDuty's docs show `[{ label, number }]`; captured deliveries show null.
const ConferenceNumber = z.union([z.string(), z.looseObject({ number: z.string() })]);
const ConferenceBridgeData = OnIncident.extend({
  conference_url: z.string().nullish(),
  conference_numbers: z.array(ConferenceNumber).nullish(),
});

const INCIDENT_DATA_TYPES: ReadonlySet<string> = new Set(PD_INCIDENT_DATA_EVENT_TYPES);

/**
 * Decodes one V3 webhook body (already JSON-parsed). Unknown event types decode
 * to `eventType: 'unknown'`; a known type whose data lacks what Kranz needs is
 * `{ ok: false }`.
 */
export function decodePagerDutyV3Event(body: unknown): PdDecoded<{ event: PdWebhookEvent }> {
  const env = Envelope.safeParse(body);
  if (!env.success) return { ok: false, reason: `not a PagerDuty V3 webhook: ${z.prettifyError(env.error)}` };
  const e = env.data.event;
  const base: PdEventBase = { eventId: e.id, occurredAt: e.occurred_at, source: 'v3', raw: body };
  const agent = toAgent(e.agent);
  if (agent) base.agent = agent;

  const fail = (error: z.ZodError): { ok: false; reason: string } => ({
    ok: false,
    reason: `${e.event_type} ${e.id}: unexpected data: ${z.prettifyError(error)}`,
  });

  if (INCIDENT_DATA_TYPES.has(e.event_type)) {
    const d = IncidentData.safeParse(e.data);
    if (!d.success) return fail(d.error);
    return { ok: true, event: { ...base, ...incidentFacts(d.data), eventType: e.event_type as PdIncidentDataEventType } };
  }
  switch (e.event_type) {
    case 'incident.annotated': {
      const d = NoteData.safeParse(e.data);
      if (!d.success) return fail(d.error);
      const event: PdWebhookEvent = { ...base, ...referenceFacts(d.data.incident), eventType: e.event_type, noteContent: d.data.content };
      if (typeof d.data.trimmed === 'boolean') event.noteTrimmed = d.data.trimmed;
      return { ok: true, event };
    }
    case 'incident.status_update_published': {
      const d = StatusUpdateData.safeParse(e.data);
      if (!d.success) return fail(d.error);
      const event: PdWebhookEvent = { ...base, ...referenceFacts(d.data.incident), eventType: e.event_type, statusUpdateMessage: d.data.message };
      if (typeof d.data.trimmed === 'boolean') event.statusUpdateTrimmed = d.data.trimmed;
      return { ok: true, event };
    }
    case 'incident.responder.added':
    case 'incident.responder.replied': {
      const d = ResponderData.safeParse(e.data);
      if (!d.success) return fail(d.error);
      const responder: PdResponderEvent['responder'] = {};
      if (d.data.user) {
        responder.userId = d.data.user.id;
        if (d.data.user.summary) responder.userSummary = d.data.user.summary;
      }
      if (d.data.escalation_policy) responder.escalationPolicyId = d.data.escalation_policy.id;
      if (d.data.message != null) responder.message = d.data.message;
      if (d.data.state) responder.state = d.data.state;
      return { ok: true, event: { ...base, ...referenceFacts(d.data.incident), eventType: e.event_type, responder } };
    }
    case 'incident.conference_bridge.updated': {
      const d = ConferenceBridgeData.safeParse(e.data);
      if (!d.success) return fail(d.error);
      const numbers = (d.data.conference_numbers ?? []).map((n) => (typeof n === 'string' ? n : n.number)).filter((n) => n.length > 0);
      const conferenceBridge: { url?: string; numbers: string[] } = { numbers };
      if (d.data.conference_url) conferenceBridge.url = d.data.conference_url;
      return { ok: true, event: { ...base, ...referenceFacts(d.data.incident), eventType: e.event_type, conferenceBridge } };
    }
    default: {
      const event: PdWebhookEvent = { ...base, eventType: 'unknown', originalEventType: e.event_type };
      if (e.resource_type) event.resourceType = e.resource_type;
      const incidentId = incidentIdOf(e.resource_type, e.data);
      if (incidentId) event.pdIncidentId = incidentId;
      return { ok: true, event };
    }
  }
}

/**
 * Decodes any PagerDuty webhook body: a V3 envelope yields one event, a V2
 * body one event per message.
 */
export function decodePagerDutyWebhook(body: unknown): PdDecoded<{ version: 'v3' | 'v2'; events: PdWebhookEvent[] }> {
  if (typeof body === 'object' && body !== null && 'messages' in body && !('event' in body)) {
    const v2 = decodePagerDutyV2Webhook(body);
    return v2.ok ? { ok: true, version: 'v2', events: v2.events } : v2;
  }
  const v3 = decodePagerDutyV3Event(body);
  return v3.ok ? { ok: true, version: 'v3', events: [v3.event] } : v3;
}

/** Parses a raw request body and decodes it; invalid JSON is `{ ok: false }`. */
export function parsePagerDutyWebhook(rawBody: Buffer | string): PdDecoded<{ version: 'v3' | 'v2'; events: PdWebhookEvent[] }> {
  let body: unknown;
  try {
    body = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  } catch (e) {
    return { ok: false, reason: `body is not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  return decodePagerDutyWebhook(body);
}

function incidentFacts(d: z.infer<typeof IncidentData>): PdIncidentFacts {
  const f: PdIncidentFacts = { pdIncidentId: d.id };
  if (typeof d.number === 'number') f.pdIncidentNumber = d.number;
  if (d.title) f.title = d.title;
  if (d.status) f.status = d.status;
  // Absent key → unknown; explicit null → none.
  if (d.incident_key !== undefined) f.incidentKey = d.incident_key;
  if (d.html_url) f.htmlUrl = d.html_url;
  if (d.service) {
    f.serviceId = d.service.id;
    if (d.service.summary) f.serviceName = d.service.summary;
  }
  if (d.escalation_policy) f.escalationPolicyId = d.escalation_policy.id;
  if (d.urgency) f.urgency = d.urgency;
  if (d.priority === null) f.priority = null;
  else if (d.priority) f.priority = { id: d.priority.id, name: d.priority.summary ?? d.priority.id };
  if (d.assignees) f.assignees = d.assignees.map((a) => (a.summary ? { id: a.id, summary: a.summary } : { id: a.id }));
  return f;
}

function referenceFacts(ref: z.infer<typeof Ref>): PdIncidentFacts {
  const f: PdIncidentFacts = { pdIncidentId: ref.id };
  // In V3 payloads an incident_reference's summary is the incident title.
  if (ref.summary) f.title = ref.summary;
  if (ref.html_url) f.htmlUrl = ref.html_url;
  return f;
}

function incidentIdOf(resourceType: string | null | undefined, data: unknown): string | undefined {
  const withIncident = OnIncident.safeParse(data);
  if (withIncident.success) return withIncident.data.incident.id;
  if (resourceType === 'incident') {
    const self = Ref.safeParse(data);
    if (self.success) return self.data.id;
  }
  return undefined;
}
