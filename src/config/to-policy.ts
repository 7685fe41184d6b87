/**
 * Overlays a validated policy file on the built-in policy. Objects merge key
 * by key; lists (customers, services, a severity's checklist) replace the
 * default list; severities merge by name, case-insensitively, so
 * `severities.SEV1.update_cadence: 15m` changes only that one value.
 */
import { slugify } from '../domain/channel-name.ts';
import { asPdServiceId, asSlackChannelId, asSlackUserGroupId, asSlackUserId } from '../domain/ids.ts';
import { DEFAULT_PERMISSIONS, PERMISSION_ACTIONS, type PermissionsPolicy } from '../domain/permissions.ts';
import { DEFAULT_STATUSPAGE, type ChecklistItemPolicy, type CustomerPolicy, type PagerDutyServicePolicy, type Policy, type ReminderPolicy, type SeverityPolicy, type StatusPagePolicy } from '../domain/policy.ts';
import type { CustomerFile, PagerDutyServiceFile, PolicyFile, SeverityFile } from './policy-schema.ts';

const MIN = 60_000;

/** What a severity the built-in policy does not know gets for the keys it leaves out. */
export const NEW_SEVERITY_DEFAULTS = {
  customerImpacting: true,
  escalationGraceMs: 10 * MIN,
  reviewDue: { days: 5, business: true },
} as const;

/** Keys a severity the built-in policy does not know must set. */
export const NEW_SEVERITY_REQUIRED = ['label', 'update_cadence', 'customer_contact_deadline'] as const;

/** An explicit id, or one made from the name: `Acme Corp` → `acme-corp`. */
export function deriveId(id: string | undefined, name: string): string {
  return id ?? slugify(name);
}

/** The severities in effect, in order: built-ins first (unless disabled), then new ones in file order. */
export function effectiveSeverityKeys(base: readonly string[], file: Readonly<Record<string, { enabled?: unknown } | undefined>>): string[] {
  const byLower = new Map<string, string>();
  for (const name of Object.keys(file)) if (!byLower.has(name.toLowerCase())) byLower.set(name.toLowerCase(), name);
  const disabled = (name: string | undefined): boolean => name !== undefined && file[name]?.enabled === false;
  const keys = base.filter((k) => !disabled(byLower.get(k.toLowerCase())));
  const baseLower = new Set(base.map((k) => k.toLowerCase()));
  for (const [lower, name] of byLower) if (!baseLower.has(lower) && !disabled(name)) keys.push(name);
  return keys;
}

/** Finds `name` among `keys` the way `findSeverity` does: ignoring case. */
export function matchKey(keys: readonly string[], name: string): string | undefined {
  const lower = name.trim().toLowerCase();
  return keys.find((k) => k.toLowerCase() === lower);
}

function checklist(items: NonNullable<SeverityFile['checklist']>): ChecklistItemPolicy[] {
  return items.map((i) => ({ id: deriveId(i.id, i.title), title: i.title, ...(i.due_within === undefined ? {} : { dueWithinMs: i.due_within }) }));
}

function severity(key: string, base: SeverityPolicy | undefined, f: SeverityFile | undefined, reportTimezone: string): SeverityPolicy {
  const quiet = f?.quiet_hours;
  // The schema and cross-checks guarantee a new severity sets these, so the fallbacks never show.
  const merged: SeverityPolicy = {
    key,
    label: f?.label ?? base?.label ?? key,
    customerImpacting: f?.customer_impacting ?? base?.customerImpacting ?? NEW_SEVERITY_DEFAULTS.customerImpacting,
    updateCadenceMs: f?.update_cadence ?? base?.updateCadenceMs ?? 0,
    customerContactDeadlineMs: f?.customer_contact_deadline ?? base?.customerContactDeadlineMs ?? 0,
    checklist: f?.checklist ? checklist(f.checklist) : (base?.checklist ?? []),
    escalationGraceMs: f?.escalation_grace ?? base?.escalationGraceMs ?? NEW_SEVERITY_DEFAULTS.escalationGraceMs,
    reviewDue: f?.review_due ?? base?.reviewDue ?? { ...NEW_SEVERITY_DEFAULTS.reviewDue },
  };
  const emailUpdates = f?.email_updates ?? base?.emailUpdates;
  if (emailUpdates !== undefined) merged.emailUpdates = emailUpdates;
  const quietHours = quiet ? { start: quiet.start, end: quiet.end, timezone: quiet.timezone ?? reportTimezone } : base?.quietHours;
  return quietHours ? { ...merged, quietHours } : merged;
}

