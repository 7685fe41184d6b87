/**
 * The webhook door: what Kranz accepts, stores and refuses. Tolerance (odd
 * but signed bodies get 2xx and are archived), size limits (413), signatures
 * (401 and nothing stored; rotation with two secrets works), and legacy V2
 * bodies (only with the policy's token).
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPagerDutyBody } from '../../src/adapters/pagerduty/signature.ts';
import { buildV3WebhookBody, newV3EventId } from '../../src/sandbox/pagerduty/webhook-sender.ts';
import { fixture } from '../pagerduty/helpers/fixtures.ts';
import { LEGACY_TOKEN, linkedIncident, PD, PD_OLD_SECRET, PD_SECRET, pdPolicy, rows, settled, startPdHarness, until, type PdHarness } from '../helpers/pd-harness.ts';

let h: PdHarness;
beforeAll(async () => {
  // Rotation: Kranz knows the new and the old secret; legacy V2 is on with a token.
  h = await startPdHarness({ secrets: [PD_SECRET, PD_OLD_SECRET], policy: pdPolicy({ legacyV2: { enabled: true, token: LEGACY_TOKEN } }) });
});
afterAll(async () => h?.close());

async function archived(dedupeKey: string): Promise<{ status: string; body: string } | undefined> {
  return (await rows<{ status: string; body: string }>(h, 'select status, body from inbound_archive where dedupe_key = $1', [dedupeKey]))[0];
}
async function archiveCount(): Promise<number> {
  // Requests only: leave out copies Kranz stores itself to retry an event that overtook its trigger.
  return Number((await rows<{ n: string }>(h, "select count(*)::text as n from inbound_archive where source = 'pagerduty' and dedupe_key not like '%#unlinked%'"))[0]?.n);
}
async function finalStatus(dedupeKey: string): Promise<string> {
  return until(async () => {
    const a = await archived(dedupeKey);
    return a && a.status !== 'received' ? a.status : undefined;
  }, `${dedupeKey} applied`);
}

/** POSTs raw bytes with chunked encoding (no content-length), signed. */
function postChunked(url: string, body: Buffer, signature: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'x-pagerduty-signature': signature } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
    req.end();
  });
}

describe('tolerance', () => {
  it('priority null, no incident_key and unknown fields at every level: 2xx, archived, applied', async () => {
    const pd = h.pdIncident();
    const body = buildV3WebhookBody({ eventType: 'incident.triggered', incident: { ...pd, priority: null } });
    expect(body.event['data']).not.toHaveProperty('incident_key');
    expect((body.event['data'] as Record<string, unknown>)['priority']).toBeNull();
    Object.assign(body, { webhook_version: 'v9', extra: [1, 2] });
    Object.assign(body.event, { brand_new_field: { nested: true } });
    Object.assign(body.event['data'] as Record<string, unknown>, { some_future_field: 'x', service_level: null });
    const r = await h.send({ body });
    expect(r.status).toBe(202);
    expect(await finalStatus(`pd:${body.event['id'] as string}`)).toBe('processed');
    const inc = await until(() => linkedIncident(h, pd.id), 'declared');
    expect(inc.severity).toBe('SEV2');
  });

  it('an unknown event type (service.updated) is acknowledged, archived and ignored', async () => {
    const body = fixture('v3-official/service.updated.json') as { event: { id: string } };
    body.event.id = newV3EventId();
    const r = await h.send({ body });
    expect(r.status).toBe(202);
    expect(await finalStatus(`pd:${body.event.id}`)).toBe('ignored');
    expect((await archived(`pd:${body.event.id}`))?.body).toBe(JSON.stringify(body));
  });

  it('a signed body that is not JSON is acknowledged and archived', async () => {
    const text = '<html>this is not json</html>';
    const r = await h.send({ body: text });
    expect(r.status).toBe(202);
    const stored = await rows<{ dedupe_key: string; status: string }>(h, 'select dedupe_key, status from inbound_archive where body = $1', [text]);
    expect(stored).toHaveLength(1);
    expect(await finalStatus(stored[0]!.dedupe_key)).toBe('ignored');
  });

  it('a signed known event whose data Kranz cannot read is acknowledged, archived and ignored', async () => {
    const body = { event: { id: newV3EventId(), event_type: 'incident.annotated', resource_type: 'incident', occurred_at: new Date().toISOString(), agent: null, client: null, data: { incident: { id: 'PNOPE01' } } } };
    const r = await h.send({ body });
    expect(r.status).toBe(202);
    const stored = await rows<{ dedupe_key: string }>(h, 'select dedupe_key from inbound_archive where body = $1', [JSON.stringify(body)]);
    expect(stored).toHaveLength(1);
    expect(await finalStatus(stored[0]!.dedupe_key)).toBe('ignored');
  });

  it('bodies over 1 MB get 413 and are not stored, declared length or chunked', async () => {
    const before = await archiveCount();
    const pd = h.pdIncident();
    const big = buildV3WebhookBody({ eventType: 'incident.annotated', incident: pd, note: { content: 'x'.repeat(1_100_000) } });
    const r = await h.send({ body: big });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'payload_too_large' });
    const raw = Buffer.from(JSON.stringify(big));
    expect(await postChunked(h.webhookUrl, raw, signPagerDutyBody(raw, [PD_SECRET]))).toBe(413);
    // Exactly at the limit is still fine.
    const fits = buildV3WebhookBody({ eventType: 'service.updated', incident: pd });
    const pad = 1_048_576 - JSON.stringify(fits).length - ',"pad":""'.length;
    Object.assign(fits, { pad: 'p'.repeat(pad) });
    expect(JSON.stringify(fits).length).toBe(1_048_576);
    expect((await h.send({ body: fits })).status).toBe(202);
    expect(await archiveCount()).toBe(before + 1);
    // Kranz still serves after the refusals.
    expect((await h.event('service.updated', pd)).status).toBe(202);
  });
});

