/**
 * Side effects a transition asks for. They are intents, not calls: the app
 * layer writes each as an outbox row in the same transaction as the events,
 * and adapters render and deliver them later (so an outage is a delay).
 */
import type { CustomerAttachVia, PagerDutyEventFacts } from './events.ts';
import type { PdIncidentId, PdServiceId, SlackChannelId, SlackUserId } from './ids.ts';

/** Where a Slack message goes. `incident` is resolved at delivery time to the incident channel. */
/** Whom Kranz pages: a PagerDuty service, or a person as a responder on the linked PagerDuty incident. */
export type PageTarget = { kind: 'service'; serviceId: PdServiceId } | { kind: 'user'; userId: SlackUserId };

export type ChannelRef = { kind: 'incident' } | { kind: 'channel'; id: SlackChannelId } | { kind: 'user'; id: SlackUserId };

/**
 * Messages are semantic: what happened, as facts. The Slack adapter words
 * them and renders Block Kit from current state. Rows already queued by an
 * older Kranz keep their shape, so templates are only ever added to.
 */
export type MessageSpec =
  | { template: 'incident_announced' }
  | { template: 'status_update'; eventId: string }
  /** Free text; new rows use the templates below. */
  | { template: 'text'; text: string }
  | { template: 'severity_changed'; from: string; to: string; updateCadenceMs: number }
  | { template: 'resolved' }
  /** `facts` say what is due and how late; rows queued by an older Kranz carry finished `text` instead. */
  | { template: 'reminder'; reminder: string; level: number; mention: SlackUserId[]; facts?: ReminderFacts; text?: string }
  /**
   * `text` is the event's recorded summary. Rows with `facts` leave the question
   * that goes with `action` to the adapter; older rows have it in `text` already.
   */
  | { template: 'pagerduty_event'; eventType: string; text: string; facts?: PagerDutyEventFacts; action?: PdSuggestion }
  /** Someone linked a PagerDuty incident (`by`); number, URL and title when PagerDuty said them. */
  | { template: 'pagerduty_linked'; pdIncidentId: PdIncidentId; pdIncidentNumber?: number; url?: string; title?: string; by?: SlackUserId }
  /** Someone undid a link (`by`); number and URL when the link knew them. */
  | { template: 'pagerduty_unlinked'; pdIncidentId: PdIncidentId; pdIncidentNumber?: number; url?: string; by?: SlackUserId }
  | { template: 'report'; markdown: string }
  | { template: 'customer_attached'; customer: string; via: CustomerAttachVia }
  /** `callRemoved`: their open call item went off the checklist with them. */
  | { template: 'customer_detached'; customer: string; callRemoved?: boolean }
  /** `channel` when sent to the customer's Slack channel, `emails` when sent by email. */
  | { template: 'customer_report_sent'; customer: string; channel?: string; emails?: string[] }
  | { template: 'mitigated'; at: string }
  /** The status page incident exists now, at `url`. */
  | { template: 'statuspage_live'; url: string }
  /** The status page or the mail server refused a publication; `reason` is theirs. */
  | { template: 'publication_failed'; channel: 'statuspage' | 'email'; to?: string; reason: string };

/**
 * What one reminder step is about, at the moment it is sent: the adapter
 * words it. Durations are milliseconds at the send moment.
 */
export interface ReminderFacts {
  /** A `ReminderKind` (`status_update`, `customer_contact`, `checklist_item`, `no_activity`, `resolved_not_closed`, `review_due`). */
  kind: string;
  /** 1: the incident channel; 2: a DM to the commander; 3: the escalation target. */
  level: number;
  incident: number;
  severity: string;
  updateCadenceMs: number;
  /** How late the reminded thing is (under a minute reads "due now"). */
  overdueMs: number;
  /** The incident channel, once it exists. */
  channelId?: SlackChannelId;
  /** The incident title, where the message may show it (not outside a private incident's channel). */
  title?: string;
  /** A private incident named outside its channel: by number only. */
  private?: boolean;
  commander?: SlackUserId;
  /** Escalation: the commander was also reminded by DM. */
  commanderDmed?: boolean;
  /** Customer contact: the checklist's "call …" item. */
  callWho?: string;
  /** Checklist item: its title. */
  itemTitle?: string;
  /** No activity: quiet for this long. */
  quietMs?: number;
  /** Resolved but not closed: for this long. */
  resolvedForMs?: number;
}

