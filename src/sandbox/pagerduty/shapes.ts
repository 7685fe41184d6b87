/**
 * Renders stand-in state as PagerDuty REST JSON, following the examples in
 * PagerDuty's OpenAPI document (getIncident, listServices, listOnCalls,
 * createIncidentNote, …): same keys, references as `{ id, type, summary,
 * self, html_url }`.
 */
import type {
  StandInEscalationPolicy,
  StandInIncident,
  StandInNote,
  StandInPriority,
  StandInResponderRequest,
  StandInService,
  StandInState,
  StandInStatusUpdate,
  StandInUser,
} from './state.ts';

/** The web UI host that `html_url`s point at. */
export const SANDBOX_WEB = 'https://kranz-sandbox.pagerduty.com';

const AVATAR = 'https://pd-static-assets.pagerduty.com/users/blank-avatar.png';

/** Renders resources; `apiUrl` is the stand-in's own base URL (for `self`). */
export class Shapes {
  constructor(
    private readonly state: StandInState,
    private readonly apiUrl: string,
  ) {}

  ref(type: string, collection: string, id: string, summary: string, webPath: string = collection): Record<string, unknown> {
    return { id, type, summary, self: `${this.apiUrl}/${collection}/${id}`, html_url: `${SANDBOX_WEB}/${webPath}/${id}` };
  }

  userRef(id: string): Record<string, unknown> {
    return this.ref('user_reference', 'users', id, this.state.users.get(id)?.name ?? id);
  }

  serviceRef(id: string): Record<string, unknown> {
    return this.ref('service_reference', 'services', id, this.state.services.get(id)?.name ?? id, 'service-directory');
  }

  policyRef(id: string): Record<string, unknown> {
    return this.ref('escalation_policy_reference', 'escalation_policies', id, this.state.escalationPolicies.get(id)?.name ?? id);
  }

  priorityRef(id: string): Record<string, unknown> {
    const p = this.state.priorities.find((x) => x.id === id);
    return { id, type: 'priority_reference', summary: p?.name ?? id, self: `${this.apiUrl}/priorities/${id}` };
  }

  incidentRef(i: StandInIncident): Record<string, unknown> {
    return this.ref('incident_reference', 'incidents', i.id, `[#${i.number}] ${i.title}`);
  }

  user(u: StandInUser): Record<string, unknown> {
    return {
      ...this.ref('user', 'users', u.id, u.name),
      name: u.name,
      email: u.email,
      time_zone: 'Etc/UTC',
      role: 'user',
      avatar_url: AVATAR,
      description: null,
      job_title: null,
      teams: [],
      contact_methods: [],
      notification_rules: [],
    };
  }

  service(s: StandInService): Record<string, unknown> {
    return {
      ...this.ref('service', 'services', s.id, s.name, 'service-directory'),
      name: s.name,
      description: null,
      auto_resolve_timeout: 14400,
      acknowledgement_timeout: 600,
      status: s.status,
      alert_creation: 'create_alerts_and_incidents',
      escalation_policy: this.policyRef(s.escalationPolicyId),
      teams: [],
      integrations: [],
      incident_urgency_rule: { type: 'constant', urgency: 'high' },
    };
  }

  policy(p: StandInEscalationPolicy): Record<string, unknown> {
    return { ...this.ref('escalation_policy', 'escalation_policies', p.id, p.name), name: p.name };
  }

  priority(p: StandInPriority): Record<string, unknown> {
    return { id: p.id, type: 'priority', summary: p.name, self: `${this.apiUrl}/priorities/${p.id}`, name: p.name, description: p.description };
  }

  incident(i: StandInIncident): Record<string, unknown> {
    const lastChangeBy = i.assigneeIds[0] ? this.userRef(i.assigneeIds[0]) : this.serviceRef(i.serviceId);
    return {
      ...this.ref('incident', 'incidents', i.id, `[#${i.number}] ${i.title}`),
      incident_number: i.number,
      title: i.title,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      status: i.status,
      incident_key: i.incidentKey,
      service: this.serviceRef(i.serviceId),
      assignments: i.status === 'resolved' ? [] : i.assigneeIds.map((id) => ({ at: i.createdAt, assignee: this.userRef(id) })),
      assigned_via: 'escalation_policy',
      acknowledgements: i.status === 'acknowledged' ? [{ at: i.updatedAt, acknowledger: lastChangeBy }] : [],
      pending_actions: [],
      last_status_change_at: i.updatedAt,
      last_status_change_by: lastChangeBy,
      resolved_at: i.resolvedAt,
      first_trigger_log_entry: this.ref('trigger_log_entry_reference', 'log_entries', `R${i.id}`, 'Triggered through the API'),
      escalation_policy: this.policyRef(i.escalationPolicyId),
      teams: [],
      priority: i.priorityId ? this.priorityRef(i.priorityId) : null,
      urgency: i.urgency,
      alert_counts: { all: 0, triggered: 0, resolved: 0 },
      incidents_responders: this.state.responderRequests
        .filter((r) => r.incidentId === i.id)
        .flatMap((r) => r.targetUserIds.map((id) => ({ state: 'pending', user: this.userRef(id), incident: this.incidentRef(i), updated_at: r.requestedAt, message: r.message, requester: this.userRef(r.requesterId), requested_at: r.requestedAt }))),
      responder_requests: [],
      custom_fields: [],
      incident_type: { name: 'incident_default' },
      conference_bridge: null,
      resolve_reason: null,
      is_mergeable: true,
      alert_grouping: null,
      body: i.details === null ? undefined : { type: 'incident_body', details: i.details },
    };
  }

  note(n: StandInNote): Record<string, unknown> {
    return {
      id: n.id,
      user: this.userRef(n.userId),
      channel: { summary: 'The PagerDuty website or APIs' },
      content: n.content,
      created_at: n.createdAt,
      updated_at: n.createdAt,
    };
  }

  statusUpdate(s: StandInStatusUpdate): Record<string, unknown> {
    return { id: s.id, message: s.message, sender: this.userRef(s.senderId), created_at: s.createdAt, subject: s.subject };
  }

  responderRequest(r: StandInResponderRequest): Record<string, unknown> {
    const incident = this.state.incidents.get(r.incidentId);
    const incidentRef = incident ? this.incidentRef(incident) : { id: r.incidentId, type: 'incident_reference' };
    return {
      incident: incidentRef,
      requester: this.userRef(r.requesterId),
      requested_at: r.requestedAt,
      message: r.message,
      responder_request_targets: r.targetUserIds.map((id) => ({
        responder_request_target: {
          type: 'user',
          id,
          incidents_responders: [
            {
              state: 'pending',
              user: { ...this.userRef(id), avatar_url: AVATAR },
              incident: incidentRef,
              updated_at: r.requestedAt,
              message: r.message,
              requester: { ...this.userRef(r.requesterId), avatar_url: AVATAR },
              requested_at: r.requestedAt,
            },
          ],
        },
      })),
    };
  }
}
