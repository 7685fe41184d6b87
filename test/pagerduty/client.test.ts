import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { PagerDutyClient } from '../../src/adapters/pagerduty/client.ts';
import { SEED } from '../../src/sandbox/pagerduty/state.ts';
import { STAND_IN_TOKEN, startPagerDutyStandIn, type PagerDutyStandIn } from '../../src/sandbox/pagerduty/stand-in.ts';
import { fixture } from './helpers/fixtures.ts';

const standIns: PagerDutyStandIn[] = [];
afterAll(async () => {
  await Promise.all(standIns.map((s) => s.close()));
});

async function setup(opts: Parameters<typeof startPagerDutyStandIn>[0] = {}, clientOpts: Partial<ConstructorParameters<typeof PagerDutyClient>[0]> = {}) {
  const pd = await startPagerDutyStandIn(opts);
  standIns.push(pd);
  const client = new PagerDutyClient({ apiUrl: pd.url, token: STAND_IN_TOKEN, from: SEED.emails.bot, timeoutMs: 2_000, ...clientOpts });
  return { pd, client };
}

/** Key paths of `actual` (arrays: first element) that the spec example does not have. */
function extraKeys(actual: unknown, example: unknown, at = ''): string[] {
  if (Array.isArray(actual)) return actual.length > 0 && Array.isArray(example) && example.length > 0 ? extraKeys(actual[0], example[0], `${at}[]`) : [];
  if (typeof actual !== 'object' || actual === null || typeof example !== 'object' || example === null) return [];
  return Object.entries(actual).flatMap(([k, v]) => (k in example ? extraKeys(v, (example as Record<string, unknown>)[k], `${at}.${k}`) : [`${at}.${k}`]));
}

function value<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
}

