/**
 * Kranz with PagerDuty wired in, over real HTTP: the Slack stand-in, the
 * PagerDuty REST stand-in (Kranz's outbound calls go there) and signed
 * webhooks into Kranz's `/pagerduty/webhook`. The PagerDuty account has an
 * auto-open service whose escalation policy puts people on call whose emails
 * exist in the Slack stand-in, so on-call invites can be followed end to end.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKranz, createLogger } from '../../src/main.ts';
import type { Kranz, KranzExtension } from '../../src/runtime.ts';
import { loadEnv } from '../../src/config/env.ts';
import { pagerDutyExtension } from '../../src/extensions.ts';
import type { Policy, PagerDutyPolicy, PagerDutyServicePolicy } from '../../src/domain/policy.ts';
import { startPagerDutyStandIn, STAND_IN_TOKEN, type PagerDutyStandIn } from '../../src/sandbox/pagerduty/stand-in.ts';
import { SEED, type StandInIncident } from '../../src/sandbox/pagerduty/state.ts';
import { newV3EventId, sendPagerDutyWebhook, type SendWebhookOptions, type SentWebhook, type WebhookEventSpec, type WebhookIncident } from '../../src/sandbox/pagerduty/webhook-sender.ts';
import { startHarness, USERS, type Harness, type HarnessOptions } from './kranz-harness.ts';
import { testPolicy } from './domain.ts';
import { fixture } from '../pagerduty/helpers/fixtures.ts';
import { asPdServiceId } from '../../src/domain/ids.ts';

/** The signing secret PagerDuty signs with now. */
export const PD_SECRET = 'pd-webhook-secret-new';
/** The secret being rotated out; Kranz still accepts it when configured with both. */
export const PD_OLD_SECRET = 'pd-webhook-secret-old';
/** The token a legacy V2 subscription appends as `?token=`. */
export const LEGACY_TOKEN = 'legacy-v2-token-0123456789';

/** PagerDuty ids the harness adds to the stand-in's default seed. */
export const PD = {
  /** Auto-opens incidents; its escalation policy is configured in the policy. */
  service: 'PSVCKRZ',
  serviceName: 'Kranz Checkout',
  /** Auto-opens; its escalation policy is left for Kranz to read from PagerDuty. */
  lookupService: 'PSVCLKP',
  /** Configured, but does not auto-open. */
  manualService: 'PSVCMAN',
  escalationPolicy: 'PEPKRZ1',
  users: { sam: 'PUSAM01', eve: 'PUEVE01', dana: 'PUDANA1' },
  /** The user Kranz's writes act as (`From`). */
  fromEmail: SEED.emails.bot,
  priorities: { P1: 'PSLWBL8', P2: 'P53ZZH5', P3: 'PGE9YCZ' },
} as const;

const autoOpen: PagerDutyServicePolicy = {
  serviceId: asPdServiceId(PD.service),
  autoOpen: true,
  severityByPriority: { P1: 'SEV1', P2: 'SEV2', P3: 'SEV3' },
  // Distinct from the default severity (SEV2) for low, so the urgency mapping is visible.
  severityByUrgency: { high: 'SEV2', low: 'SEV4' },
  customers: ['acme'],
  escalationPolicyId: PD.escalationPolicy,
};

const lookup: PagerDutyServicePolicy = { ...autoOpen, serviceId: asPdServiceId(PD.lookupService), customers: [] };
delete lookup.escalationPolicyId;

const manual: PagerDutyServicePolicy = {
  serviceId: asPdServiceId(PD.manualService),
  autoOpen: false,
  severityByPriority: {},
  severityByUrgency: { high: 'SEV2', low: 'SEV3' },
  customers: [],
};

/** The test policy with PagerDuty configured; `pagerduty` overrides parts of it. */
export function pdPolicy(pagerduty: Partial<PagerDutyPolicy> = {}): Policy {
  return {
    ...testPolicy,
    pagerduty: {
      services: [autoOpen, lookup, manual],
      autoResolve: false,
      resolveInPagerDuty: true,
      mirrorUpdatesAs: 'note',
      legacyV2: { enabled: false },
      ...pagerduty,
    },
  };
}