function customer(c: CustomerFile): CustomerPolicy {
  const contact = c.main_contact;
  return {
    id: deriveId(c.id, c.name),
    name: c.name,
    mainContact: { name: contact.name, ...(contact.phone ? { phone: contact.phone } : {}), ...(contact.email ? { email: contact.email } : {}) },
    ...(c.notify_emails?.length ? { notifyEmails: c.notify_emails } : {}),
    ...(c.slack_channel ? { slackChannel: asSlackChannelId(c.slack_channel) } : {}),
    sla: { targetPercent: c.sla.target, periodDays: c.sla.period ?? 30 },
    // One order (highest threshold first) whatever order the file lists them in.
    serviceCredits: (c.service_credits ?? []).map((t) => ({ belowPercent: t.below, creditPercent: t.credit })).sort((a, b) => b.belowPercent - a.belowPercent),
    ...(c.timezone ? { timezone: c.timezone } : {}),
  };
}

function service(s: PagerDutyServiceFile, keys: readonly string[], customers: readonly CustomerPolicy[], defaultSeverity: string): PagerDutyServicePolicy {
  const sev = (name: string | undefined, fallback: string): string => (name === undefined ? fallback : (matchKey(keys, name) ?? name));
  const byPriority: Record<string, string> = {};
  for (const [priority, name] of Object.entries(s.severity_by_priority ?? {})) byPriority[priority] = sev(name, defaultSeverity);
  const lowest = keys[keys.length - 1] ?? defaultSeverity;
  const customerId = (ref: string): string =>
    customers.find((c) => c.id.toLowerCase() === ref.toLowerCase() || c.name.toLowerCase() === ref.toLowerCase())?.id ?? ref;
  return {
    serviceId: asPdServiceId(s.id),
    autoOpen: s.auto_open ?? false,
    severityByPriority: byPriority,
    severityByUrgency: { high: sev(s.severity_by_urgency?.high, defaultSeverity), low: sev(s.severity_by_urgency?.low, lowest) },
    customers: (s.customers ?? []).map(customerId),
    ...(s.escalation_policy ? { escalationPolicyId: s.escalation_policy } : {}),
  };
}

