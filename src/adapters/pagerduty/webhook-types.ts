/**
 * The normalised view of a PagerDuty webhook event that the rest of Kranz
 * consumes, whether it arrived as a V3 envelope or a legacy V2 message.
 */

/** V3 incident event types whose `data` is the incident itself. */
export const PD_INCIDENT_DATA_EVENT_TYPES = [
  'incident.triggered',
  'incident.acknowledged',
  'incident.unacknowledged',
  'incident.escalated',
  'incident.reassigned',
  'incident.delegated',
  'incident.reopened',
  'incident.resolved',
  'incident.priority_updated',
] as const;

/** Every V3 event type Kranz decodes specifically; others become `unknown`. */
export const PD_KNOWN_EVENT_TYPES = [
  ...PD_INCIDENT_DATA_EVENT_TYPES,
  'incident.annotated',
  'incident.status_update_published',
  'incident.responder.added',
  'incident.responder.replied',
  'incident.conference_bridge.updated',
] as const;

export type PdIncidentDataEventType = (typeof PD_INCIDENT_DATA_EVENT_TYPES)[number];
export type PdKnownEventType = (typeof PD_KNOWN_EVENT_TYPES)[number];

/** Who caused the event (a user, or a service/integration for automatic ones). */
export interface PdAgent {
  id: string;
  summary: string;
  /** e.g. `user_reference`, `service_reference`. */
  type: string;
}

/** A user reference (assignees). */
export interface PdUserRef {
  id: string;
  summary?: string;
}

/** Fields every decoded event carries. */
export interface PdEventBase {
  /** PagerDuty's event id (V3) or message id (V2): the de-duplication key. */
  eventId: string;
  /** ISO-8601 time the event happened. */
  occurredAt: string;
  source: 'v3' | 'v2';
  /** Absent when PagerDuty sent none (automatic actions, `agent: null`). */
  agent?: PdAgent;
  /** The V3 envelope or the V2 message, untouched. */
  raw: unknown;
}

/**
 * What the event says about the incident. Optional fields are absent when the
 * payload does not carry them (a note event says nothing about priority), so
 * absence never means "cleared"; `priority: null` does mean "no priority".
 */
export interface PdIncidentFacts {
  pdIncidentId: string;
  pdIncidentNumber?: number;
  title?: string;
  status?: string;
  incidentKey?: string | null;
  serviceId?: string;
  serviceName?: string;
  escalationPolicyId?: string;
  urgency?: string;
  priority?: { id: string; name: string } | null;
  htmlUrl?: string;
  assignees?: PdUserRef[];
}

/** Triggered, acknowledged, resolved, reassigned, priority changed, … */
export type PdIncidentChangeEvent = PdEventBase & PdIncidentFacts & { eventType: PdIncidentDataEventType };

/** A note was added. V3 always carries the text; V2 carries it when its log entry does. */
export type PdAnnotatedEvent = PdEventBase &
  PdIncidentFacts & {
    eventType: 'incident.annotated';
    noteContent?: string;
    /** PagerDuty shortened a long note; fetch the notes for the full text. */
    noteTrimmed?: boolean;
  };

/** A status update was published. */
export type PdStatusUpdateEvent = PdEventBase &
  PdIncidentFacts & {
    eventType: 'incident.status_update_published';
    statusUpdateMessage: string;
    statusUpdateTrimmed?: boolean;
  };

/** A responder was requested, or answered the request. */
export type PdResponderEvent = PdEventBase &
  PdIncidentFacts & {
    eventType: 'incident.responder.added' | 'incident.responder.replied';
    responder: {
      userId?: string;
      userSummary?: string;
      escalationPolicyId?: string;
      message?: string;
      /** e.g. `pending`, `accepted`, `declined`. */
      state?: string;
    };
  };

/** The conference bridge changed. */
export type PdConferenceBridgeEvent = PdEventBase &
  PdIncidentFacts & {
    eventType: 'incident.conference_bridge.updated';
    conferenceBridge: { url?: string; numbers: string[] };
  };

/** Any other event type (service.updated, incident.workflow.started, …). */
export type PdUnknownEvent = PdEventBase & {
  eventType: 'unknown';
  originalEventType: string;
  resourceType?: string;
  /** Set when the data names an incident. */
  pdIncidentId?: string;
};

/** A decoded webhook event, keyed by `eventType`. */
export type PdWebhookEvent =
  | PdIncidentChangeEvent
  | PdAnnotatedEvent
  | PdStatusUpdateEvent
  | PdResponderEvent
  | PdConferenceBridgeEvent
  | PdUnknownEvent;

/** Decoding outcome; decoders never throw. */
export type PdDecoded<T> = ({ ok: true } & T) | { ok: false; reason: string };