/** A button Kranz offers in response to a PagerDuty event. */
export type PdSuggestion = { kind: 'resolve' } | { kind: 'change_severity'; severity: string };

/** Messages Kranz keeps up to date in place. */
export type Slot = 'summary' | 'checklist';

/** Statuspage component states Kranz sets: an impact while affected, operational once resolved. */
export type ComponentState = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage';

/**
 * One customer-facing update on the status page. `create` opens the page's
 * incident (the first publication of a Kranz incident), `update` adds an
 * incident update, `resolve` resolves it and sets its components operational.
 */
export interface StatusPagePublication {
  kind: 'statuspage.publish';
  action: 'create' | 'update' | 'resolve';
  pageId: string;
  /** Customer-facing name of the page incident (create only). */
  name?: string;
  status: 'investigating' | 'identified' | 'monitoring' | 'resolved';
  body: string;
  /** Component id → state set with this publication. */
  components: Record<string, ComponentState>;
  /** The status update event this publishes (absent for a bare resolve). */
  updateEventId?: string;
  /**
   * The page incident an update or resolve targets, when recorded as it was queued. A reopen may
   * open another before delivery; the row still goes to its own. Absent: the deliverer reads the
   * incident's record (the create ahead of it in the queue was not delivered yet, or an older row).
   */
  pageIncidentId?: string;
}

/**
 * One customer-facing update emailed to one address. Message ids are built
 * from `threadKey`s by the deliverer: this message is `messageKey`, it replies
 * to the last of `previousKeys` and references all of them.
 */
export interface CustomerEmail {
  kind: 'email.send';
  to: string;
  customerId: string;
  subject: string;
  text: string;
  messageKey: string;
  previousKeys: string[];
  updateEventId?: string;
  /** Set when the email carries this customer's incident report rather than a status update. */
  report?: string;
  /** `markdown`: `text` is Markdown, sent as plain text rendered from it (absent: `text` is sent as is). */
  format?: 'markdown';
}

export type Effect =
  | StatusPagePublication
  | CustomerEmail
  | { kind: 'slack.create_channel'; name: string; private: boolean; invite: SlackUserId[] }
  | { kind: 'slack.invite'; userIds: SlackUserId[] }
  | { kind: 'slack.set_topic' }
  | { kind: 'slack.post'; to: ChannelRef; message: MessageSpec }
  | { kind: 'slack.post_slot'; slot: Slot; pin: boolean }
  | { kind: 'slack.refresh_slot'; slot: Slot }
  /** `reportId`: the stored draft (`reports` row) to publish; the app fills it in when it saves the draft. */
  | { kind: 'slack.publish_report'; reportId?: number }
  | { kind: 'slack.archive' }
  /** A customer report posted for review in the incident channel, with its Send button. */
  | { kind: 'slack.publish_customer_report'; customer: string; customerName: string; markdown: string; sha256: string }
  /** A document (canvas, else file, else messages) in a given channel: how a sent customer report reaches the customer. */
  | { kind: 'slack.publish_document'; channel: string; title: string; filename: string; markdown: string }
  | { kind: 'pagerduty.invite_oncall'; serviceId: PdServiceId }
  | { kind: 'pagerduty.note'; pdIncidentId: PdIncidentId; content: string; as: 'note' | 'status_update' }
  | { kind: 'pagerduty.resolve'; pdIncidentId: PdIncidentId }
  | { kind: 'pagerduty.page'; target: PageTarget; message: string };
