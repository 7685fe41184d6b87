/**
 * Who and what the demo story is about: the Slack workspace (people and
 * channels), the PagerDuty account (a database service whose on-call people
 * have Slack accounts), and the team's policy as a YAML file would state it.
 */
import { parsePolicy } from '../../config/load-policy.ts';
import { formatConfigIssues } from '../../config/issues.ts';
import type { Policy } from '../../domain/policy.ts';
import type { SeedChannel, SeedUser, SeedUserGroup } from '../slack/types.ts';

/** The people of the story, as Slack users; `role` is what the live log calls them. */
export const PEOPLE = {
  mara: { id: 'U0MARA0001', name: 'mara', real_name: 'Mara Okafor', email: 'mara.okafor@kranz-demo.test', tz: 'Europe/Berlin', role: 'commander' },
  leo: { id: 'U0LEO00001', name: 'leo', real_name: 'Leo Brandt', email: 'leo.brandt@kranz-demo.test', tz: 'Europe/Berlin', role: 'database on-call' },
  priya: { id: 'U0PRIYA001', name: 'priya', real_name: 'Priya Shah', email: 'priya.shah@kranz-demo.test', tz: 'Europe/Berlin', role: 'customer success' },
} as const;

/** A person of the story. */
export type Person = (typeof PEOPLE)[keyof typeof PEOPLE];

/** Channel ids the policy names (ids, not names: channels get renamed). */
export const CHANNELS = {
  general: 'C0GENERAL01',
  acme: 'C0ACMESHRD1',
  stakeholders: 'C0STAKEHLD1',
  incidents: 'C0INCIDENTS',
} as const;

/** The Slack user group the demo policy names as Kranz admins (`permissions.admins`). */
export const INCIDENT_MANAGERS = { id: 'S0INCMGRS1', handle: 'incident-managers', name: 'Incident managers' } as const;

/** Slack user groups to seed: the incident managers, of whom Mara is one. */
export function seedUserGroups(): SeedUserGroup[] {
  return [{ ...INCIDENT_MANAGERS, users: [PEOPLE.mara.id] }];
}

/** Slack credentials shared by the stand-in and Kranz. */
export const SLACK = { botToken: 'xoxb-kranz-demo', signingSecret: 'kranz-demo-signing-secret' } as const;

/** The PagerDuty side: ids, the webhook secret and the alert that starts it all. */
export const PAGERDUTY = {
  service: 'PDBCLST',
  serviceName: 'Database cluster',
  escalationPolicy: 'PDBESC1',
  users: { mara: 'PUMARA1', leo: 'PULEO01', bot: 'PUKRANZ' },
  botEmail: 'kranz-bot@kranz-demo.test',
  webhookSecret: 'kranz-demo-pagerduty-webhook-secret',
  incident: { id: 'Q1DBCLSTR7X', number: 4711, title: 'Database cluster: primary db-1 unreachable, writes failing' },
  priorityP1: { id: 'PSLWBL8', name: 'P1' },
} as const;

/** The public status page (Atlassian Statuspage stand-in) and who the customer emails come from. */
export const STATUSPAGE = {
  pageId: 'kranzdemopg1',
  pageName: 'Example Shop Status',
  components: { checkout: { id: 'chkoutcomp01', name: 'Checkout' }, search: { id: 'searchcomp01', name: 'Search' } },
  mailFrom: 'Example Shop Status <status@kranz-demo.test>',
} as const;

/** Slack users to seed. */
export function seedUsers(): SeedUser[] {
  return Object.values(PEOPLE).map(({ role: _role, ...u }) => u);
}

/** Slack channels to seed: where Kranz announces, relays to the customer and informs stakeholders. */
export function seedChannels(): SeedChannel[] {
  const everyone = Object.values(PEOPLE).map((p) => p.id);
  return [
    { id: CHANNELS.general, name: 'general', members: everyone, botIsMember: true, is_general: true },
    { id: CHANNELS.acme, name: 'acme-shared', members: [PEOPLE.priya.id], botIsMember: true, topic: 'Shared with Acme Corp' },
    { id: CHANNELS.stakeholders, name: 'stakeholders', members: [PEOPLE.priya.id], botIsMember: true },
    { id: CHANNELS.incidents, name: 'incidents', members: everyone, botIsMember: true },
  ];
}

/**
 * The demo policy, written as a team would write `kranz.yml`, so the demo
 * also shows what configuring Kranz looks like.
 */
export const DEMO_POLICY_YAML = `# The Kranz demo's policy (see kranz.example.yml for every key).
default_severity: SEV2
severities:
  SEV1:
    update_cadence: 20m
    customer_contact_deadline: 10m
    escalation_grace: 5m
    checklist:
      - id: assign-commander
        title: Confirm the incident commander
      - id: assess-impact
        title: Assess customer impact and the affected customers
      - id: first-update
        title: Post the first status update
      - id: notify-execs
        title: Notify internal stakeholders and executives
channel_name_template: "inc-{number}-{title}"
announcements_channel: ${CHANNELS.incidents}
stakeholder_channel: ${CHANNELS.stakeholders}
archive_on_close: false
customers:
  - id: acme
    name: Acme Corp
    main_contact:
      name: Jane Doe
      phone: "+1 555 0100"
      email: jane.doe@acme.example
    slack_channel: ${CHANNELS.acme}
    timezone: America/New_York
    sla:
      target: 99.9%
      period: monthly
    service_credits:
      - { below: 99.9, credit: 10 }
      - { below: 99.0, credit: 25 }
      - { below: 95.0, credit: 50 }
pagerduty:
  services:
    - id: ${PAGERDUTY.service}
      auto_open: true
      severity_by_priority: { P1: SEV1, P2: SEV2, P3: SEV3 }
      severity_by_urgency: { high: SEV2, low: SEV4 }
      customers: [acme]
      escalation_policy: ${PAGERDUTY.escalationPolicy}
  auto_resolve: false
  resolve_in_pagerduty: true
  mirror_updates_as: note
statuspage:
  page_id: ${STATUSPAGE.pageId}
  publish: ask
  components:
    checkout:
      component_id: ${STATUSPAGE.components.checkout.id}
      pagerduty_services: [${PAGERDUTY.service}]
    search:
      component_id: ${STATUSPAGE.components.search.id}
report_timezone: Europe/Berlin
customer_reports:
  include_service_credit: true
  show_responder_names: false
permissions:
  admins: [${INCIDENT_MANAGERS.id}]   # a Slack user group: its members may steer any incident and see private ones
  allow:
    # The people running an incident steer it; anyone in its channel contributes.
    resolve: [commander, role_holders, admins]
    close: [commander, role_holders, admins]
    page: [commander, role_holders, admins]
    send_customer_report: [commander, role_holders, admins]
    add_note: [channel_members, admins]
`;

/** The demo policy, parsed and validated like a real \`KRANZ_CONFIG\` file. */
export function demoPolicy(): Policy {
  const r = parsePolicy(DEMO_POLICY_YAML);
  // A broken demo policy is a bug in this file; say which key, as the CLI would.
  if (!r.ok) throw new Error(`The demo policy is invalid:\n${formatConfigIssues(r.errors, 'demo policy')}`);
  return r.policy;
}
