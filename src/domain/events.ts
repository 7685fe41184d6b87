/**
 * The append-only incident event log. Every fact Kranz knows about an incident
 * is one of these; the incident's current state is a projection of them.
 */
import type { ChecklistChange, ChecklistItemSpec } from './call-items.ts';
import type { CustomerPolicy, CustomerReportPolicy, SeverityPolicy } from './policy.ts';

export const STATUSES = ['investigating', 'identified', 'monitoring', 'resolved', 'closed'] as const;
export type Status = (typeof STATUSES)[number];

export const ROLES = ['commander', 'customer_liaison', 'scribe', 'communications', 'subject_expert'] as const;
export type Role = (typeof ROLES)[number];

import type { IncidentId, PdIncidentId, PdServiceId, SlackChannelId, SlackUserId } from './ids.ts';

/** Who did it. Slack users are kept by id; names are for rendering only. */
export type Actor =
  | { kind: 'user'; userId: SlackUserId; name?: string }
  | { kind: 'pagerduty'; id?: string; name?: string }
  | { kind: 'kranz' };

/** Where the fact came from, so the report can cite it. */
export type SourceRef =
  | { kind: 'slack'; channelId?: SlackChannelId; ts?: string; permalink?: string }
  | { kind: 'pagerduty'; eventId: string; pdIncidentId?: PdIncidentId; url?: string }
  | { kind: 'kranz'; ref?: string }
  | { kind: 'cli' };

export type NoteVia = 'command' | 'reaction' | 'pin' | 'shortcut' | 'pagerduty';

/**
 * The moments the report measures. Each is set by an event (see
 * `key-times.ts` for which) and the commander may correct any of them.
 */
export const KEY_TIMES = [
  'impact_started', 'detected', 'declared', 'acknowledged', 'commander_named',
  'customer_contacted', 'mitigated', 'restored', 'resolved', 'closed',
] as const;
export type KeyTime = (typeof KEY_TIMES)[number];

/** The parts of a customer report the commander may edit or withhold. */
export const CUSTOMER_REPORT_PARTS = ['summary', 'updates', 'root_cause', 'measures'] as const;
export type CustomerReportPart = (typeof CUSTOMER_REPORT_PARTS)[number];

/** How a customer came to be attached to an incident. */
export type CustomerAttachVia = 'command' | 'only_configured' | 'button' | 'pagerduty' | 'declare';

