/**
 * The policy a team configures (validated from YAML in `src/config/`).
 * The domain only reads these plain types; durations are milliseconds.
 */
import type { PdServiceId, SlackChannelId, SlackUserId } from './ids.ts';
import { DEFAULT_PERMISSIONS, type PermissionsPolicy } from './permissions-policy.ts';
import { withAddresses } from './email-addresses.ts';

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
  /** Customer-facing status updates are emailed to the customers' contacts; unset → `customerImpacting`. */
  emailUpdates?: boolean;
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
  /** More addresses that get the customer-facing status updates by email, besides `mainContact.email`. */
  notifyEmails?: string[];
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

/** How a status page component is hurt, as Statuspage names it. */
export const COMPONENT_IMPACTS = ['degraded_performance', 'partial_outage', 'major_outage'] as const;
export type ComponentImpact = (typeof COMPONENT_IMPACTS)[number];

/** A Kranz service shown on the status page as one component. */
export interface StatusPageComponentPolicy {
  /** The name responders pick in the update form, e.g. `checkout`. */
  service: string;
  /** The Statuspage component id. */
  componentId: string;
  /** PagerDuty services whose incidents affect this component (pre-selected in the form). */
  pagerDutyServices: string[];
}

/** What this Kranz can reach: set at start from the environment (STATUSPAGE_API_KEY, SMTP_URL). */
export interface Outlets {
  statusPage: boolean;
  email: boolean;
}

/** Customer-facing publication: the status page and customer email. */
export interface StatusPagePolicy {
  /** Statuspage page id; unset → no status page (email may still go out). */
  pageId?: string;
  /** `ask`: the update form shows what will go out and needs a tick; `auto`: customer-facing updates go out as posted. */
  publish: 'ask' | 'auto';
  /** Whether a private incident may ever reach the status page or customer email. */
  publishPrivate: boolean;
  components: StatusPageComponentPolicy[];
  /** Not from the file: the composition root sets it; absent → the page when `pageId` is set, no email. */
  outlets?: Outlets;
}

export const DEFAULT_STATUSPAGE: StatusPagePolicy = { publish: 'ask', publishPrivate: false, components: [] };

export interface ReminderPolicy {
  /** Open incident with no recorded activity for this long. */
  noActivityMs: number;
  /** Resolved but not closed for this long. */
  resolvedNotClosedMs: number;
  /** Who is reached when the commander does not post: a person (by DM) or a channel. */
  escalationTarget?: { kind: 'user'; id: SlackUserId } | { kind: 'channel'; id: SlackChannelId };
}

/** What a private incident may reach outside its own channel. Both default to off. */
export interface PrivacyPolicy {
  /** Status updates of private incidents are relayed to the stakeholder channel. */
  relayPrivateToStakeholders: boolean;
  /** Status updates of private incidents are relayed to the attached customers' channels. */
  relayPrivateToCustomers: boolean;
}

export const DEFAULT_PRIVACY: PrivacyPolicy = { relayPrivateToStakeholders: false, relayPrivateToCustomers: false };

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
  /** Status page and customer email; absent → `DEFAULT_STATUSPAGE`. */
  statuspage?: StatusPagePolicy;
  /** Absent → `DEFAULT_PRIVACY`: a private incident is relayed nowhere. */
  privacy?: PrivacyPolicy;
  /** Who may do what; absent → `DEFAULT_PERMISSIONS`. */
  permissions?: PermissionsPolicy;
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

/** The privacy policy in effect. */
export function privacyPolicy(policy: Policy): PrivacyPolicy {
  return policy.privacy ?? DEFAULT_PRIVACY;
}

/** The customer-publication policy in effect. */
export function statusPagePolicy(policy: Policy): StatusPagePolicy {
  return policy.statuspage ?? DEFAULT_STATUSPAGE;
}

/** The permissions in effect. */
export function permissionsPolicy(policy: Policy): PermissionsPolicy {
  return policy.permissions ?? DEFAULT_PERMISSIONS;
}

/** Whether a severity's customer-facing updates are emailed. */
export function emailsUpdates(sev: SeverityPolicy): boolean {
  return sev.emailUpdates ?? sev.customerImpacting;
}

/** The addresses a customer's updates are emailed to: main contact first, no repeats (case-insensitive). */
export function customerEmails(c: CustomerPolicy): string[] {
  return withAddresses([], [c.mainContact.email, ...(c.notifyEmails ?? [])].filter((e): e is string => Boolean(e)), (e) => e);
}