describe('PagerDutyClient against the stand-in', () => {
  let pd: PagerDutyStandIn;
  let client: PagerDutyClient;
  beforeEach(async () => {
    ({ pd, client } = await setup());
  });

  it('getIncident returns the incident, sent with the token and the version-2 Accept header', async () => {
    const created = pd.state.addIncident({ title: 'Checkout is down', serviceId: SEED.services.checkout, priorityId: 'PSLWBL8', incidentKey: 'k1' });
    const incident = value(await client.getIncident(created.id));
    expect(incident).toMatchObject({
      id: created.id,
      number: created.number,
      title: 'Checkout is down',
      status: 'triggered',
      urgency: 'high',
      incidentKey: 'k1',
      serviceId: SEED.services.checkout,
      serviceName: 'Checkout API',
      escalationPolicyId: SEED.escalationPolicies.checkout,
      priority: { id: 'PSLWBL8', name: 'P1' },
      assignees: [{ id: SEED.users.alice, summary: 'Alice Archer' }],
    });
    const req = pd.requests.at(-1);
    expect(req?.method).toBe('GET');
    expect(req?.path).toBe(`/incidents/${created.id}`);
    expect(req?.headers.authorization).toBe(`Token token=${STAND_IN_TOKEN}`);
    expect(req?.headers.accept).toBe('application/vnd.pagerduty+json;version=2');
    // Reads act as nobody: no From.
    expect(req?.headers.from).toBeUndefined();
  });

  it('getService and listServices', async () => {
    expect(value(await client.getService(SEED.services.platform))).toEqual({
      id: SEED.services.platform,
      name: 'Platform',
      status: 'active',
      htmlUrl: `https://kranz-sandbox.pagerduty.com/service-directory/${SEED.services.platform}`,
      escalationPolicyId: SEED.escalationPolicies.platform,
    });
    expect(value(await client.listServices()).map((s) => s.id)).toEqual([SEED.services.checkout, SEED.services.platform]);
  });

  it('listPriorities', async () => {
    expect(value(await client.listPriorities()).map((p) => p.name)).toEqual(['P1', 'P2', 'P3', 'P4', 'P5']);
  });

  it('listOnCallUserEmails asks once with include[]=users and returns de-duplicated emails', async () => {
    // Alice is also on call for platform: she must appear once.
    pd.state.addOnCall({ userId: SEED.users.alice, escalationPolicyId: SEED.escalationPolicies.platform, level: 2 });
    const emails = value(await client.listOnCallUserEmails([SEED.escalationPolicies.checkout, SEED.escalationPolicies.platform]));
    expect(emails).toEqual([SEED.emails.alice, SEED.emails.bob, SEED.emails.carol]);
    expect(pd.requests).toHaveLength(1);
    expect(pd.requests[0]?.query['escalation_policy_ids[]']).toEqual([SEED.escalationPolicies.checkout, SEED.escalationPolicies.platform]);
    expect(pd.requests[0]?.query['include[]']).toEqual(['users']);
  });

  it('listOnCallUserEmails can stop at an escalation level', async () => {
    expect(value(await client.listOnCallUserEmails([SEED.escalationPolicies.checkout], { maxEscalationLevel: 1 }))).toEqual([SEED.emails.alice]);
  });

  it('listOnCallUserEmails with no policies makes no request (an unfiltered /oncalls lists the account)', async () => {
    expect(value(await client.listOnCallUserEmails([' ', '']))).toEqual([]);
    expect(pd.requests).toHaveLength(0);
  });

  it('createIncidentNote sends From and stores the note as that user', async () => {
    const incident = pd.state.addIncident({ title: 'x', serviceId: SEED.services.checkout });
    const note = value(await client.createIncidentNote(incident.id, 'Rolled back to v41'));
    expect(note).toMatchObject({ content: 'Rolled back to v41', userId: SEED.users.bot });
    expect(pd.state.notes).toEqual([expect.objectContaining({ incidentId: incident.id, content: 'Rolled back to v41', userId: SEED.users.bot })]);
    const req = pd.requests.at(-1);
    expect(req?.headers.from).toBe(SEED.emails.bot);
    expect(req?.body).toEqual({ note: { content: 'Rolled back to v41' } });
  });

  it('createStatusUpdate', async () => {
    const incident = pd.state.addIncident({ title: 'x', serviceId: SEED.services.checkout });
    const update = value(await client.createStatusUpdate(incident.id, 'Mitigated; monitoring.'));
    expect(update.message).toBe('Mitigated; monitoring.');
    expect(pd.state.statusUpdates[0]).toMatchObject({ incidentId: incident.id, message: 'Mitigated; monitoring.', senderId: SEED.users.bot });
    expect(pd.requests.at(-1)?.headers.from).toBe(SEED.emails.bot);
  });

  it('resolveIncident PUTs an incident_reference with status resolved, and is safe to repeat', async () => {
    const incident = pd.state.addIncident({ title: 'x', serviceId: SEED.services.checkout });
    const resolved = value(await client.resolveIncident(incident.id));
    expect(resolved.status).toBe('resolved');
    expect(pd.state.incidents.get(incident.id)?.status).toBe('resolved');
    const req = pd.requests.at(-1);
    expect(req?.method).toBe('PUT');
    expect(req?.body).toEqual({ incident: { type: 'incident_reference', status: 'resolved' } });
    expect(req?.headers.from).toBe(SEED.emails.bot);
    expect(value(await client.resolveIncident(incident.id)).status).toBe('resolved');
  });

  it('createIncident sends the PagerDuty body and returns the new incident', async () => {
    const incident = value(
      await client.createIncident({ serviceId: SEED.services.platform, title: 'Disk full', urgency: 'low', details: 'db-3 at 99%', incidentKey: 'kranz-42', priorityId: 'P53ZZH5' }),
    );
    expect(incident).toMatchObject({ title: 'Disk full', urgency: 'low', incidentKey: 'kranz-42', serviceId: SEED.services.platform, priority: { id: 'P53ZZH5', name: 'P2' } });
    expect(pd.requests.at(-1)?.body).toEqual({
      incident: {
        type: 'incident',
        title: 'Disk full',
        service: { id: SEED.services.platform, type: 'service_reference' },
        urgency: 'low',
        incident_key: 'kranz-42',
        body: { type: 'incident_body', details: 'db-3 at 99%' },
        priority: { id: 'P53ZZH5', type: 'priority_reference' },
      },
    });
    expect(pd.requests.at(-1)?.headers.from).toBe(SEED.emails.bot);
    // A second open incident with the same key is refused, as PagerDuty does.
    const dup = await client.createIncident({ serviceId: SEED.services.platform, title: 'Disk full', incidentKey: 'kranz-42' });
    expect(dup.ok || dup.error).toMatchObject({ kind: 'rejected', status: 400, message: expect.stringMatching(/dedup key/) });
  });

  it('request bodies use only fields of the OpenAPI request examples', async () => {
    const incident = pd.state.addIncident({ title: 'x', serviceId: SEED.services.checkout });
    await client.createIncident({ serviceId: SEED.services.platform, title: 'All fields', urgency: 'high', details: 'd', incidentKey: 'k', priorityId: 'P53ZZH5', escalationPolicyId: SEED.escalationPolicies.platform });
    await client.createResponderRequest(incident.id, { requesterId: SEED.users.bot, message: 'm', userIds: [SEED.users.bob] });
    await client.createIncidentNote(incident.id, 'n');
    await client.resolveIncident(incident.id);
    const [create, responders, note, update] = pd.requests.map((r) => r.body);
    expect(extraKeys(create, fixture('rest/createIncident.request.json'))).toEqual([]);
    expect(extraKeys(responders, fixture('rest/createIncidentResponderRequest.request.json'))).toEqual([]);
    expect(extraKeys(note, fixture('rest/createIncidentNote.request.json'))).toEqual([]);
    expect(extraKeys(update, fixture('rest/updateIncident.request.json'))).toEqual([]);
    expect(pd.requests.every((r) => r.status !== undefined && r.status < 300)).toBe(true);
  });

  it('createResponderRequest targets users', async () => {
    const incident = pd.state.addIncident({ title: 'x', serviceId: SEED.services.checkout });
    const rr = value(await client.createResponderRequest(incident.id, { requesterId: SEED.users.bot, message: 'Join the bridge', userIds: [SEED.users.carol] }));
    expect(rr).toMatchObject({ incidentId: incident.id, requesterId: SEED.users.bot, message: 'Join the bridge', targetIds: [SEED.users.carol] });
    expect(pd.requests.at(-1)?.body).toEqual({
      requester_id: SEED.users.bot,
      message: 'Join the bridge',
      responder_request_targets: [{ responder_request_target: { id: SEED.users.carol, type: 'user_reference' } }],
    });
    expect(pd.state.responderRequests).toHaveLength(1);
  });

  it('checkToken lists abilities with an account-level token', async () => {
    expect(value(await client.checkToken()).abilities).toContain('coordinated_responding');
    expect(pd.requests.at(-1)?.path).toBe('/abilities');
  });

  it('getCurrentUser is rejected with an account-level token (why doctor uses checkToken)', async () => {
    const r = await client.getCurrentUser();
    expect(r.ok || r.error).toMatchObject({ kind: 'rejected', status: 400 });
  });

  it('getUser', async () => {
    expect(value(await client.getUser(SEED.users.carol))).toEqual({ id: SEED.users.carol, name: 'Carol Chen', email: SEED.emails.carol });
  });
});