/** A running Kranz with the Slack and PagerDuty stand-ins, and ways to talk to it as PagerDuty. */
export interface PdHarness extends Harness {
  pd: PagerDutyStandIn;
  /** Kranz's webhook endpoint. */
  webhookUrl: string;
  /** Secrets Kranz was configured with. */
  secrets: string[];
  /** Signs (with the current secret unless told) and POSTs one webhook to Kranz. */
  send(o: Omit<SendWebhookOptions, 'url' | 'secrets'> & { secrets?: readonly string[]; url?: string }): Promise<SentWebhook>;
  /** Sends one V3 event about `incident`. */
  event(eventType: string, incident: WebhookIncident, extra?: Partial<WebhookEventSpec>): Promise<SentWebhook & { eventId: string }>;
  /** Opens an incident in the PagerDuty stand-in, as if an alert had fired there. */
  pdIncident(o?: { title?: string; serviceId?: string; urgency?: 'high' | 'low'; priority?: keyof typeof PD.priorities | null }): WebhookIncident;
  /** Starts a second Kranz on the same database (a replica), with its own data dir. */
  replica(): Promise<Kranz>;
}

/** Adds the harness's PagerDuty people, escalation policy and services to the stand-in. */
function seedPagerDuty(pd: PagerDutyStandIn): void {
  const s = pd.state;
  s.addUser({ id: PD.users.sam, name: USERS.sam.real_name, email: USERS.sam.email });
  s.addUser({ id: PD.users.eve, name: USERS.eve.real_name, email: USERS.eve.email });
  s.addUser({ id: PD.users.dana, name: USERS.dana.real_name, email: USERS.dana.email });
  s.addEscalationPolicy({ id: PD.escalationPolicy, name: 'Kranz checkout escalation' });
  s.addService({ id: PD.service, name: PD.serviceName, escalationPolicyId: PD.escalationPolicy });
  s.addService({ id: PD.lookupService, name: 'Kranz Payments', escalationPolicyId: PD.escalationPolicy });
  s.addService({ id: PD.manualService, name: 'Manual service', escalationPolicyId: SEED.escalationPolicies.platform });
  // Level 1: two people with Slack accounts and one without; level 2 is not invited.
  s.addOnCall({ userId: PD.users.sam, escalationPolicyId: PD.escalationPolicy, level: 1 });
  s.addOnCall({ userId: PD.users.eve, escalationPolicyId: PD.escalationPolicy, level: 1 });
  s.addOnCall({ userId: SEED.users.alice, escalationPolicyId: PD.escalationPolicy, level: 1 });
  s.addOnCall({ userId: PD.users.dana, escalationPolicyId: PD.escalationPolicy, level: 2 });
}

/**
 * Starts the PagerDuty stand-in (seeded, plus the harness's service and
 * on-calls), then Slack, a fresh database and Kranz with the PagerDuty
 * extension pointed at the stand-in. `secrets` are Kranz's webhook secrets
 * (the first is what `send` signs with).
 */
export async function startPdHarness(o: { policy?: Policy; secrets?: string[]; log?: HarnessOptions['log']; extensions?: KranzExtension[]; env?: Record<string, string>; standIn?: HarnessOptions['standIn'] } = {}): Promise<PdHarness> {
  const pd = await startPagerDutyStandIn();
  seedPagerDuty(pd);
  const secrets = o.secrets ?? [PD_SECRET];
  const env = {
    PAGERDUTY_TOKEN: STAND_IN_TOKEN,
    PAGERDUTY_API_URL: pd.url,
    PAGERDUTY_WEBHOOK_SECRETS: secrets.join(','),
    PAGERDUTY_FROM_EMAIL: PD.fromEmail,
    ...o.env,
  };
  let h: Harness;
  try {
    h = await startHarness({ policy: o.policy ?? pdPolicy(), extensions: [pagerDutyExtension, ...(o.extensions ?? [])], env, ...(o.log ? { log: o.log } : {}), ...(o.standIn ? { standIn: o.standIn } : {}) });
  } catch (e) {
    await pd.close();
    throw e;
  }
  const webhookUrl = `${h.kranz.url}/pagerduty/webhook`;
  const replicas: { kranz: Kranz; dataDir: string }[] = [];
  const policy = o.policy ?? pdPolicy();

  const send: PdHarness['send'] = (x) => sendPagerDutyWebhook({ ...x, url: x.url ?? webhookUrl, secrets: x.secrets ?? [secrets[0] ?? PD_SECRET] });
  return {
    ...h,
    pd,
    webhookUrl,
    secrets,
    send,
    async event(eventType, incident, extra = {}) {
      const eventId = extra.eventId ?? newV3EventId();
      const r = await send({ event: { eventType, incident, ...extra, eventId } });
      return { ...r, eventId };
    },
    pdIncident(x = {}) {
      const serviceId = x.serviceId ?? PD.service;
      const priority = x.priority ? { id: PD.priorities[x.priority], name: x.priority } : null;
      const i: StandInIncident = pd.state.addIncident({ title: x.title ?? 'Checkout latency above 2s', serviceId, urgency: x.urgency ?? 'high', priorityId: priority?.id ?? null });
      return {
        id: i.id, number: i.number, title: i.title, serviceId, serviceName: pd.state.services.get(serviceId)?.name ?? serviceId,
        escalationPolicyId: i.escalationPolicyId, urgency: i.urgency, priority,
      };
    },
    async replica() {
      const dataDir = await mkdtemp(join(tmpdir(), 'kranz-e2e-replica-'));
      const loaded = loadEnv({
        SLACK_BOT_TOKEN: h.kranz.env.slack.botToken, SLACK_SIGNING_SECRET: h.kranz.env.slack.signingSecret, SLACK_API_URL: h.slack.apiUrl,
        DATABASE_URL: h.db.url, KRANZ_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env,
      });
      if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
      const kranz = await startKranz({
        env: { ...loaded.value, port: 0 }, policy, log: createLogger(process.env['KRANZ_TEST_LOG'] ?? 'silent'),
        outboxPollMs: 50, intakePollMs: 200, extensions: [pagerDutyExtension],
      });
      replicas.push({ kranz, dataDir });
      return kranz;
    },
    async close() {
      for (const r of replicas) {
        await r.kranz.stop();
        await rm(r.dataDir, { recursive: true, force: true });
      }
      await h.close();
      await pd.close();
    },
  };
}