describe('signatures', () => {
  // On a service that does not auto-open: accepted ones are simply ignored, nothing waits for a trigger.
  const spec = () => ({ eventType: 'incident.acknowledged', incident: h.pdIncident({ serviceId: PD.manualService }), eventId: newV3EventId() });

  it('a wrong secret gets 401 and nothing is stored', async () => {
    const before = await archiveCount();
    const s = spec();
    const r = await h.send({ event: s, wrongSecret: true });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'invalid_signature' });
    expect(await archived(`pd:${s.eventId}`)).toBeUndefined();
    expect(await archiveCount()).toBe(before);
  });

  it('a tampered body gets 401; a missing or malformed header gets 401', async () => {
    const before = await archiveCount();
    const tampered = await h.send({ event: spec(), tamper: true });
    expect(tampered.status).toBe(401);
    expect((await h.send({ event: spec(), omitSignature: true })).status).toBe(401);
    expect((await h.send({ event: spec(), signatureHeader: 'v1=' })).status).toBe(401);
    expect((await h.send({ event: spec(), signatureHeader: 'v0=abc, sha256=def' })).status).toBe(401);
    expect(await archiveCount()).toBe(before);
  });

  it('during rotation, a header with two v1 values is accepted when either matches either configured secret', async () => {
    const cases: string[][] = [
      [PD_SECRET, PD_OLD_SECRET],
      ['some-retired-secret', PD_OLD_SECRET],
      [PD_SECRET, 'some-future-secret'],
      [PD_OLD_SECRET],
    ];
    for (const secrets of cases) {
      const s = spec();
      const r = await h.send({ event: s, secrets });
      expect(r.requestHeaders['x-pagerduty-signature']?.split(',').length).toBe(secrets.length);
      expect(r.status).toBe(202);
      expect(await archived(`pd:${s.eventId}`)).toBeDefined();
    }
    const neither = spec();
    expect((await h.send({ event: neither, secrets: ['retired-1', 'retired-2'] })).status).toBe(401);
    expect(await archived(`pd:${neither.eventId}`)).toBeUndefined();
  });
});

describe('legacy V2', () => {
  const v2 = (pd: ReturnType<PdHarness['pdIncident']>) => [{ event: 'incident.trigger' as const, spec: { eventType: 'incident.triggered', incident: pd }, messageId: `v2-${newV3EventId()}` }];

  it('is accepted with the policy token in ?token= and applied like V3', async () => {
    const pd = h.pdIncident({ title: 'Legacy trigger' });
    const messages = v2(pd);
    const r = await h.send({ legacyV2: messages, omitSignature: true, url: `${h.webhookUrl}?token=${LEGACY_TOKEN}` });
    expect(r.status).toBe(202);
    expect(await finalStatus(`pd:${messages[0]!.messageId}`)).toBe('processed');
    const inc = await until(() => linkedIncident(h, pd.id), 'declared from V2');
    expect(inc.number).toBeGreaterThan(0);
    // The captured V2 body from a real account is accepted too (its service does not auto-open).
    const captured = fixture('v2/trigger_v2.json') as { messages: { id: string }[] };
    captured.messages[0]!.id = `v2-${newV3EventId()}`;
    const c = await h.send({ body: captured, omitSignature: true, url: `${h.webhookUrl}?token=${LEGACY_TOKEN}` });
    expect(c.status).toBe(202);
    expect(await finalStatus(`pd:${captured.messages[0]!.id}`)).toBe('ignored');
  });

  it('is refused with 401 without the token, with a wrong token, and with only a V3 signature', async () => {
    const before = await archiveCount();
    const pd = h.pdIncident();
    expect((await h.send({ legacyV2: v2(pd), omitSignature: true })).status).toBe(401);
    expect((await h.send({ legacyV2: v2(pd), omitSignature: true, url: `${h.webhookUrl}?token=wrong-${LEGACY_TOKEN}` })).status).toBe(401);
    expect((await h.send({ legacyV2: v2(pd), omitSignature: true, url: `${h.webhookUrl}?token=` })).status).toBe(401);
    // A V3 signature does not stand in for the V2 token: V2 bodies come only through the legacy door.
    expect((await h.send({ legacyV2: v2(pd) })).status).toBe(401);
    // The token opens the door for V2 bodies only.
    expect((await h.send({ event: { eventType: 'incident.triggered', incident: pd }, omitSignature: true, url: `${h.webhookUrl}?token=${LEGACY_TOKEN}` })).status).toBe(401);
    expect(await archiveCount()).toBe(before);
    await settled(h);
    expect(await linkedIncident(h, pd.id)).toBeUndefined();
  });
});

describe('legacy V2 turned off', () => {
  let off: PdHarness;
  beforeAll(async () => {
    off = await startPdHarness({ policy: pdPolicy({ legacyV2: { enabled: false, token: LEGACY_TOKEN } }) });
  });
  afterAll(async () => off?.close());

  it('refuses V2 bodies with 401 even when they carry the token', async () => {
    const pd = off.pdIncident();
    const r = await off.send({ legacyV2: [{ event: 'incident.trigger', spec: { eventType: 'incident.triggered', incident: pd } }], omitSignature: true, url: `${off.webhookUrl}?token=${LEGACY_TOKEN}` });
    expect(r.status).toBe(401);
    const n = await off.pool.query<{ n: string }>("select count(*)::text as n from inbound_archive where source = 'pagerduty'");
    expect(n.rows[0]?.n).toBe('0');
  });
});
