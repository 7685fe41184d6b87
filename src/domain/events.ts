/**
 * The append-only incident event log. Every fact Kranz knows about an incident
 * is one of these; the incident's current state is a projection of them.
 */

export const STATUSES = ['investigating', 'identified', 'monitoring', 'resolved', 'closed'] as const;
export type Status = (typeof STATUSES)[number];

export const ROLES = ['commander', 'customer_liaison', 'scribe', 'communications', 'subject_expert'] as const;
export type Role = (typeof ROLES)[number];

/** Who did it. Slack users are kept by id; names are for rendering only. */
export type Actor =
  | { kind: 'user'; userId: string; name?: string }
  | { kind: 'pagerduty'; id?: string; name?: string }
  | { kind: 'kranz' };

/** Where the fact came from, so the report can cite it. */
export type SourceRef =
  | { kind: 'slack'; channelId?: string; ts?: string; permalink?: string }
  | { kind: 'pagerduty'; eventId: string; pdIncidentId?: string; url?: string }
  | { kind: 'kranz'; ref?: string }
  | { kind: 'cli' };

export type NoteVia = 'command' | 'reaction' | 'pin' | 'shortcut' | 'pagerduty';
export type ActionKind = 'prevent' | 'fail_better';

/**
 * What a PagerDuty event said, as facts (who, which priority, which
 * responder); each surface puts them in its own words.
 */
export interface PagerDutyEventFacts {
  /** The PagerDuty incident's number; reference-only events take it from the link. */
  pdIncidentNumber?: number;
  agentName?: string;
  /** `incident.priority_updated`: the new priority's name; absent when the priority was removed. */
  priorityName?: string;
  responderName?: string;
  responderState?: string;
  statusUpdateMessage?: string;
}

/** The payload of each event type, keyed by `type`. */
export interface EventPayloads {
  declared: {
    number: number;
    title: string;
    severity: string;
    description: string;
    private: boolean;
    commanderId?: string;
    declaredBy?: string;
    customers: string[];
    /** The checklist as policy built it at declare time (policy may change later). */
    checklist: { id: string; title: string; dueAt?: string }[];
    impactStartedAt?: string;
    detectedAt?: string;
  };
  channel_created: { channelId: string; channelName: string };
  member_joined: { userId: string };
  severity_changed: { from: string; to: string; reason?: string };
  status_changed: { from: Status; to: Status };
  role_assigned: { role: Role; userId: string; previous?: string };
  checklist_item_done: { itemId: string; title: string };
  status_update_posted: { status: Status; summary: string; nextUpdateAt: string; relayedTo: string[] };
  customer_contacted: { customer?: string; details: string };
  note_added: { text: string; via: NoteVia; authorId?: string; messageTs?: string; permalink?: string };
  message_edited: { messageTs: string; text: string; previousText: string };
  message_deleted: { messageTs: string; previousText: string };
  pagerduty_linked: { pdIncidentId: string; pdIncidentNumber?: number; url?: string; serviceId?: string };
  /** `summary` is the report's sentence for it; `facts` (since they were recorded) what it is made of. */
  pagerduty_event: { eventType: string; pdIncidentId: string; summary: string; facts?: PagerDutyEventFacts };
  reminder_sent: { reminder: string; level: number; dueAt: string; recipient: string };
  root_cause_recorded: { text: string };
  action_item_added: { kind: ActionKind; text: string };
  resolved: { summary?: string };
  closed: Record<string, never>;
  reopened: { reason?: string };
  report_drafted: { length: number; sha256: string };
}

export type EventType = keyof EventPayloads;

/** Fields every event carries. */
export interface EventEnvelope {
  id: string;
  incidentId: string;
  /** Source time (e.g. the Slack message's ts), ISO 8601 UTC. */
  occurredAt: string;
  /** When Kranz recorded it, ISO 8601 UTC. */
  recordedAt: string;
  actor: Actor;
  source: SourceRef;
  /** Unique across the log: the same key twice is one event. */
  idempotencyKey: string;
}

export type IncidentEventOf<T extends EventType> = EventEnvelope & { type: T; data: EventPayloads[T] };

/** The discriminated union of all events. */
export type IncidentEvent = { [T in EventType]: IncidentEventOf<T> }[EventType];

export const EVENT_TYPES: readonly EventType[] = [
  'declared', 'channel_created', 'member_joined', 'severity_changed', 'status_changed', 'role_assigned',
  'checklist_item_done', 'status_update_posted', 'customer_contacted', 'note_added', 'message_edited',
  'message_deleted', 'pagerduty_linked', 'pagerduty_event', 'reminder_sent', 'root_cause_recorded',
  'action_item_added', 'resolved', 'closed', 'reopened', 'report_drafted',
];