describe('PagerDutyClient: other tokens and shapes', () => {
  it('getCurrentUser works with a user-level token', async () => {
    const { client } = await setup({ userTokens: { 'user-token': SEED.users.alice } }, { token: 'user-token' });
    expect(value(await client.getCurrentUser())).toEqual({ id: SEED.users.alice, name: 'Alice Archer', email: SEED.emails.alice });
  });

  it('fetches users one by one when /oncalls does not embed them', async () => {
    const { pd, client } = await setup({ supportsIncludes: false });
    expect(value(await client.listOnCallUserEmails([SEED.escalationPolicies.checkout]))).toEqual([SEED.emails.alice, SEED.emails.bob]);
    expect(pd.requests.map((r) => r.route)).toEqual(['listOnCalls', 'getUser', 'getUser']);
  });

  it('keeps a path prefix in the API URL', async () => {
    const pd = await startPagerDutyStandIn();
    standIns.push(pd);
    const client = new PagerDutyClient({ apiUrl: `${pd.url}/`, token: STAND_IN_TOKEN, from: SEED.emails.bot });
    expect(client.apiUrl).toBe(pd.url);
    const withPrefix = new PagerDutyClient({ apiUrl: 'https://proxy.example/pd/', token: 't', from: 'f@example.com' });
    expect(withPrefix.apiUrl).toBe('https://proxy.example/pd');
  });

  it('takes the base URL from PAGERDUTY_API_URL, then the real API', () => {
    expect(new PagerDutyClient({ token: 't', from: 'f', env: { PAGERDUTY_API_URL: 'http://127.0.0.1:9/' } }).apiUrl).toBe('http://127.0.0.1:9');
    expect(new PagerDutyClient({ token: 't', from: 'f', env: {} }).apiUrl).toBe('https://api.pagerduty.com');
    expect(() => new PagerDutyClient({ token: 't', from: 'f', env: { PAGERDUTY_API_URL: 'ftp://x' } })).toThrow(/http/);
  });
});

