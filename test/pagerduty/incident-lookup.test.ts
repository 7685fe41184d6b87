/**
 * The `PagerDutyIncidents` port on the REST client, against the PagerDuty
 * stand-in: an incident's number, title, URL and service; PagerDuty's 404 as
 * "no such incident"; any other failure (an outage, a rate limit, no answer
 * in time, a refused token) as "could not say".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PagerDutyClient } from '../../src/adapters/pagerduty/client.ts';
import { pagerDutyIncidents } from '../../src/adapters/pagerduty/incident-lookup.ts';
import { asPdIncidentId } from '../../src/domain/ids.ts';
import { SEED } from '../../src/sandbox/pagerduty/state.ts';
import { STAND_IN_TOKEN, startPagerDutyStandIn, type PagerDutyStandIn } from '../../src/sandbox/pagerduty/stand-in.ts';

let pd: PagerDutyStandIn;
beforeAll(async () => {
  pd = await startPagerDutyStandIn();
});
afterAll(async () => pd?.close());

const lookUp = (id: string, o: { timeoutMs?: number; token?: string } = {}) => {
  const client = new PagerDutyClient({ apiUrl: pd.url, token: o.token ?? STAND_IN_TOKEN, from: SEED.emails.bot, timeoutMs: o.timeoutMs ?? 2_000 });
  return pagerDutyIncidents(client).lookUp(asPdIncidentId(id)).finally(() => client.close());
};

describe('looking a PagerDuty incident up before linking it', () => {
  it('gives its number, title, web URL and service', async () => {
    const i = pd.state.addIncident({ title: 'Checkout is down', serviceId: SEED.services.checkout });
    const r = await lookUp(i.id);
    expect(r).toEqual({ kind: 'found', incident: { number: i.number, title: 'Checkout is down', serviceId: SEED.services.checkout, url: expect.stringMatching(new RegExp(`/incidents/${i.id}$`)) } });
  });

  it('says there is none when PagerDuty answers 404', async () => {
    expect(await lookUp('PNOSUCH')).toEqual({ kind: 'not_found' });
  });

  it('says it could not tell when PagerDuty is down, rate-limiting, silent or refusing the token', async () => {
    const i = pd.state.addIncident({ title: 'Search slow', serviceId: SEED.services.platform });
    pd.faults.serverError('getIncident', { times: 1, status: 503 });
    expect(await lookUp(i.id)).toMatchObject({ kind: 'unavailable', reason: expect.stringMatching(/HTTP 503/) });
    pd.faults.rateLimit('getIncident', { times: 1, resetSec: 5 });
    expect(await lookUp(i.id)).toMatchObject({ kind: 'unavailable', reason: expect.stringMatching(/rate limit/) });
    pd.faults.hang('getIncident', { times: 1 });
    const started = Date.now();
    expect(await lookUp(i.id, { timeoutMs: 300 })).toMatchObject({ kind: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await lookUp(i.id, { token: 'not-a-token' })).toMatchObject({ kind: 'unavailable', reason: expect.stringMatching(/401/) });
    // Once PagerDuty answers again, so does the lookup.
    expect((await lookUp(i.id)).kind).toBe('found');
  });
});
