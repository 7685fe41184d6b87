/**
 * The incident as a projection of its events. `applyEvent` is the only way
 * state changes, so replaying the log always gives the same incident.
 */
import { applyChecklistChange, CALL_CUSTOMER_ITEM, itemsTickedByContact, type ChecklistItemState } from './call-items.ts';
import { callCustomerTitle } from './checklist-title.ts';
import { afterCustomerUpdate, resolvedFacing, type CustomerFacingState } from './customer-facing.ts';
import type { ActionKind, IncidentEvent, PolicySnapshot, Role, Status } from './events.ts';
import type { IncidentId, PdIncidentId, PdServiceId, SlackChannelId, SlackUserId } from './ids.ts';
import { emptyKeyTimeLog, withKeyTimeEvent, type KeyTimeLog } from './key-times.ts';

export { CALL_CUSTOMER_ITEM, type ChecklistItemState } from './call-items.ts';

export interface TimelineNote {
  eventId: string;
  occurredAt: string;
  text: string;
  messageTs?: string;
  deleted: boolean;
}

/** Times that matter for the report's metrics, ISO 8601 UTC. */
export interface KeyTimes {
  impactStartedAt?: string;
  detectedAt?: string;
  declaredAt: string;
  acknowledgedAt?: string;
  customerContactedAt?: string;
  mitigatedAt?: string;
  resolvedAt?: string;
  closedAt?: string;
}

export interface IncidentState {
  id: IncidentId;
  number: number;
  title: string;
  description: string;
  severity: string;
  status: Status;
  private: boolean;
  channelId?: SlackChannelId;
  channelName?: string;
  roles: Partial<Record<Role, SlackUserId>>;
  members: SlackUserId[];
  customers: string[];
  pagerDutyIncidents: { id: PdIncidentId; number?: number; url?: string; serviceId?: PdServiceId }[];
  checklist: ChecklistItemState[];
  times: KeyTimes;
  /**
   * The declaration time as corrected with `/incident times` (`times.declaredAt` keeps the one logged).
   * Call items are due from it; absent when never corrected, and on incidents stored before it was kept.
   */
  declaredCorrectedAt?: string;
  /**
   * The key times as the report has them (`key-times.ts`, events known by id), so a correction records
   * the value it replaces, report-only times included. Absent on incidents stored before it was kept.
   */
  keyTimeLog?: KeyTimeLog<string>;
  lastStatusUpdateAt?: string;
  nextUpdateDueAt?: string;
  statusUpdates: number;
  lastActivityAt: string;
  rootCause?: string;
  actionItems: { kind: ActionKind; text: string }[];
  /** Messages flagged into the timeline, by Slack ts (notes typed as commands are in the event log only). */
  notes: TimelineNote[];
  /** The status page incident and email thread customers see (absent until the first customer-facing publication). */
  customerFacing?: CustomerFacingState;
  eventCount: number;
  /** The policy the incident runs under (see `PolicySnapshot`); absent for incidents declared before snapshots. */
  policy?: PolicySnapshot;
}

export const human = (s: Pick<IncidentState, 'number'>): string => `INC-${s.number}`;

const addMember = (members: SlackUserId[], id: SlackUserId | undefined): SlackUserId[] =>
  id && !members.includes(id) ? [...members, id] : members;

/** Applies one event. Unknown-to-state events (e.g. reminders) only touch activity counters. */
export function applyEvent(state: IncidentState | undefined, e: IncidentEvent): IncidentState {
  const s = applyToState(state, e);
  // Kept from the declaration on: a log started later would miss what came before.
  const log = e.type === 'declared' ? emptyKeyTimeLog<string>() : s.keyTimeLog;
  const next = log && withKeyTimeEvent(log, e);
  return next && next !== s.keyTimeLog ? { ...s, keyTimeLog: next } : s;
}

