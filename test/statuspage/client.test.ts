/**
 * The Statuspage client against the stand-in over real HTTP: the OAuth header,
 * the incident lifecycle with component impact, the rate limit (420 to a
 * caller that does not space its calls, none to the client that does), the
 * 429 fault window, and the deliverer's no-duplicate retries and dead letters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusPageClient } from '../../src/adapters/statuspage/client.ts';
import { StatusPageDeliverer, type Published } from '../../src/adapters/statuspage/deliverer.ts';
import type { ClaimedOutboxRow } from '../../src/app/ports.ts';
import type { StatusPagePublication } from '../../src/domain/effects.ts';
import { renderIncidentHistory, startStatusPageStandIn, STATUSPAGE_STAND_IN_KEY, type StatusPageStandIn } from '../../src/sandbox/statuspage/stand-in.ts';

let sp: StatusPageStandIn;
const PAGE = 'kranzpage001';
const CHECKOUT = 'checkoutcmp1';
const SEARCH = 'searchcmp002';
const SPACING = 50;
const RESTING_KEY = 'sp-second-key';

beforeAll(async () => {
  // A second key for the test whose 30 s rest (Retry-After) must not hold up the other tests' calls.
  sp = await startStatusPageStandIn({ rateLimit: { max: 1, windowMs: SPACING }, keys: [STATUSPAGE_STAND_IN_KEY, RESTING_KEY] });
  sp.state.addPage({ id: PAGE, name: 'Example Status' });
  sp.state.addComponent(PAGE, { id: CHECKOUT, name: 'Checkout' });
  sp.state.addComponent(PAGE, { id: SEARCH, name: 'Search' });
});
afterAll(async () => sp?.close());

const client = (o: { key?: string; minIntervalMs?: number } = {}) =>
  new StatusPageClient({ apiKey: o.key ?? STATUSPAGE_STAND_IN_KEY, apiUrl: sp.apiUrl, minIntervalMs: o.minIntervalMs ?? SPACING * 3 });

describe('Statuspage client and stand-in', () => {
  it('needs the OAuth header with a known key', async () => {
    const r = await client({ key: 'wrong-key' }).getPage(PAGE);
    expect(r).toEqual({ ok: false, error: { kind: 'rejected', status: 401, message: 'Could not authenticate' } });
    const last = sp.requests.at(-1)!;
    expect(last.headers.authorization).toBe('OAuth wrong-key');
    expect((await client().getPage(PAGE)).ok).toBe(true);
  });

  it('creates an incident with component impact, updates it, resolves it', async () => {
    const c = client();
    const created = await c.createIncident(PAGE, { name: 'Checkout is slow', status: 'investigating', body: 'We are looking into slow checkouts.', components: { [CHECKOUT]: 'partial_outage' }, metadata: { kranz: { outbox_key: 'k1' } } });
    if (!created.ok) throw new Error(JSON.stringify(created.error));
    expect(created.value).toMatchObject({ name: 'Checkout is slow', status: 'investigating', metadata: { kranz: { outbox_key: 'k1' } } });
    expect(created.value.shortlink).toMatch(/^https:\/\/stspg\.io\//);
    expect(sp.state.components.get(CHECKOUT)?.status).toBe('partial_outage');
    const id = created.value.id;
    expect((await c.updateIncident(PAGE, id, { status: 'identified', body: 'Cause found.' })).ok).toBe(true);
    const unresolved = await c.listUnresolvedIncidents(PAGE);
    expect(unresolved.ok && unresolved.value.map((i) => i.id)).toEqual([id]);
    expect((await c.updateIncident(PAGE, id, { status: 'resolved', body: 'Fixed.', components: { [CHECKOUT]: 'operational' } })).ok).toBe(true);
    const got = await c.getIncident(PAGE, id);
    if (!got.ok) throw new Error('get failed');
    expect(got.value.incident_updates.map((u) => [u.status, u.body])).toEqual([['resolved', 'Fixed.'], ['identified', 'Cause found.'], ['investigating', 'We are looking into slow checkouts.']]);
    expect(sp.state.components.get(CHECKOUT)?.status).toBe('operational');
    expect(renderIncidentHistory(sp.state, sp.state.incidents.get(id)!).join('\n')).toContain('Checkout partial_outage → operational');
  });

  it('refuses an unknown component (404) and a bad status (422)', async () => {
    const c = client();
    const unknown = await c.createIncident(PAGE, { name: 'x', components: { nosuchcomp99: 'major_outage' } });
    expect(unknown).toMatchObject({ ok: false, error: { kind: 'rejected', status: 404 } });
    const bad = await c.createIncident(PAGE, { name: 'x', status: 'exploded' as never });
    expect(bad).toMatchObject({ ok: false, error: { kind: 'rejected', status: 422, message: expect.stringContaining('Status must be one of') } });
  });

  it('answers 420 to a caller faster than allowed, and never to the client that spaces its calls', async () => {
    const spaced = client();
    const from = sp.requests.length;
    const results = await Promise.all([1, 2, 3, 4].map(() => spaced.listComponents(PAGE)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(sp.requests.slice(from).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    // Another process with the same key (its own spacing, here none): the stand-in pushes back.
    const eager = new StatusPageClient({ apiKey: STATUSPAGE_STAND_IN_KEY, apiUrl: sp.apiUrl.replace('127.0.0.1', 'localhost'), minIntervalMs: 0 });
    const burst = await Promise.all([1, 2, 3].map(() => eager.listComponents(PAGE)));
    expect(burst.some((r) => !r.ok && r.error.kind === 'rate_limited' && r.error.status === 420)).toBe(true);
  });

  it('answers 429 to everything while the fault switch is on, saying when to come back (Retry-After)', async () => {
    await new Promise((r) => setTimeout(r, SPACING * 2));
    sp.faults.rateLimitFor(150);
    expect(await client().getPage(PAGE)).toMatchObject({ ok: false, error: { kind: 'rate_limited', status: 429, retryAfterMs: 1_000 } });
    expect(sp.requests.at(-1)?.status).toBe(429);
    await new Promise((r) => setTimeout(r, 160));
    expect((await client().getPage(PAGE)).ok).toBe(true);
  });
});

describe('StatusPageDeliverer', () => {
  const pageIncidents = new Map<string, string>();
  const refused: string[] = [];
  const published: Published[] = [];
  let deliverer: StatusPageDeliverer;
  beforeAll(() => {
   deliverer = new StatusPageDeliverer({
    client: client(),
    pageIncidentOf: async (id) => pageIncidents.get(id),
    recorded: (_row, p) => {
      published.push(p);
      pageIncidents.set('inc-1', p.pageIncidentId);
      return [];
    },
    onRefused: async (_row, reason) => {
      refused.push(reason);
    },
    rateLimitWaitMs: 50,
   });
  });
  let seq = 0;
  const row = (p: Omit<StatusPagePublication, 'kind' | 'pageId'>, attempts = 1, key = `row-${++seq}`): ClaimedOutboxRow => ({
    id: seq, incidentId: 'inc-1', target: 'statuspage', orderKey: 'statuspage:inc-1', op: 'statuspage.publish', idempotencyKey: key, attempts, createdAt: new Date().toISOString(),
    payload: { kind: 'statuspage.publish', pageId: PAGE, ...p },
  });

  it('creates once even when a retry follows a create whose answer was lost', async () => {
    const before = sp.state.pageIncidents(PAGE).length;
    const first = row({ action: 'create', name: 'Search is down', status: 'investigating', body: 'Search fails for everyone.', components: { [SEARCH]: 'major_outage' } });
    expect((await deliverer.deliver(first)).ok).toBe(true);
    // The same row again, as after a crash before the delivery was recorded.
    expect((await deliverer.deliver({ ...first, attempts: 2 })).ok).toBe(true);
    expect(sp.state.pageIncidents(PAGE).length).toBe(before + 1);
    expect(published.map((p) => p.pageIncidentId)).toEqual([pageIncidents.get('inc-1'), pageIncidents.get('inc-1')]);
    expect(published[0]?.url).toMatch(/^https:\/\/stspg\.io\//);
  });

  it('adds an update once even when retried after it got through', async () => {
    const r = row({ action: 'update', status: 'identified', body: 'A bad index; rebuilding.', components: { [SEARCH]: 'partial_outage' } });
    expect((await deliverer.deliver(r)).ok).toBe(true);
    expect((await deliverer.deliver({ ...r, attempts: 3 })).ok).toBe(true);
    const updates = sp.state.incidents.get(pageIncidents.get('inc-1')!)!.incident_updates;
    expect(updates.filter((u) => u.body === 'A bad index; rebuilding.')).toHaveLength(1);
  });

  it('waits as long as Statuspage says on 429 (Retry-After), else the configured wait; retries 5xx; dead-letters a refusal with the reason', async () => {
    await new Promise((r) => setTimeout(r, SPACING * 2));
    // A 30 s window: the answer says when to come back, and the row waits that long. Another key:
    // the client rests a refused key for that long in this process.
    sp.faults.rateLimitFor(30_000);
    const own = new StatusPageDeliverer({ client: client({ key: RESTING_KEY }), pageIncidentOf: async (id) => pageIncidents.get(id), recorded: () => [], onRefused: async () => undefined, rateLimitWaitMs: 50 });
    const limited = await own.deliver(row({ action: 'update', status: 'monitoring', body: 'Rebuilt.', components: {} }));
    expect(limited).toMatchObject({ ok: false, retryable: true, retryAfterMs: 30_000 });
    sp.faults.clear();
    // A 429 without Retry-After (a proxy dropped it): the configured wait, here shortened to 50 ms.
    sp.faults.fail(1, 429);
    expect(await deliverer.deliver(row({ action: 'update', status: 'monitoring', body: 'Rebuilt.', components: {} }))).toMatchObject({ ok: false, retryable: true, retryAfterMs: 50 });
    sp.faults.fail(1, 503);
    expect(await deliverer.deliver(row({ action: 'update', status: 'monitoring', body: 'Rebuilt.', components: {} }))).toMatchObject({ ok: false, retryable: true });
    const gone = await deliverer.deliver(row({ action: 'update', status: 'monitoring', body: 'x', components: { nosuchcomp99: 'major_outage' } }));
    expect(gone).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('HTTP 404') });
    expect(refused).toEqual([expect.stringContaining('Component nosuchcomp99 not found')]);
  });

  it('waits 30 s after a 429 without Retry-After unless told otherwise', async () => {
    await new Promise((r) => setTimeout(r, SPACING * 2));
    const standard = new StatusPageDeliverer({ client: client(), pageIncidentOf: async (id) => pageIncidents.get(id), recorded: () => [], onRefused: async () => undefined });
    sp.faults.fail(1, 429);
    expect(await standard.deliver(row({ action: 'update', status: 'monitoring', body: 'Rebuilt.', components: {} }))).toMatchObject({ ok: false, retryable: true, retryAfterMs: 30_000 });
  });

  it('retries a refused key (401/403) with the usual backoff, saying the key is refused, and dead-letters nothing', async () => {
    await new Promise((r) => setTimeout(r, SPACING * 2));
    const keyTrouble: string[] = [];
    const refusedHere: string[] = [];
    const badKey = new StatusPageDeliverer({
      client: client({ key: 'revoked-key' }), pageIncidentOf: async (id) => pageIncidents.get(id), recorded: () => [],
      onRefused: async (_row, reason) => { refusedHere.push(reason); }, onKeyRefused: (_row, error) => keyTrouble.push(error), rateLimitWaitMs: 50,
    });
    const unauthorized = await badKey.deliver(row({ action: 'update', status: 'monitoring', body: 'Rebuilt.', components: {} }));
    expect(unauthorized).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('HTTP 401') });
    expect(unauthorized).not.toHaveProperty('retryAfterMs');
    sp.faults.fail(1, 403);
    const forbidden = await deliverer.deliver(row({ action: 'update', status: 'monitoring', body: 'Rebuilt.', components: {} }));
    expect(forbidden).toMatchObject({ ok: false, retryable: true, error: expect.stringMatching(/API key.*HTTP 403/) });
    expect(keyTrouble).toEqual([expect.stringMatching(/refused the API key.*HTTP 401/)]);
    expect(refusedHere).toEqual([]);
    expect(refused).toHaveLength(1);
  });

  it('updates the page incident its row names, whatever the incident records now (a reopen opened another)', async () => {
    const target = pageIncidents.get('inc-1')!;
    const reopened = new StatusPageDeliverer({ client: client(), pageIncidentOf: async () => undefined, recorded: () => [], onRefused: async () => undefined, rateLimitWaitMs: 50 });
    const r = await reopened.deliver({ ...row({ action: 'resolve', status: 'resolved', body: 'This incident has been resolved.', components: { [SEARCH]: 'operational' }, pageIncidentId: target }), incidentId: 'inc-3' });
    expect(r).toMatchObject({ ok: true, result: { pageIncidentId: target } });
    expect(sp.state.incidents.get(target)!.status).toBe('resolved');
  });

  it('waits for the create before updating', async () => {
    const other = { ...row({ action: 'update', status: 'identified', body: 'y', components: {} }), incidentId: 'inc-2' };
    expect(await deliverer.deliver(other)).toMatchObject({ ok: false, retryable: true, waiting: true });
  });
});