/** Polls `check` until it returns something truthy; fails naming `what` after `timeoutMs`. */
export async function until<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One row per query result, typed loosely for assertions. */
export async function rows<T = Record<string, unknown>>(h: Harness, sql: string, params: unknown[] = []): Promise<T[]> {
  const r = await h.pool.query(sql, params);
  return r.rows as T[];
}

/** The Kranz incident linked to a PagerDuty incident, once it exists. */
export async function linkedIncident(h: Harness, pdIncidentId: string): Promise<{ id: string; number: number; severity: string; status: string; channel_id: string | null; state: { members: string[]; checklist: { id: string; title: string }[] } } | undefined> {
  const r = await rows<{ id: string; number: number; severity: string; status: string; channel_id: string | null; state: { members: string[]; checklist: { id: string; title: string }[] } }>(
    h,
    'select i.id, i.number, i.severity, i.status, i.channel_id, i.state from incidents i join pagerduty_links l on l.incident_id = i.id where l.pd_incident_id = $1',
    [pdIncidentId],
  );
  return r[0];
}

/**
 * Waits until every stored request that is due is applied and no outbox row
 * is pending. Events waiting for their trigger are stored to be retried later
 * (their `received_at` is in the future); `all` waits for those too.
 */
export async function settled(h: Harness, timeoutMs = 15_000, o: { all?: boolean } = {}): Promise<void> {
  await until(async () => {
    const r = await rows<{ inbound: string; outbox: string }>(
      h,
      `select (select count(*) from inbound_archive where status = 'received' and ($1 or received_at <= now()))::text as inbound,
              (select count(*) from outbox where status = 'pending')::text as outbox`,
      [o.all ?? false],
    );
    return r[0]?.inbound === '0' && r[0].outbox === '0';
  }, 'inbound applied and outbox drained', timeoutMs);
}

/**
 * A captured V3 fixture (`test/fixtures/pagerduty/v3/<name>.json`) pointed at
 * `pdIncidentId` (and, when its data carries a service, at `serviceId`), with
 * a fresh event id so each delivery is a new event. Everything else stays as
 * PagerDuty sent it. `edit` may change the incident data further.
 */
export function fixtureBody(name: string, pdIncidentId: string, o: { serviceId?: string; eventId?: string; edit?: (data: Record<string, unknown>) => void } = {}): { body: { event: Record<string, unknown> }; eventId: string } {
  const body = fixture(`v3/${name}.json`) as { event: Record<string, unknown> };
  const eventId = o.eventId ?? newV3EventId();
  body.event['id'] = eventId;
  const data = body.event['data'] as Record<string, unknown>;
  const ref = data['incident'] as Record<string, unknown> | undefined;
  const target = ref ?? data;
  target['id'] = pdIncidentId;
  const service = data['service'] as Record<string, unknown> | undefined;
  if (service) service['id'] = o.serviceId ?? PD.service;
  o.edit?.(data);
  return { body, eventId };
}
