/**
 * Built-in policy, following PagerDuty's published response practice:
 * SEV1/SEV2 are major incidents with public notification and frequent updates
 * (SEV1 at least every 20 minutes), and the customer hears from us within minutes.
 * `src/config/` overlays a team's YAML on top of this.
 */
import { DEFAULT_PERMISSIONS } from './permissions-policy.ts';
import { DEFAULT_PRIVACY, DEFAULT_STATUSPAGE, type Policy, type SeverityPolicy } from './policy.ts';

const MIN = 60_000;

const common = [
  { id: 'assign-commander', title: 'Confirm the incident commander' },
  { id: 'assess-impact', title: 'Assess customer impact and the affected customers' },
  { id: 'first-update', title: 'Post the first status update' },
];

function sev(key: string, label: string, o: Partial<SeverityPolicy> & Pick<SeverityPolicy, 'updateCadenceMs' | 'customerContactDeadlineMs'>): SeverityPolicy {
  return {
    key,
    label,
    customerImpacting: true,
    checklist: common,
    escalationGraceMs: 10 * MIN,
    reviewDue: { days: 5, business: true },
    ...o,
  };
}

export const DEFAULT_POLICY: Policy = {
  severities: [
    sev('SEV1', 'Critical: many customers affected, SLA at risk', {
      updateCadenceMs: 20 * MIN,
      customerContactDeadlineMs: 10 * MIN,
      escalationGraceMs: 5 * MIN,
      reviewDue: { days: 3, business: false },
      checklist: [...common, { id: 'notify-execs', title: 'Notify internal stakeholders and executives', dueWithinMs: 30 * MIN }],
    }),
    sev('SEV2', 'Major: core functionality impaired for many customers', {
      updateCadenceMs: 30 * MIN,
      customerContactDeadlineMs: 15 * MIN,
    }),
    sev('SEV3', 'Minor: partial loss of functionality for some customers', {
      updateCadenceMs: 60 * MIN,
      customerContactDeadlineMs: 60 * MIN,
      escalationGraceMs: 30 * MIN,
    }),
    sev('SEV4', 'Low: no customer impact yet', {
      customerImpacting: false,
      updateCadenceMs: 240 * MIN,
      customerContactDeadlineMs: 240 * MIN,
      escalationGraceMs: 60 * MIN,
      reviewDue: { days: 10, business: true },
    }),
  ],
  defaultSeverity: 'SEV2',
  channelNameTemplate: 'inc-{number}-{title}',
  archiveOnClose: false,
  customers: [],
  pagerduty: {
    services: [],
    autoResolve: false,
    resolveInPagerDuty: true,
    mirrorUpdatesAs: 'note',
    legacyV2: { enabled: false },
  },
  reminders: { noActivityMs: 2 * 60 * MIN, resolvedNotClosedMs: 24 * 60 * MIN },
  reportTimezone: 'UTC',
  customerReports: { includeServiceCredit: false, showResponderNames: false },
  retention: { inboundMs: 30 * 24 * 60 * MIN },
  outbox: { maxAttempts: 10, giveUpAfterMs: 24 * 60 * MIN },
  statuspage: DEFAULT_STATUSPAGE,
  privacy: DEFAULT_PRIVACY,
  permissions: DEFAULT_PERMISSIONS,
};
