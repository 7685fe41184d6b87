import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyPagerDutySignature } from '../../src/adapters/pagerduty/signature.ts';
import { PD_KNOWN_EVENT_TYPES, parsePagerDutyWebhook, type PdWebhookEvent } from '../../src/adapters/pagerduty/webhook-payload.ts';
import { buildV2WebhookBody, buildV3WebhookBody, sendPagerDutyWebhook, type V2EventName, type WebhookEventSpec } from '../../src/sandbox/pagerduty/webhook-sender.ts';
import { fixture } from './helpers/fixtures.ts';

/** A receiver doing what Kranz's route must: verify the raw bytes, then decode. */
interface Received {
  headers: IncomingHttpHeaders;
  verified: boolean;
  events: PdWebhookEvent[] | undefined;
}
const SECRETS = ['current-secret'];
let server: Server;
let url: string;
let received: Received[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const verified = verifyPagerDutySignature(raw, req.headers['x-pagerduty-signature'] as string | undefined, SECRETS);
      const decoded = parsePagerDutyWebhook(raw);
      received.push({ headers: req.headers, verified, events: decoded.ok ? decoded.events : undefined });
      res.writeHead(!verified ? 401 : decoded.ok ? 202 : 400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ verified }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pagerduty/webhook`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  received = [];
});

const incident = {
  id: 'PKRANZ1',
  number: 42,
  title: 'Checkout latency',
  serviceId: 'PSVCCHK',
  serviceName: 'Checkout API',
  escalationPolicyId: 'PEPCHK1',
  priority: { id: 'PSLWBL8', name: 'P1' },
  incidentKey: 'dedup-42',
  assignees: [{ id: 'PUALICE', summary: 'Alice Archer' }],
};

function spec(eventType: string, extra: Partial<WebhookEventSpec> = {}): WebhookEventSpec {
  return { eventType, incident, eventId: `EV-${eventType}`, occurredAt: '2026-03-01T10:00:00.000Z', ...extra };
}

function only(): Received {
  expect(received).toHaveLength(1);
  return received[0] as Received;
}

describe('sendPagerDutyWebhook → verifier and decoder', () => {
  it.each(PD_KNOWN_EVENT_TYPES.map((t) => [t]))('%s is signed, accepted and decoded with the chosen values', async (eventType) => {
    const sent = await sendPagerDutyWebhook({
      url,
      secrets: SECRETS,
      event: spec(eventType, { note: { content: 'db lock found' }, statusUpdate: { message: 'Mitigated' }, conferenceBridge: { url: 'https://meet.example/42' } }),
    });
    expect(sent.status).toBe(202);
    const r = only();
    expect(r.verified).toBe(true);
    const e = r.events?.[0];
    expect(e).toMatchObject({ eventType, eventId: `EV-${eventType}`, occurredAt: '2026-03-01T10:00:00.000Z', pdIncidentId: 'PKRANZ1', title: 'Checkout latency' });
    if (e?.eventType === 'incident.annotated') expect(e.noteContent).toBe('db lock found');
    if (e?.eventType === 'incident.status_update_published') expect(e.statusUpdateMessage).toBe('Mitigated');
    if (e?.eventType === 'incident.conference_bridge.updated') expect(e.conferenceBridge.url).toBe('https://meet.example/42');
    if (e?.eventType === 'incident.triggered') {
      expect(e).toMatchObject({ pdIncidentNumber: 42, serviceId: 'PSVCCHK', serviceName: 'Checkout API', priority: { id: 'PSLWBL8', name: 'P1' }, incidentKey: 'dedup-42', status: 'triggered' });
    }
  });

  it('sends the headers PagerDuty sends', async () => {
    await sendPagerDutyWebhook({ url, secrets: SECRETS, event: spec('incident.triggered'), webhookId: 'wh-1', subscriptionId: 'PSUB42' });
    const h = only().headers;
    expect(h['content-type']).toBe('application/json');
    expect(h['user-agent']).toBe('PagerDuty-Webhook/V3.0');
    expect(h['x-webhook-id']).toBe('wh-1');
    expect(h['x-webhook-subscription']).toBe('PSUB42');
    expect(h['x-pagerduty-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
  });

  it('wrong secret → refused', async () => {
    const sent = await sendPagerDutyWebhook({ url, secrets: SECRETS, wrongSecret: true, event: spec('incident.triggered') });
    expect(sent.status).toBe(401);
    expect(only().verified).toBe(false);
  });

  it('tampered body → refused', async () => {
    const sent = await sendPagerDutyWebhook({ url, secrets: SECRETS, tamper: true, event: spec('incident.resolved') });
    expect(sent.status).toBe(401);
    expect(sent.requestBody).not.toBe(JSON.stringify(buildV3WebhookBody(spec('incident.resolved'))));
  });

  it('no signature → refused', async () => {
    const sent = await sendPagerDutyWebhook({ url, secrets: SECRETS, omitSignature: true, event: spec('incident.triggered') });
    expect(sent.status).toBe(401);
    expect(only().headers['x-pagerduty-signature']).toBeUndefined();
  });

  it('rotation: two v1 values, the receiver knows only the new secret → accepted', async () => {
    const sent = await sendPagerDutyWebhook({ url, secrets: ['retired-secret', SECRETS[0] as string], event: spec('incident.acknowledged') });
    expect(sent.status).toBe(202);
    expect(sent.requestHeaders['x-pagerduty-signature']?.split(',')).toHaveLength(2);
  });

  it('unknown event types still decode (as unknown)', async () => {
    const sent = await sendPagerDutyWebhook({ url, secrets: SECRETS, event: spec('service.updated', { agent: null }) });
    expect(sent.status).toBe(202);
    expect(only().events?.[0]).toMatchObject({ eventType: 'unknown', originalEventType: 'service.updated', resourceType: 'service' });
  });

  it('legacy V2 bodies decode to the mapped V3 types', async () => {
    const legacy: { event: V2EventName; spec: WebhookEventSpec; messageId: string }[] = [
      { event: 'incident.trigger', spec: spec('x'), messageId: 'm1' },
      { event: 'incident.annotate', spec: spec('x', { note: { content: 'legacy note' } }), messageId: 'm2' },
      { event: 'incident.resolve', spec: spec('x'), messageId: 'm3' },
    ];
    const sent = await sendPagerDutyWebhook({ url, secrets: SECRETS, legacyV2: legacy });
    expect(sent.status).toBe(202);
    const events = only().events ?? [];
    expect(events.map((e) => [e.eventType, e.eventId, e.source])).toEqual([
      ['incident.triggered', 'm1', 'v2'],
      ['incident.annotated', 'm2', 'v2'],
      ['incident.resolved', 'm3', 'v2'],
    ]);
    expect(events[1]?.eventType === 'incident.annotated' && events[1].noteContent).toBe('legacy note');
    expect(events[0]).toMatchObject({ pdIncidentId: 'PKRANZ1', pdIncidentNumber: 42, serviceName: 'Checkout API', priority: { id: 'PSLWBL8', name: 'P1' } });
    expect(only().headers['user-agent']).toBe('PagerDuty-Webhook/V2.0');
  });
});

/** Key paths of `sample` (arrays: first element) missing from `actual`. */
function missingKeys(sample: unknown, actual: unknown, at = ''): string[] {
  if (Array.isArray(sample)) return sample.length > 0 && Array.isArray(actual) && actual.length > 0 ? missingKeys(sample[0], actual[0], `${at}[]`) : [];
  if (typeof sample !== 'object' || sample === null || typeof actual !== 'object' || actual === null) return [];
  return Object.entries(sample).flatMap(([k, v]) => (k in actual ? missingKeys(v, (actual as Record<string, unknown>)[k], `${at}.${k}`) : [`${at}.${k}`]));
}

describe('built bodies have the shape of captured deliveries', () => {
  const byType: Record<string, string> = {
    'incident.triggered': 'v3/triggered_v3.json',
    'incident.acknowledged': 'v3/acknowledged_v3.json',
    'incident.unacknowledged': 'v3/unacknowledged_v3.json',
    'incident.escalated': 'v3/escalate_v3.json',
    'incident.reassigned': 'v3/reassigned_v3.json',
    'incident.delegated': 'v3/delegated_v3.json',
    'incident.reopened': 'v3/reopened_v3.json',
    'incident.resolved': 'v3/resolved_v3.json',
    'incident.priority_updated': 'v3/priority_updated_v3.json',
    'incident.annotated': 'v3/annotated_v3.json',
    'incident.status_update_published': 'v3/status_updated_v3.json',
    'incident.responder.added': 'v3/responder_added.json',
    'incident.responder.replied': 'v3/responder_replied_v3.json',
    'incident.conference_bridge.updated': 'v3/conference_bridge_updated_v3.json',
  };

  it('covers every known event type', () => {
    expect(Object.keys(byType).sort()).toEqual([...PD_KNOWN_EVENT_TYPES].sort());
  });

  it.each(Object.entries(byType))('%s has every key of %s', (eventType, file) => {
    const built = buildV3WebhookBody(spec(eventType));
    expect(missingKeys(fixture(file), built)).toEqual([]);
    const sample = fixture(file) as { event: { data: { type: string } } };
    expect((built.event['data'] as { type: string }).type).toBe(sample.event.data.type);
  });

  it('the V2 body has every key of trigger_v2.json that Kranz reads', () => {
    const built = buildV2WebhookBody([{ event: 'incident.trigger', spec: spec('x') }]);
    const missing = missingKeys(fixture('v2/trigger_v2.json'), built);
    // Decorative V2 fields the builder omits (Kranz reads none of them).
    const decorative = /^\.messages\[\]\.(webhook\.|log_entries\[\]\.(html_url|self|event_details|channel\.)|incident\.(pending_actions|alert_counts|impacted_services|is_mergeable|basic_alert_grouping|alert_grouping|metadata|external_references|importance|incidents_responders|responder_requests|subscriber_requests|alerts|privilege|first_trigger_log_entry|last_status_change_by|service\.))/;
    expect(missing.filter((k) => !decorative.test(k))).toEqual([]);
  });
});
