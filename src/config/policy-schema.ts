/**
 * The policy YAML as a zod schema. Keys are snake_case and every object is
 * strict: an unknown key is an error, because a typo that silently does
 * nothing is worse than one that stops the start. Every field is optional
 * here; `to-policy.ts` fills gaps from `DEFAULT_POLICY`, and `cross-checks.ts`
 * checks what needs the whole file (references between sections).
 * docs/configuration.md documents every key; a test keeps the two in step.
 */
import { z } from 'zod';
import {
  channelId,
  channelTemplate,
  clockTime,
  duration,
  pagerDutyId,
  percent,
  permissionEntry,
  reviewDue,
  slaPeriod,
  slugId,
  text,
  timeZone,
  userOrChannelId,
  userOrGroupId,
} from './values.ts';
import { PERMISSION_ACTIONS, type PermissionAction } from '../domain/permissions.ts';

/** Severity names: `SEV1`, `P2`, `minor`. */
export const severityName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'severity names use letters, digits, - and _ (e.g. SEV1)');

const checklistItem = z.strictObject({
  id: slugId.optional(),
  title: text,
  due_within: duration.optional(),
});

const quietHours = z
  .strictObject({
    start: clockTime,
    end: clockTime,
    timezone: timeZone.optional(),
  })
  .refine((q) => q.start !== q.end, { message: 'must differ from start (quiet hours of zero length do nothing)', path: ['end'] });

const severity = z.strictObject({
  enabled: z.boolean().optional(),
  label: text.optional(),
  customer_impacting: z.boolean().optional(),
  update_cadence: duration.optional(),
  customer_contact_deadline: duration.optional(),
  escalation_grace: duration.optional(),
  checklist: z.array(checklistItem).optional(),
  quiet_hours: quietHours.optional(),
  review_due: reviewDue.optional(),
  email_updates: z.boolean().optional(),
});

const customer = z.strictObject({
  id: slugId.optional(),
  name: text,
  main_contact: z.strictObject({
    name: text,
    phone: z
      .string()
      .regex(/^\+?[0-9][0-9 ()./-]{3,}[0-9]$/, 'must be a phone number like "+49 30 1234567"')
      .optional(),
    email: z.email('must be an email address').optional(),
  }),
  notify_emails: z.array(z.email('must be an email address')).optional(),
  slack_channel: channelId.optional(),
  sla: z.strictObject({
    target: percent,
    period: slaPeriod.optional(),
  }),
  service_credits: z.array(z.strictObject({ below: percent, credit: percent })).optional(),
  timezone: timeZone.optional(),
});

const customerReports = z.strictObject({
  include_service_credit: z.boolean().optional(),
  show_responder_names: z.boolean().optional(),
});

const pagerDutyService = z.strictObject({
  id: pagerDutyId,
  auto_open: z.boolean().optional(),
  severity_by_priority: z.record(text, severityName).optional(),
  severity_by_urgency: z.strictObject({ high: severityName.optional(), low: severityName.optional() }).optional(),
  customers: z.array(text).optional(),
  escalation_policy: pagerDutyId.optional(),
});

const pagerDuty = z.strictObject({
  services: z.array(pagerDutyService).optional(),
  auto_resolve: z.boolean().optional(),
  resolve_in_pagerduty: z.boolean().optional(),
  mirror_updates_as: z.enum(['note', 'status_update', 'none']).optional(),
  legacy_v2: z.strictObject({ enabled: z.boolean().optional(), token: text.optional() }).optional(),
});

/** Statuspage ids: lowercase letters and digits (e.g. `kctbh9vrtdwd`). */
const statusPageId = z.string().regex(/^[a-z0-9]{4,64}$/, 'must be a Statuspage id: lowercase letters and digits, e.g. "kctbh9vrtdwd" (from the page\'s or component\'s API info)');

const statusPageComponent = z.strictObject({
  component_id: statusPageId,
  pagerduty_services: z.array(pagerDutyId).optional(),
});

const statuspage = z.strictObject({
  page_id: statusPageId.optional(),
  publish: z.enum(['ask', 'auto']).optional(),
  publish_private_incidents: z.boolean().optional(),
  components: z.record(slugId, statusPageComponent).optional(),
});

const reminders = z.strictObject({
  no_activity: duration.optional(),
  resolved_not_closed: duration.optional(),
  escalation_target: userOrChannelId.optional(),
});

const retention = z.strictObject({
  inbound: duration.optional(),
});

const outbox = z.strictObject({
  max_attempts: z.number().int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000').optional(),
  give_up_after: duration.optional(),
});

const privacy = z.strictObject({
  relay_private_to_stakeholders: z.boolean().optional(),
  relay_private_to_customers: z.boolean().optional(),
});

const permissionRule = z.array(permissionEntry);

const permissions = z.strictObject({
  admins: z.array(userOrGroupId).optional(),
  allow: z.strictObject(Object.fromEntries(PERMISSION_ACTIONS.map((a) => [a, permissionRule.optional()])) as Record<PermissionAction, z.ZodOptional<typeof permissionRule>>).optional(),
});

/** The whole policy file. */
export const policyFileSchema = z.strictObject({
  default_severity: severityName.optional(),
  severities: z.record(severityName, severity).optional(),
  channel_name_template: channelTemplate.optional(),
  announcements_channel: channelId.optional(),
  stakeholder_channel: channelId.optional(),
  archive_on_close: z.boolean().optional(),
  customers: z.array(customer).optional(),
  pagerduty: pagerDuty.optional(),
  reminders: reminders.optional(),
  statuspage: statuspage.optional(),
  report_timezone: timeZone.optional(),
  customer_reports: customerReports.optional(),
  retention: retention.optional(),
  outbox: outbox.optional(),
  privacy: privacy.optional(),
  permissions: permissions.optional(),
});

/** A validated policy file: snake_case, durations already in milliseconds. */
export type PolicyFile = z.output<typeof policyFileSchema>;
/** One entry of `severities`. */
export type SeverityFile = z.output<typeof severity>;
/** One entry of `customers`. */
export type CustomerFile = z.output<typeof customer>;
/** One entry of `pagerduty.services`. */
export type PagerDutyServiceFile = z.output<typeof pagerDutyService>;
