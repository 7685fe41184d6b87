/**
 * Real-shaped PagerDuty webhook bodies. The V3 templates copy the structure
 * and key order of captured deliveries (Zulip's PagerDuty fixtures, 2026
 * account) and of PagerDuty's webhook docs; the V2 template copies Zulip's
 * `trigger_v2.json`. Only the values Kranz cares about are parameters.
 */
import { randomUUID } from 'node:crypto';

/** The incident a webhook talks about. */
export interface WebhookIncident {
  id: string;
  number: number;
  title: string;
  serviceId: string;
  serviceName: string;
  escalationPolicyId?: string;
  escalationPolicyName?: string;
  urgency?: 'high' | 'low';
  /** `null` is sent as `"priority": null`, as PagerDuty does without priorities. */
  priority?: { id: string; name: string } | null;
  /** Omitted from the body when undefined (older deliveries had no key). */
  incidentKey?: string | null;
  assignees?: { id: string; summary: string }[];
  /** Overrides the status implied by the event type. */
  status?: 'triggered' | 'acknowledged' | 'resolved';
  createdAt?: string;
}

/** Everything a V3 body is built from. */
export interface WebhookEventSpec {
  /** Any V3 type; unknown ones get incident data (or service data for `service.*`). */
  eventType: string;
  incident: WebhookIncident;
  eventId?: string;
  occurredAt?: string;
  /** `null` sends `"agent": null` (automatic actions). Default: a user. */
  agent?: { id: string; summary: string; type?: string } | null;
  /** `<subdomain>.pagerduty.com` in html_urls. Default `kranz-sandbox`. */
  subdomain?: string;
  note?: { id?: string; content: string; trimmed?: boolean };
  statusUpdate?: { id?: string; message: string; trimmed?: boolean };
  responder?: { userId: string; userSummary: string; message?: string; state?: string; escalationPolicy?: { id: string; summary: string } | null };
  conferenceBridge?: { url?: string | null; numbers?: { label: string; number: string }[] | null };
}

const DEFAULT_AGENT = { id: 'PAGENT1', summary: 'Sandbox Responder', type: 'user_reference' };

/** A V3 event id shaped like PagerDuty's (26 upper-case alphanumerics). */
export function newV3EventId(): string {
  return `01${randomUUID().replace(/-/g, '').toUpperCase().slice(0, 24)}`;
}

function links(sub: string, collection: string, id: string, webCollection = collection): { self: string; html_url: string } {
  return { self: `https://api.pagerduty.com/${collection}/${id}`, html_url: `https://${sub}.pagerduty.com/${webCollection}/${id}` };
}

function reference(sub: string, type: string, collection: string, id: string, summary: string): Record<string, unknown> {
  const l = links(sub, collection, id);
  return { id, type, self: l.self, html_url: l.html_url, summary };
}

function statusFor(eventType: string, i: WebhookIncident): string {
  if (i.status) return i.status;
  if (eventType === 'incident.acknowledged') return 'acknowledged';
  if (eventType === 'incident.resolved') return 'resolved';
  return 'triggered';
}

function incidentData(spec: WebhookEventSpec, sub: string): Record<string, unknown> {
  const i = spec.incident;
  const l = links(sub, 'incidents', i.id);
  const data: Record<string, unknown> = { id: i.id, type: 'incident', self: l.self, html_url: l.html_url, number: i.number, status: statusFor(spec.eventType, i) };
  if (i.incidentKey !== undefined) data['incident_key'] = i.incidentKey;
  Object.assign(data, {
    created_at: i.createdAt ?? spec.occurredAt ?? new Date().toISOString(),
    reopened_at: null,
    title: i.title,
    service: reference(sub, 'service_reference', 'services', i.serviceId, i.serviceName),
    assignees: (i.assignees ?? []).map((a) => reference(sub, 'user_reference', 'users', a.id, a.summary)),
    escalation_policy: reference(sub, 'escalation_policy_reference', 'escalation_policies', i.escalationPolicyId ?? 'PEPSBX1', i.escalationPolicyName ?? 'Default'),
    teams: [],
    priority: i.priority
      ? { id: i.priority.id, type: 'priority_reference', self: `https://api.pagerduty.com/priorities/${i.priority.id}`, html_url: `https://${sub}.pagerduty.com/account/settings/incidents`, summary: i.priority.name }
      : null,
    urgency: i.urgency ?? 'high',
    conference_bridge: null,
    resolve_reason: null,
    incident_type: { name: 'major_default' },
  });
  return data;
}

function incidentReference(spec: WebhookEventSpec, sub: string): Record<string, unknown> {
  return reference(sub, 'incident_reference', 'incidents', spec.incident.id, spec.incident.title);
}

