/**
 * The policy a team configures (validated from YAML in `src/config/`).
 * The domain only reads these plain types; durations are milliseconds.
 */
import type { PdServiceId, SlackChannelId, SlackUserId } from './ids.ts';

/** One checklist item as configured for a severity. */
export interface ChecklistItemPolicy {
  /** Stable id used by buttons and events, e.g. `call-customer`. */
  id: string;
  title: string;
  /** Due this long after the incident was declared; absent → no deadline. */
  dueWithinMs?: number;
}

/** Quiet hours silence non-escalating reminders in the given zone, e.g. 22:00–07:00. */
export interface QuietHours {
  start: string; // "22:00"
  end: string; // "07:00"
  timezone: string;
}

export interface SeverityPolicy {
  key: string; // "SEV1"
  label: string; // "Critical: customer-facing outage"
  /** Customer-impacting severities put "call the customer's main contact" first. */
  customerImpacting: boolean;
  /** Status updates are due at least this often. */
  updateCadenceMs: number;
  /** The customer's main contact must be called within this long of declaring. */
  customerContactDeadlineMs: number;
  /** Extra checklist items after the customer call. */
  checklist: ChecklistItemPolicy[];
  /** How long after an overdue reminder the commander gets a DM, then the escalation target. */
  escalationGraceMs: number;
  quietHours?: QuietHours;
  /** Report review due after close: calendar days or business days. */
  reviewDue: { days: number; business: boolean };
}

/** A service-credit tier: availability below `belowPercent` earns `creditPercent` of the monthly fee. */
export interface ServiceCreditTier {
  belowPercent: number;
  creditPercent: number;
}

export interface CustomerPolicy {
  id: string;
  name: string;
  mainContact: { name: string; phone?: string; email?: string };
  /** Customer-facing Slack channel id (status updates are relayed there). */
  slackChannel?: SlackChannelId;
  sla: { targetPercent: number; periodDays: number };
  serviceCredits: ServiceCreditTier[];
  /** IANA zone the customer's report is written in; absent → the policy's `reportTimezone`. */
  timezone?: string;
}

/** What a customer report may show. Both default to off: a customer report says less, not more. */
export interface CustomerReportPolicy {
  /** State the service credit the incident earns under the customer's SLA. */
  includeServiceCredit: boolean;
  /** Name the responders (by display name); otherwise they are "our team". */
  showResponderNames: boolean;
}

export interface PagerDutyServicePolicy {
  serviceId: PdServiceId;
  autoOpen: boolean;
  /** Priority name (e.g. "P1") → severity key. */
  severityByPriority: Record<string, string>;
  severityByUrgency: { high: string; low: string };
  /** Customers affected by an outage of this service. */
  customers: string[];
  escalationPolicyId?: string;
}

export interface PagerDutyPolicy {
  services: PagerDutyServicePolicy[];
  /** PagerDuty "resolved" resolves the Kranz incident without asking. */
  autoResolve: boolean;
  /** Resolving in Kranz resolves the linked PagerDuty incidents. */
  resolveInPagerDuty: boolean;
  mirrorUpdatesAs: 'note' | 'status_update' | 'none';
  legacyV2: { enabled: boolean; token?: string };
}

export interface ReminderPolicy {
  /** Open incident with no recorded activity for this long. */
  noActivityMs: number;
  /** Resolved but not closed for this long. */
  resolvedNotClosedMs: number;
  /** Who is reached when the commander does not post: a person (by DM) or a channel. */
  escalationTarget?: { kind: 'user'; id: SlackUserId } | { kind: 'channel'; id: SlackChannelId };
}

export interface Policy {
  severities: SeverityPolicy[];
  defaultSeverity: string;
  /** e.g. `inc-{number}-{title}`; placeholders: number, title, severity, date. */
  channelNameTemplate: string;
  announcementsChannel?: SlackChannelId;
  stakeholderChannel?: SlackChannelId;
  archiveOnClose: boolean;
  customers: CustomerPolicy[];
  pagerduty: PagerDutyPolicy;
  reminders: ReminderPolicy;
  /** IANA zone the report's timeline is written in (UTC is shown beside it). */
  reportTimezone: string;
  /** Absent → both off. */
  customerReports?: CustomerReportPolicy;
  retention: RetentionPolicy;
  outbox: OutboxPolicy;
}

/** How long raw inbound requests are kept (the incident's own events are kept forever). */
export interface RetentionPolicy {
  /** Archived requests and spool files older than this are deleted. */
  inboundMs: number;
}

/** When a delivery that keeps failing is given up (a dead letter an operator can retry). */
export interface OutboxPolicy {
  /** Failed attempts after which a row is dead, even if each failure looked retryable. */
  maxAttempts: number;
  /** Age after which a row that still fails is dead. */
  giveUpAfterMs: number;
}

export function findSeverity(policy: Policy, key: string): SeverityPolicy | undefined {
  const k = key.trim().toUpperCase();
  return policy.severities.find((s) => s.key.toUpperCase() === k);
}

export function findCustomer(policy: Policy, idOrName: string): CustomerPolicy | undefined {
  const k = idOrName.trim().toLowerCase();
  return policy.customers.find((c) => c.id.toLowerCase() === k || c.name.toLowerCase() === k);
}