function applyToState(state: IncidentState | undefined, e: IncidentEvent): IncidentState {
  if (e.type === 'declared') {
    const d = e.data;
    return {
      id: e.incidentId,
      number: d.number,
      title: d.title,
      description: d.description,
      severity: d.severity,
      status: 'investigating',
      private: d.private,
      roles: d.commanderId ? { commander: d.commanderId } : {},
      members: addMember(addMember([], d.declaredBy), d.commanderId),
      customers: d.customers,
      pagerDutyIncidents: [],
      checklist: d.checklist.map((i) => ({ ...i })),
      times: {
        declaredAt: e.occurredAt,
        impactStartedAt: d.impactStartedAt ?? d.detectedAt ?? e.occurredAt,
        detectedAt: d.detectedAt ?? e.occurredAt,
        // A human declaring an incident has acknowledged it; a page has not.
        ...(e.actor.kind === 'user' ? { acknowledgedAt: e.occurredAt } : {}),
      },
      statusUpdates: 0,
      lastActivityAt: e.occurredAt,
      actionItems: [],
      notes: [],
      eventCount: 1,
      ...(d.policy ? { policy: d.policy } : {}),
    };
  }
  if (!state) throw new Error(`event ${e.type} ${e.id} before the incident was declared`);
  const s: IncidentState = { ...state, eventCount: state.eventCount + 1 };
  if (e.type !== 'reminder_sent' && e.type !== 'report_drafted') s.lastActivityAt = maxIso(s.lastActivityAt, e.occurredAt);
  switch (e.type) {
    case 'channel_created':
      return { ...s, channelId: e.data.channelId, channelName: e.data.channelName };
    case 'member_joined':
      return { ...s, members: addMember(s.members, e.data.userId) };
    case 'severity_changed':
      return { ...s, severity: e.data.to };
    case 'status_changed': {
      const times = { ...s.times };
      if ((e.data.to === 'monitoring' || e.data.to === 'resolved') && !times.mitigatedAt) times.mitigatedAt = e.occurredAt;
      return { ...s, status: e.data.to, times };
    }
    case 'role_assigned': {
      // Naming a commander is not an acknowledgement: PagerDuty's ack or `/incident acknowledge` is.
      return { ...s, roles: { ...s.roles, [e.data.role]: e.data.userId }, members: addMember(s.members, e.data.userId) };
    }
    case 'checklist_item_done':
      return {
        ...s,
        checklist: s.checklist.map((i) =>
          i.id === e.data.itemId && !i.doneAt ? { ...i, doneAt: e.occurredAt, doneBy: actorId(e) } : i,
        ),
      };
    case 'status_update_posted':
      return {
        ...s,
        // An update that moves the incident to monitoring says the impact is mitigated.
        times: e.data.status === 'monitoring' && !s.times.mitigatedAt ? { ...s.times, mitigatedAt: e.occurredAt } : s.times,
        status: e.data.status,
        statusUpdates: s.statusUpdates + 1,
        lastStatusUpdateAt: e.occurredAt,
        nextUpdateDueAt: e.data.nextUpdateAt,
        ...(e.data.customer ? { customerFacing: afterCustomerUpdate(s.customerFacing, e.data.status, e.data.customer) } : {}),
      };
    case 'customer_update_published': {
      const page = s.customerFacing?.statusPage;
      if (e.data.channel !== 'statuspage' || !page || !e.data.pageIncidentId) return s;
      return { ...s, customerFacing: { ...s.customerFacing!, statusPage: { ...page, pageIncidentId: e.data.pageIncidentId, ...(e.data.url ? { url: e.data.url } : {}) } } };
    }
    case 'customer_update_failed':
      return s;
    case 'customer_contacted': {
      // The customer's own call item; one naming no customer ticks every open call, as the report counts it for each.
      const ticked = itemsTickedByContact(s.checklist, e.data.customer);
      return {
        ...s,
        times: { ...s.times, customerContactedAt: s.times.customerContactedAt ?? e.occurredAt },
        checklist: s.checklist.map((i) => (ticked.has(i.id) ? { ...i, doneAt: e.occurredAt, doneBy: actorId(e) } : i)),
      };
    }
    case 'note_added':
      // Only a note taken from a Slack message is found again (its edit, its deletion, a second flag of it).
      // A note typed as a command stays in the log alone: the state is read and written whole by every
      // command, and a channel's thousands of notes in it made each command slower than the last.
      if (!e.data.messageTs) return s;
      return { ...s, notes: [...s.notes, { eventId: e.id, occurredAt: e.occurredAt, text: e.data.text, messageTs: e.data.messageTs, deleted: false }] };
    case 'message_edited':
      return { ...s, notes: s.notes.map((n) => (n.messageTs === e.data.messageTs ? { ...n, text: e.data.text } : n)) };
    case 'message_deleted':
      return { ...s, notes: s.notes.map((n) => (n.messageTs === e.data.messageTs ? { ...n, deleted: true } : n)) };
    case 'pagerduty_linked':
      if (s.pagerDutyIncidents.some((p) => p.id === e.data.pdIncidentId)) return s;
      return {
        ...s,
        pagerDutyIncidents: [
          ...s.pagerDutyIncidents,
          { id: e.data.pdIncidentId, ...(e.data.pdIncidentNumber !== undefined ? { number: e.data.pdIncidentNumber } : {}), ...(e.data.url ? { url: e.data.url } : {}), ...(e.data.serviceId ? { serviceId: e.data.serviceId } : {}) },
        ],
      };
    case 'pagerduty_unlinked':
      return { ...s, pagerDutyIncidents: s.pagerDutyIncidents.filter((p) => p.id !== e.data.pdIncidentId) };
    case 'pagerduty_event':
      if (e.data.eventType === 'incident.acknowledged' && !s.times.acknowledgedAt) {
        return { ...s, times: { ...s.times, acknowledgedAt: e.occurredAt } };
      }
      return s;
    case 'root_cause_recorded':
      return { ...s, rootCause: e.data.text };
    case 'action_item_added':
      return { ...s, actionItems: [...s.actionItems, { kind: e.data.kind, text: e.data.text }] };
    case 'resolved':
      return {
        ...s,
        ...(s.customerFacing ? { customerFacing: resolvedFacing(s.customerFacing, e.data.emailedTo) } : {}),
        status: 'resolved',
        times: { ...s.times, resolvedAt: e.occurredAt, mitigatedAt: s.times.mitigatedAt ?? e.occurredAt },
      };
    case 'closed':
      return { ...s, status: 'closed', times: { ...s.times, closedAt: e.occurredAt } };
    case 'reopened': {
      const { resolvedAt: _r, closedAt: _c, ...times } = s.times;
      return { ...s, status: 'investigating', times };
    }
    case 'acknowledged':
      return s.times.acknowledgedAt ? s : { ...s, times: { ...s.times, acknowledgedAt: e.occurredAt } };
    case 'mitigated':
      return { ...s, times: { ...s.times, mitigatedAt: e.occurredAt } };
    case 'time_corrected': {
      const field = CORRECTABLE_STATE_TIMES[e.data.key];
      if (field) return { ...s, times: { ...s.times, [field]: e.data.at } };
      if (e.data.key !== 'declared') return s;
      return { ...s, declaredCorrectedAt: e.data.at, ...(e.data.checklist ? { checklist: applyChecklistChange(s.checklist, e.data.checklist) } : {}) };
    }
    case 'customer_attached': {
      if (s.customers.includes(e.data.customer)) return s;
      const customers = [...s.customers, e.data.customer];
      const policy = s.policy && e.data.policy
        ? { ...s.policy, customers: [...s.policy.customers.filter((c) => c.id !== e.data.customer), e.data.policy] }
        : s.policy;
      // Events recorded before customers had their own call items carry no change: the single item follows them, as it did.
      const checklist = e.data.checklist ? applyChecklistChange(s.checklist, e.data.checklist) : retitleCallItem(withCallItem(s, policy), customers, policy);
      return { ...s, customers, ...(policy ? { policy } : {}), checklist };
    }
    case 'customer_detached': {
      const customers = s.customers.filter((c) => c !== e.data.customer);
      const checklist = e.data.checklist ? applyChecklistChange(s.checklist, e.data.checklist) : retitleCallItem(s.checklist, customers, s.policy);
      return { ...s, customers, checklist };
    }
    case 'reminder_sent':
    case 'report_drafted':
    case 'customer_report_drafted':
    case 'customer_report_sent':
    case 'customer_report_edited':
      return s;
  }
}