/** The parts of the policy an incident's report depends on, as they were when it ran (never secrets). */
export interface PolicySnapshot {
  severities: SeverityPolicy[];
  customers: CustomerPolicy[];
  reportTimezone: string;
  stakeholderChannel?: SlackChannelId;
  customerReports?: CustomerReportPolicy;
}
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
    commanderId?: SlackUserId;
    declaredBy?: SlackUserId;
    customers: string[];
    /** The checklist as policy built it at declare time (policy may change later): a call item per customer named, first. */
    checklist: ChecklistItemSpec[];
    impactStartedAt?: string;
    detectedAt?: string;
    /** The policy the incident runs under; absent on incidents declared before snapshots existed. */
    policy?: PolicySnapshot;
    /** Display names of the people named here, as Slack gave them at the time. */
    commanderName?: string;
    declaredByName?: string;
  };
  channel_created: { channelId: SlackChannelId; channelName: string };
  member_joined: { userId: SlackUserId; name?: string };
  severity_changed: { from: string; to: string; reason?: string };
  status_changed: { from: Status; to: Status };
  role_assigned: { role: Role; userId: SlackUserId; previous?: SlackUserId; userName?: string; previousName?: string };
  checklist_item_done: { itemId: string; title: string };
  status_update_posted: {
    status: Status;
    summary: string;
    nextUpdateAt: string;
    relayedTo: SlackChannelId[];
    /** What went to customers beyond Slack (absent: nothing). */
    customer?: { title: string; statusPage?: { pageId: string; action: 'create' | 'update'; components: Record<string, 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage'> }; emailedTo?: string[] };
  };
  /** A status page entry or customer email went out (recorded with its delivery; `url` links the page incident). */
  customer_update_published: { channel: 'statuspage' | 'email'; action?: 'create' | 'update' | 'resolve'; pageIncidentId?: string; url?: string; to?: string; messageId?: string; updateEventId?: string; report?: string };
  /** A status page entry or customer email was refused for good. */
  customer_update_failed: { channel: 'statuspage' | 'email'; reason: string; to?: string; updateEventId?: string };
  /**
   * A call to a customer (absent `customer`: to no one in particular). `via: 'checklist'`: their call item
   * was ticked, and `details` is its title; otherwise `details` is what the person wrote.
   */
  customer_contacted: { customer?: string; details: string; via?: 'checklist' };
  note_added: { text: string; via: NoteVia; authorId?: SlackUserId; authorName?: string; messageTs?: string; permalink?: string };
  message_edited: { messageTs: string; text: string; previousText: string };
  message_deleted: { messageTs: string; previousText: string };
  pagerduty_linked: { pdIncidentId: PdIncidentId; pdIncidentNumber?: number; url?: string; serviceId?: PdServiceId };
  /** The link undone (`/incident unlink`); the number, when the link knew it, so the timeline names it as it named the link. */
  pagerduty_unlinked: { pdIncidentId: PdIncidentId; pdIncidentNumber?: number };
  /** `summary` is the report's sentence for it; `facts` (since they were recorded) what it is made of. */
  pagerduty_event: { eventType: string; pdIncidentId: PdIncidentId; summary: string; facts?: PagerDutyEventFacts };
  reminder_sent: { reminder: string; level: number; dueAt: string; recipient: string; recipientName?: string };
  root_cause_recorded: { text: string };
  action_item_added: { kind: ActionKind; text: string };
  /** `emailedTo`: the contacts emailed the resolution (those the updates were emailed to). */
  resolved: { summary?: string; emailedTo?: string[] };
  closed: Record<string, never>;
  reopened: { reason?: string };
  report_drafted: { length: number; sha256: string };
  /** A responder acknowledged in Slack (`/incident acknowledge`); PagerDuty's own ack is a `pagerduty_event`. */
  acknowledged: Record<string, never>;
  /** The commander said the impact is mitigated (`/incident mitigated [time]`); `occurredAt` is that time. */
  mitigated: Record<string, never>;
  /**
   * A key time set by hand (`/incident times`): it wins over what the events imply. `previous`: the value it
   * replaced, as the report had it (the last correction's, if any); absent when the report had none, and on
   * corrections of the commander-named and service-restored times recorded before they kept one.
   */
  time_corrected: { key: KeyTime; at: string; previous?: string; reason?: string; checklist?: ChecklistChange };
  /**
   * `policy` is that customer's entry as configured at the time, kept with the incident's snapshot.
   * `checklist`: what it did to the call items (absent on events from before customers had their own).
   */
  customer_attached: { customer: string; via: CustomerAttachVia; policy?: CustomerPolicy; checklist?: ChecklistChange };
  customer_detached: { customer: string; checklist?: ChecklistChange };
  /** A customer report drafted and posted for review; nothing has reached the customer yet. */
  customer_report_drafted: { customer: string; length: number; sha256: string };
  /**
   * The commander edited or withheld a part of a customer report (absent `customer`: every customer's).
   * `text` replaces the part; `withheld` leaves it out. The last word on a part wins.
   */
  customer_report_edited: { customer?: string; part: CustomerReportPart; text?: string; withheld?: boolean };
  /** Someone clicked Send: the customer report went to the customer's channel (or address). */
  customer_report_sent: { customer: string; sha256: string; to: string; via: 'slack' | 'email' };
}

export type EventType = keyof EventPayloads;

/** Fields every event carries. */
export interface EventEnvelope {
  id: string;
  incidentId: IncidentId;
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
  'message_deleted', 'pagerduty_linked', 'pagerduty_unlinked', 'pagerduty_event', 'reminder_sent', 'root_cause_recorded',
  'action_item_added', 'resolved', 'closed', 'reopened', 'report_drafted', 'acknowledged', 'mitigated',
  'time_corrected', 'customer_update_published', 'customer_update_failed', 'customer_attached', 'customer_detached', 'customer_report_drafted', 'customer_report_sent',
  'customer_report_edited',
];