describe('PagerDutyClient pagination', () => {
  it('follows offset/limit/more over several pages', async () => {
    const { pd, client } = await setup({}, { pageSize: 100 });
    for (let i = 0; i < 148; i++) pd.state.addService({ name: `svc-${String(i).padStart(3, '0')}`, escalationPolicyId: SEED.escalationPolicies.platform });
    const services = value(await client.listServices());
    expect(services).toHaveLength(150);
    expect(new Set(services.map((s) => s.id)).size).toBe(150);
    expect(pd.requests.map((r) => [r.query['offset']?.[0], r.query['limit']?.[0]])).toEqual([
      ['0', '100'],
      ['100', '100'],
    ]);
  });

  it('pages through on-calls too', async () => {
    const { pd, client } = await setup({}, { pageSize: 2 });
    for (let i = 0; i < 5; i++) {
      const u = pd.state.addUser({ name: `u${i}`, email: `u${i}@example.com` });
      pd.state.addOnCall({ userId: u.id, escalationPolicyId: SEED.escalationPolicies.platform, level: 1 });
    }
    const emails = value(await client.listOnCallUserEmails([SEED.escalationPolicies.platform]));
    expect(emails).toEqual([SEED.emails.carol, 'u0@example.com', 'u1@example.com', 'u2@example.com', 'u3@example.com', 'u4@example.com']);
    expect(pd.requests.filter((r) => r.route === 'listOnCalls')).toHaveLength(3);
  });

  it('stops after maxPages instead of looping forever', async () => {
    const { pd, client } = await setup({}, { pageSize: 1, maxPages: 1 });
    expect(pd.state.services.size).toBe(2);
    const r = await client.listServices();
    expect(r.ok || r.error).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/more after 1 pages/) });
  });
});

describe('PagerDutyClient errors as values', () => {
  it('4xx → rejected: unknown incident (404)', async () => {
    const { client } = await setup();
    const r = await client.getIncident('PNOPE00');
    expect(r.ok || r.error).toEqual({ kind: 'rejected', status: 404, message: 'Not Found (2100): Incident Not Found' });
  });

  it('4xx → rejected: bad token (401)', async () => {
    const { client } = await setup({}, { token: 'wrong' });
    const r = await client.checkToken();
    expect(r.ok || r.error).toMatchObject({ kind: 'rejected', status: 401 });
  });

  it('4xx → rejected: missing account ability (402)', async () => {
    const { pd, client } = await setup();
    pd.state.abilities.delete('coordinated_responding');
    const incident = pd.state.addIncident({ title: 'x', serviceId: SEED.services.checkout });
    const r = await client.createResponderRequest(incident.id, { requesterId: SEED.users.bot, message: 'help', userIds: [SEED.users.bob] });
    expect(r.ok || r.error).toMatchObject({ kind: 'rejected', status: 402, message: expect.stringMatching(/Missing Account Ability/) });
  });

  it('4xx → rejected: From is not a PagerDuty user (400)', async () => {
    const { pd, client } = await setup({}, { from: 'stranger@example.com' });
    const incident = pd.state.addIncident({ title: 'x', serviceId: SEED.services.checkout });
    const r = await client.createIncidentNote(incident.id, 'hello');
    expect(r.ok || r.error).toMatchObject({ kind: 'rejected', status: 400, message: 'Requester User Not Found (1008)' });
    expect(pd.state.notes).toHaveLength(0);
  });

  it('an empty from sends no From header: fine with a user token, refused with an account token', async () => {
    const { pd, client } = await setup({ userTokens: { 'bob-token': SEED.users.bob } }, { from: '', token: 'bob-token' });
    const incident = pd.state.addIncident({ title: 'x', serviceId: SEED.services.checkout });
    expect(value(await client.createIncidentNote(incident.id, 'as bob')).userId).toBe(SEED.users.bob);
    expect(pd.requests.at(-1)?.headers.from).toBeUndefined();
    const account = new PagerDutyClient({ apiUrl: pd.url, token: STAND_IN_TOKEN, from: '' });
    const r = await account.createIncidentNote(incident.id, 'as nobody');
    expect(r.ok || r.error).toMatchObject({ kind: 'rejected', status: 400, message: expect.stringMatching(/"From" header/) });
  });

  it('5xx → unavailable, and the next call succeeds', async () => {
    const { pd, client } = await setup();
    pd.faults.serverError('listPriorities', { times: 1, status: 503 });
    const r = await client.listPriorities();
    expect(r.ok || r.error).toMatchObject({ kind: 'unavailable', status: 503 });
    expect(value(await client.listPriorities())).toHaveLength(5);
  });

  it('refuses empty ids locally instead of hitting a collection endpoint', async () => {
    const { pd, client } = await setup();
    const r = await client.resolveIncident('  ');
    expect(r.ok || r.error).toMatchObject({ kind: 'rejected', status: 0 });
    expect(pd.requests).toHaveLength(0);
  });

  it('percent-encodes ids', async () => {
    const { pd, client } = await setup();
    await client.getIncident('a/b?c');
    expect(pd.requests[0]?.path).toBe('/incidents/a%2Fb%3Fc');
  });
});