/** State fields a `/incident times` correction moves; the others live only in the report. */
const CORRECTABLE_STATE_TIMES: Partial<Record<string, keyof KeyTimes>> = {
  impact_started: 'impactStartedAt',
  detected: 'detectedAt',
  acknowledged: 'acknowledgedAt',
  customer_contacted: 'customerContactedAt',
  mitigated: 'mitigatedAt',
  resolved: 'resolvedAt',
  closed: 'closedAt',
};

/** Older events: a customer attached to an incident whose severity did not expect one still gets its call, first. */
function withCallItem(s: IncidentState, policy: PolicySnapshot | undefined): ChecklistItemState[] {
  if (s.checklist.some((i) => i.id === CALL_CUSTOMER_ITEM)) return s.checklist;
  const sev = policy?.severities.find((x) => x.key === s.severity);
  const declared = Date.parse(s.times.declaredAt);
  const dueAt = sev && !Number.isNaN(declared) ? new Date(declared + sev.customerContactDeadlineMs).toISOString() : undefined;
  return [{ id: CALL_CUSTOMER_ITEM, title: "Call the customer's main contact", ...(dueAt ? { dueAt } : {}) }, ...s.checklist];
}

/** Older events: the single call-customer item names whom to call, following the attached customers (an undone item only). */
function retitleCallItem(items: ChecklistItemState[], customers: readonly string[], policy: PolicySnapshot | undefined): ChecklistItemState[] {
  if (!policy) return items;
  const attached = policy.customers.filter((c) => customers.includes(c.id));
  return items.map((i) => (i.id === CALL_CUSTOMER_ITEM && !i.doneAt ? { ...i, title: callCustomerTitle(attached) } : i));
}

/** Replays a log from scratch. */
export function project(events: readonly IncidentEvent[]): IncidentState | undefined {
  let s: IncidentState | undefined;
  for (const e of events) s = applyEvent(s, e);
  return s;
}

/** The declaration time call items are due from: as corrected, else as logged. */
export const declaredAtOf = (s: Pick<IncidentState, 'times' | 'declaredCorrectedAt'>): string => s.declaredCorrectedAt ?? s.times.declaredAt;

function actorId(e: IncidentEvent): string {
  return e.actor.kind === 'user' ? e.actor.userId : e.actor.kind === 'pagerduty' ? (e.actor.name ?? 'PagerDuty') : 'Kranz';
}

function maxIso(a: string, b: string): string {
  return a >= b ? a : b;
}