function dataFor(spec: WebhookEventSpec, sub: string): Record<string, unknown> {
  const incident = incidentReference(spec, sub);
  switch (spec.eventType) {
    case 'incident.annotated': {
      const n = spec.note ?? { content: 'Sandbox note' };
      return { incident, id: n.id ?? 'PNOTE01', content: n.content, trimmed: n.trimmed ?? false, type: 'incident_note' };
    }
    case 'incident.status_update_published': {
      const s = spec.statusUpdate ?? { message: 'Sandbox status update' };
      return { incident, id: s.id ?? 'PSTAT01', message: s.message, trimmed: s.trimmed ?? false, type: 'incident_status_update' };
    }
    case 'incident.responder.added':
    case 'incident.responder.replied': {
      const r = spec.responder ?? { userId: 'PRESP01', userSummary: 'Sandbox Responder' };
      const ep = r.escalationPolicy === undefined ? { id: spec.incident.escalationPolicyId ?? 'PEPSBX1', summary: spec.incident.escalationPolicyName ?? 'Default' } : r.escalationPolicy;
      return {
        incident,
        user: reference(sub, 'user_reference', 'users', r.userId, r.userSummary),
        escalation_policy: ep ? reference(sub, 'escalation_policy_reference', 'escalation_policies', ep.id, ep.summary) : null,
        message: r.message ?? `Please help with "${spec.incident.title}"`,
        state: r.state ?? (spec.eventType === 'incident.responder.added' ? 'pending' : 'accepted'),
        type: 'incident_responder',
      };
    }
    case 'incident.conference_bridge.updated': {
      const c = spec.conferenceBridge ?? {};
      return { incident, conference_numbers: c.numbers ?? null, conference_url: c.url ?? null, type: 'incident_conference_bridge' };
    }
    default:
      if (spec.eventType.startsWith('service.')) {
        const l = links(sub, 'services', spec.incident.serviceId);
        return { html_url: l.html_url, id: spec.incident.serviceId, self: l.self, summary: spec.incident.serviceName, teams: [], type: 'service' };
      }
      return incidentData(spec, sub);
  }
}

/** A V3 webhook body: `{ event: { id, event_type, resource_type, occurred_at, agent, client, data } }`. */
export function buildV3WebhookBody(spec: WebhookEventSpec): { event: Record<string, unknown> } {
  const sub = spec.subdomain ?? 'kranz-sandbox';
  const a = spec.agent === undefined ? DEFAULT_AGENT : spec.agent;
  return {
    event: {
      id: spec.eventId ?? newV3EventId(),
      event_type: spec.eventType,
      resource_type: spec.eventType.startsWith('service.') ? 'service' : 'incident',
      occurred_at: spec.occurredAt ?? new Date().toISOString(),
      agent: a ? reference(sub, a.type ?? 'user_reference', 'users', a.id, a.summary) : null,
      client: null,
      data: dataFor(spec, sub),
    },
  };
}

/** Legacy V2 event names. */
export type V2EventName =
  | 'incident.trigger'
  | 'incident.acknowledge'
  | 'incident.unacknowledge'
  | 'incident.resolve'
  | 'incident.assign'
  | 'incident.escalate'
  | 'incident.delegate'
  | 'incident.annotate';

const V2_STATUS: Record<V2EventName, string> = {
  'incident.trigger': 'triggered',
  'incident.acknowledge': 'acknowledged',
  'incident.unacknowledge': 'triggered',
  'incident.resolve': 'resolved',
  'incident.assign': 'triggered',
  'incident.escalate': 'triggered',
  'incident.delegate': 'triggered',
  'incident.annotate': 'triggered',
};

/**
 * A V2 body with one message per event, shaped like `trigger_v2.json`. An
 * annotate message carries the note as its log entry's channel summary.
 */
export function buildV2WebhookBody(messages: readonly { event: V2EventName; spec: WebhookEventSpec; messageId?: string }[]): { messages: unknown[] } {
  return {
    messages: messages.map(({ event, spec, messageId }) => {
      const sub = spec.subdomain ?? 'kranz-sandbox';
      const i = spec.incident;
      const at = spec.occurredAt ?? new Date().toISOString();
      const agent = spec.agent === undefined ? DEFAULT_AGENT : spec.agent;
      const verb = event.slice('incident.'.length);
      const service = reference(sub, 'service_reference', 'services', i.serviceId, i.serviceName);
      const incidentRef = reference(sub, 'incident_reference', 'incidents', i.id, `[#${i.number}] ${i.title}`);
      const channel = event === 'incident.annotate' ? { type: 'note', summary: spec.note?.content ?? 'Sandbox note' } : { type: 'api' };
      const l = links(sub, 'incidents', i.id);
      return {
        event,
        log_entries: [
          {
            id: `R${i.id}${verb.toUpperCase()}`,
            type: `${verb}_log_entry`,
            summary: `${verb} through the API`,
            created_at: at,
            agent: agent ? reference(sub, agent.type ?? 'user_reference', 'users', agent.id, agent.summary) : null,
            channel,
            service,
            incident: incidentRef,
            teams: [],
            contexts: [],
          },
        ],
        webhook: { endpoint_url: 'https://example.invalid/pagerduty', name: 'V2 webhook', description: null, type: 'webhook' },
        incident: {
          incident_number: i.number,
          title: i.title,
          description: i.title,
          created_at: i.createdAt ?? at,
          status: i.status ?? V2_STATUS[event],
          incident_key: i.incidentKey ?? null,
          service: { ...service, name: i.serviceName, type: 'service' },
          assignments: (i.assignees ?? []).map((a) => ({ at, assignee: reference(sub, 'user_reference', 'users', a.id, a.summary) })),
          acknowledgements: [],
          last_status_change_at: at,
          escalation_policy: reference(sub, 'escalation_policy_reference', 'escalation_policies', i.escalationPolicyId ?? 'PEPSBX1', i.escalationPolicyName ?? 'Default'),
          teams: [],
          urgency: i.urgency ?? 'high',
          ...(i.priority === undefined ? {} : { priority: i.priority ? { id: i.priority.id, type: 'priority', summary: i.priority.name, name: i.priority.name } : null }),
          id: i.id,
          type: 'incident',
          summary: `[#${i.number}] ${i.title}`,
          self: l.self,
          html_url: l.html_url,
        },
        id: messageId ?? randomUUID(),
        created_on: at,
      };
    }),
  };
}
