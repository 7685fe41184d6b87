import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED } from '../../src/sandbox/pagerduty/state.ts';
import { STAND_IN_TOKEN, startPagerDutyStandIn, type PagerDutyStandIn } from '../../src/sandbox/pagerduty/stand-in.ts';
import { fixture } from './helpers/fixtures.ts';

let pd: PagerDutyStandIn;
beforeAll(async () => {
  pd = await startPagerDutyStandIn();
});
afterAll(async () => {
  await pd.close();
});
beforeEach(() => {
  pd.requests.length = 0;
  pd.faults.clear();
});

const GOOD = { authorization: `Token token=${STAND_IN_TOKEN}`, accept: 'application/vnd.pagerduty+json;version=2', 'content-type': 'application/json' };

async function call(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; json: unknown; headers: Headers }> {
  const res = await fetch(`${pd.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as unknown), headers: res.headers };
}

/** Every key path of `sample` (arrays: their first element) that `actual` lacks. */
function missingKeys(sample: unknown, actual: unknown, at = ''): string[] {
  if (Array.isArray(sample)) return sample.length > 0 && Array.isArray(actual) && actual.length > 0 ? missingKeys(sample[0], actual[0], `${at}[]`) : [];
  if (typeof sample !== 'object' || sample === null || typeof actual !== 'object' || actual === null) return [];
  return Object.entries(sample).flatMap(([k, v]) => (k in actual ? missingKeys(v, (actual as Record<string, unknown>)[k], `${at}.${k}`) : [`${at}.${k}`]));
}

describe('stand-in request checks', () => {
  it('401 without a known token', async () => {
    const none = await call('GET', '/abilities', { accept: GOOD.accept });
    const wrong = await call('GET', '/abilities', { ...GOOD, authorization: 'Token token=nope' });
    expect(none.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(none.json).toEqual({ error: { message: 'Authentication failed', code: 2006 } });
  });

  it('406 without the version-2 Accept header', async () => {
    const r = await call('GET', '/abilities', { authorization: GOOD.authorization });
    expect(r.status).toBe(406);
    expect(r.json).toMatchObject({ error: { code: 2001, errors: [expect.stringMatching(/version=2/)] } });
    const listed = await call('GET', '/abilities', { ...GOOD, accept: 'application/json, application/vnd.pagerduty+json; version=2' });
    expect(listed.status).toBe(200);
  });

  it('400 in PagerDuty’s shape for an account-token write without From', async () => {
    const incident = pd.state.addIncident({ title: 'x', serviceId: SEED.services.checkout });
    const r = await call('POST', `/incidents/${incident.id}/notes`, GOOD, { note: { content: 'hi' } });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: { message: 'You must specify a user\'s email address in the "From" header to perform this action', code: 2016 } });
    expect(pd.state.notes.filter((n) => n.incidentId === incident.id)).toHaveLength(0);
  });

  it('does not need From with a user-level token, which acts as its user', async () => {
    const userPd = await startPagerDutyStandIn({ userTokens: { 'carol-token': SEED.users.carol } });
    try {
      const incident = userPd.state.addIncident({ title: 'x', serviceId: SEED.services.platform });
      const res = await fetch(`${userPd.url}/incidents/${incident.id}/notes`, {
        method: 'POST',
        headers: { ...GOOD, authorization: 'Token token=carol-token' },
        body: JSON.stringify({ note: { content: 'mine' } }),
      });
      expect(res.status).toBe(200);
      expect(userPd.state.notes[0]).toMatchObject({ userId: SEED.users.carol, content: 'mine' });
    } finally {
      await userPd.close();
    }
  });

  it('404 in PagerDuty’s shape for an unknown route', async () => {
    const r = await call('GET', '/teams', GOOD);
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: { message: 'Not Found', code: 2100 } });
  });

  it('records every request, including refused ones', async () => {
    await call('GET', `/services/${SEED.services.checkout}?include[]=a&include[]=b`, GOOD);
    await call('GET', '/abilities', {});
    expect(pd.requests.map((r) => [r.route, r.status])).toEqual([
      ['getService', 200],
      ['listAbilities', 401],
    ]);
    expect(pd.requests[0]?.query['include[]']).toEqual(['a', 'b']);
  });
});

describe('stand-in faults', () => {
  it('rateLimit answers 429 with ratelimit headers and the documented body, `times` times', async () => {
    pd.faults.rateLimit('listPriorities', { times: 2, resetSec: 9 });
    const first = await call('GET', '/priorities', GOOD);
    const second = await call('GET', '/priorities', GOOD);
    const third = await call('GET', '/priorities', GOOD);
    expect([first.status, second.status, third.status]).toEqual([429, 429, 200]);
    expect(first.headers.get('ratelimit-reset')).toBe('9');
    expect(first.headers.get('ratelimit-remaining')).toBe('0');
    expect(first.json).toEqual(fixture('rest/error.429.json'));
  });

  it('faults are per route; `*` matches all', async () => {
    pd.faults.serverError('getService', { status: 503 });
    expect((await call('GET', '/abilities', GOOD)).status).toBe(200);
    expect((await call('GET', `/services/${SEED.services.checkout}`, GOOD)).status).toBe(503);
    pd.faults.serverError('*');
    const r = await call('GET', '/abilities', GOOD);
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ error: { message: 'An internal error has occurred. PagerDuty team has been notified.', code: 2000 } });
  });

  it('faults apply after authentication, like PagerDuty’s limiter', async () => {
    pd.faults.rateLimit('listAbilities');
    expect((await call('GET', '/abilities', {})).status).toBe(401);
    expect((await call('GET', '/abilities', GOOD)).status).toBe(429);
  });
});

/** Service and user details the stand-in leaves out on purpose: Kranz never reads them. */
const LEFT_OUT = new Set([
  '.services[].created_at',
  '.services[].alert_grouping_parameters',
  '.services[].incident_urgency_rule.during_support_hours',
  '.services[].incident_urgency_rule.outside_support_hours',
  '.services[].support_hours',
  '.services[].scheduled_actions',
  '.services[].auto_pause_notifications_parameters',
  '.user.color',
  '.user.invitation_sent',
  '.user.created_via_sso',
  '.user.http_cal_url',
  '.user.web_cal_url',
]);

describe('stand-in response shapes follow the OpenAPI examples', () => {
  it.each([
    ['getIncident', 'rest/getIncident.response.200.json', () => `/incidents/${pd.state.addIncident({ title: 't', serviceId: SEED.services.checkout, priorityId: 'PSLWBL8' }).id}`],
    ['listServices', 'rest/listServices.response.200.json', () => '/services'],
    ['listOnCalls', 'rest/listOnCalls.response.200.json', () => '/oncalls'],
    ['listPriorities', 'rest/listPriorities.response.200.json', () => '/priorities'],
    ['getUser', 'rest/getUser.response.200.json', () => `/users/${SEED.users.alice}`],
  ])('%s has every key of the example', async (_op, example, path) => {
    const r = await call('GET', path(), GOOD);
    expect(r.status).toBe(200);
    expect(missingKeys(fixture(example), r.json).filter((k) => !LEFT_OUT.has(k))).toEqual([]);
  });

  it.each([
    ['createIncident', 'rest/createIncident.response.201.json', 201],
    ['createIncidentNote', 'rest/createIncidentNote.response.200.json', 200],
    ['createIncidentResponderRequest', 'rest/createIncidentResponderRequest.response.200.json', 200],
    ['updateIncident', 'rest/updateIncident.response.200.json', 200],
  ])('%s answers with every key of the example', async (op, example, status) => {
    const incident = pd.state.addIncident({ title: 't', serviceId: SEED.services.checkout });
    const headers = { ...GOOD, from: SEED.emails.bot };
    const r =
      op === 'createIncident'
        ? await call('POST', '/incidents', headers, { incident: { type: 'incident', title: 'New', service: { id: SEED.services.checkout, type: 'service_reference' } } })
        : op === 'createIncidentNote'
          ? await call('POST', `/incidents/${incident.id}/notes`, headers, fixture('rest/createIncidentNote.request.json'))
          : op === 'updateIncident'
            ? await call('PUT', `/incidents/${incident.id}`, headers, fixture('rest/updateIncident.request.json'))
            : await call('POST', `/incidents/${incident.id}/responder_requests`, headers, {
                requester_id: SEED.users.bot,
                message: 'help',
                responder_request_targets: [{ responder_request_target: { id: SEED.users.bob, type: 'user_reference' } }],
              });
    expect(r.status).toBe(status);
    expect(missingKeys(fixture(example), r.json)).toEqual([]);
  });
});
