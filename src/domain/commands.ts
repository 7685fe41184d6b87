/**
 * What people (and PagerDuty) ask of an incident. Commands are validated by
 * `transition`; only the events it returns are facts.
 */
import type { CustomerFacingInput } from './customer-facing.ts';
import type { ActionKind, CustomerAttachVia, CustomerReportPart, KeyTime, NoteVia, PagerDutyEventFacts, Role, Status } from './events.ts';
import type { ChannelRef, PageTarget, ReminderFacts } from './effects.ts';
import type { PdIncidentId, PdServiceId, SlackChannelId, SlackUserId } from './ids.ts';

export type { PageTarget };

export type Command =
  | {
      type: 'declare';
      number: number;
      title: string;
      severity: string;
      description?: string;
      private?: boolean;
      commanderId?: SlackUserId;
      /** The commander's display name when the surface knows it (Slack users.info). */
      commanderName?: string;
      customers?: string[];
      impactStartedAt?: string;
      pagerDuty?: { pdIncidentId: PdIncidentId; pdIncidentNumber?: number; url?: string; serviceId?: PdServiceId };
    }
  | { type: 'record_channel'; channelId: SlackChannelId; channelName: string }
  | { type: 'member_joined'; userId: SlackUserId }
  | { type: 'change_severity'; severity: string; reason?: string }
  | { type: 'set_status'; status: Status }
  | { type: 'assign_role'; role: string; userId: SlackUserId }
  | { type: 'check_item'; itemId: string }
  | { type: 'post_status_update'; status?: Status; summary: string; nextUpdateInMs?: number; customer?: CustomerFacingInput }
  | { type: 'record_publication'; channel: 'statuspage' | 'email'; action?: 'create' | 'update' | 'resolve'; pageIncidentId?: string; url?: string; to?: string; messageId?: string; updateEventId?: string; report?: string }
  | { type: 'record_publication_failure'; channel: 'statuspage' | 'email'; reason: string; to?: string; updateEventId?: string }
  | { type: 'record_customer_contact'; customer?: string; details: string }
  | { type: 'add_note'; text: string; via: NoteVia; authorId?: SlackUserId; messageTs?: string; permalink?: string }
  | { type: 'edit_message'; messageTs: string; text: string }
  | { type: 'delete_message'; messageTs: string }
  /**
   * A person links a PagerDuty incident to this one (`/incident link`). Number, URL, service and title are
   * PagerDuty's answer when it was asked; `title` is only for the channel notice, not recorded.
   */
  | { type: 'link_pagerduty'; pdIncidentId: PdIncidentId; pdIncidentNumber?: number; url?: string; serviceId?: PdServiceId; title?: string }
  /**
   * A person undoes a link (`/incident unlink`), made by hand or when PagerDuty's trigger opened this
   * incident: that PagerDuty incident's events stop landing here, and resolving here no longer resolves it.
   */
  | { type: 'unlink_pagerduty'; pdIncidentId: PdIncidentId }
  | { type: 'record_pagerduty_event'; eventType: string; pdIncidentId: PdIncidentId; facts: PagerDutyEventFacts; suggestion?: 'resolve' | { severity: string } }
  | { type: 'record_reminder'; reminder: string; level: number; dueAt: string; to: ChannelRef; mention: SlackUserId[]; facts: ReminderFacts }
  | { type: 'record_root_cause'; text: string }
  | { type: 'add_action_item'; kind: ActionKind; text: string }
  | { type: 'resolve'; summary?: string }
  | { type: 'close' }
  | { type: 'reopen'; reason?: string }
  | { type: 'record_report'; length: number; sha256: string }
  | { type: 'page'; target: PageTarget; message: string }
  | { type: 'attach_customer'; customer: string; via: CustomerAttachVia }
  | { type: 'detach_customer'; customer: string }
  | { type: 'edit_customer_report'; customer?: string; part: CustomerReportPart; text?: string; withheld?: boolean }
  | { type: 'record_customer_report'; customer: string; markdown: string; sha256: string }
  | { type: 'send_customer_report'; customer: string; sha256: string; markdown: string; via?: 'slack' | 'email' }
  | { type: 'acknowledge' }
  | { type: 'mark_mitigated'; at?: string }
  | { type: 'correct_time'; key: KeyTime; at: string; previous?: string; reason?: string };

export type CommandType = Command['type'];

/** Statuses a responder may set by hand; resolved and closed have their own commands. */
export const SETTABLE_STATUSES: readonly Status[] = ['investigating', 'identified', 'monitoring'];

export const isRole = (r: string): r is Role =>
  ['commander', 'customer_liaison', 'scribe', 'communications', 'subject_expert'].includes(r);