/** Builds the `Policy` from a file that passed the schema and the cross-checks. */
export function toPolicy(file: PolicyFile, base: Policy): Policy {
  const sevFile = file.severities ?? {};
  const keys = effectiveSeverityKeys(
    base.severities.map((s) => s.key),
    sevFile,
  );
  const fileEntry = (key: string): SeverityFile | undefined => {
    const name = Object.keys(sevFile).find((n) => n.toLowerCase() === key.toLowerCase());
    return name === undefined ? undefined : sevFile[name];
  };
  const reportTimezone = file.report_timezone ?? base.reportTimezone;
  const severities = keys.map((k) => severity(k, base.severities.find((s) => s.key === k), fileEntry(k), reportTimezone));
  const defaultSeverity = matchKey(keys, file.default_severity ?? base.defaultSeverity) ?? base.defaultSeverity;
  const customers = file.customers ? file.customers.map(customer) : base.customers;
  const pd = file.pagerduty;
  const legacyToken = pd?.legacy_v2?.token ?? base.pagerduty.legacyV2.token;
  const reminders = file.reminders;
  const escalationTarget = reminders?.escalation_target ? escalationRef(reminders.escalation_target) : base.reminders.escalationTarget;
  const announcementsChannel = file.announcements_channel ? asSlackChannelId(file.announcements_channel) : base.announcementsChannel;
  const stakeholderChannel = file.stakeholder_channel ? asSlackChannelId(file.stakeholder_channel) : base.stakeholderChannel;
  return {
    severities,
    defaultSeverity,
    channelNameTemplate: file.channel_name_template ?? base.channelNameTemplate,
    ...(announcementsChannel ? { announcementsChannel } : {}),
    ...(stakeholderChannel ? { stakeholderChannel } : {}),
    archiveOnClose: file.archive_on_close ?? base.archiveOnClose,
    customers,
    pagerduty: {
      services: pd?.services ? pd.services.map((s) => service(s, keys, customers, defaultSeverity)) : base.pagerduty.services,
      autoResolve: pd?.auto_resolve ?? base.pagerduty.autoResolve,
      resolveInPagerDuty: pd?.resolve_in_pagerduty ?? base.pagerduty.resolveInPagerDuty,
      mirrorUpdatesAs: pd?.mirror_updates_as ?? base.pagerduty.mirrorUpdatesAs,
      legacyV2: { enabled: pd?.legacy_v2?.enabled ?? base.pagerduty.legacyV2.enabled, ...(legacyToken ? { token: legacyToken } : {}) },
    },
    reminders: {
      noActivityMs: reminders?.no_activity ?? base.reminders.noActivityMs,
      resolvedNotClosedMs: reminders?.resolved_not_closed ?? base.reminders.resolvedNotClosedMs,
      ...(escalationTarget ? { escalationTarget } : {}),
    },
    reportTimezone,
    customerReports: {
      includeServiceCredit: file.customer_reports?.include_service_credit ?? base.customerReports?.includeServiceCredit ?? false,
      showResponderNames: file.customer_reports?.show_responder_names ?? base.customerReports?.showResponderNames ?? false,
    },
    retention: { inboundMs: file.retention?.inbound ?? base.retention.inboundMs },
    outbox: {
      maxAttempts: file.outbox?.max_attempts ?? base.outbox.maxAttempts,
      giveUpAfterMs: file.outbox?.give_up_after ?? base.outbox.giveUpAfterMs,
    },
    statuspage: statuspage(file.statuspage, base.statuspage ?? DEFAULT_STATUSPAGE),
    privacy: {
      relayPrivateToStakeholders: file.privacy?.relay_private_to_stakeholders ?? base.privacy?.relayPrivateToStakeholders ?? false,
      relayPrivateToCustomers: file.privacy?.relay_private_to_customers ?? base.privacy?.relayPrivateToCustomers ?? false,
    },
    permissions: permissions(file.permissions, base.permissions ?? DEFAULT_PERMISSIONS),
  };
}

/** `admins` replaces the list; each `allow.<action>` replaces that action's rule, the others keep theirs. */
function permissions(f: PolicyFile['permissions'], base: PermissionsPolicy): PermissionsPolicy {
  const allow = { ...base.allow };
  for (const action of PERMISSION_ACTIONS) {
    const rule = f?.allow?.[action];
    if (rule) allow[action] = [...new Set(rule)];
  }
  const admins = f?.admins ? [...new Set(f.admins)].map((id) => (id.startsWith('S') ? asSlackUserGroupId(id) : asSlackUserId(id))) : base.admins;
  return { admins, allow };
}

function statuspage(f: PolicyFile['statuspage'], base: StatusPagePolicy): StatusPagePolicy {
  const pageId = f?.page_id ?? base.pageId;
  return {
    ...(pageId ? { pageId } : {}),
    publish: f?.publish ?? base.publish,
    publishPrivate: f?.publish_private_incidents ?? base.publishPrivate,
    components: f?.components
      ? Object.entries(f.components).map(([service, c]) => ({ service, componentId: c.component_id, pagerDutyServices: c.pagerduty_services ?? [] }))
      : base.components,
  };
}

/** The schema allows a user (`U…`, `W…`: reached by DM) or a channel (`C…`, `G…`). */
function escalationRef(id: string): NonNullable<ReminderPolicy['escalationTarget']> {
  return /^[UW]/.test(id) ? { kind: 'user', id: asSlackUserId(id) } : { kind: 'channel', id: asSlackChannelId(id) };
}
