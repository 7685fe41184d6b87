/**
 * With two customers attached, `/incident customer-contacted Globex: …`
 * records the call to Globex only: its call item is ticked, Acme's stays
 * open. A customer that is configured but not on the incident is refused,
 * and text without a customer before its colon is recorded as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/domain/policy.ts';
import { testPolicy } from '../helpers/domain.ts';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { command } from '../helpers/slack-e2e.ts';

const extra = (id: string, name: string, contact: string) => ({ id, name, mainContact: { name: contact }, sla: { targetPercent: 99.5, periodDays: 30 }, serviceCredits: [] });
const policy: Policy = { ...testPolicy, customers: [...testPolicy.customers, extra('globex', 'Globex', 'Hank Scorpio'), extra('initech', 'Initech', 'Bill Lumbergh')] };

let h: Harness;
let ch = '';
const dana = () => h.slack.user(USERS.dana.id);
const contacts = async () => (await h.pool.query<{ data: { customer?: string; details: string } }>("select data from incident_events where type = 'customer_contacted' order by seq")).rows.map((r) => r.data);
const calls = async () => {
  const state = (await h.pool.query<{ state: { checklist: { id: string; doneAt?: string }[] } }>('select state from incidents')).rows[0]!.state;
  return state.checklist.filter((i) => i.id.startsWith('call-customer')).map((i) => [i.id, Boolean(i.doneAt)]);
};

beforeAll(async () => {
  h = await startHarness({ policy });
  await command(h, dana(), 'CGENERAL', 'declare SEV1 Search is down');
  ch = (await incidentChannel(h, 1)).id;
  await command(h, dana(), ch, 'customer acme');
  await command(h, dana(), ch, 'customer globex');
  await outboxDrained(h);
});
afterAll(async () => h?.close());

describe('naming the customer called', () => {
  it('records the call to the customer named before the colon, and ticks only their call', async () => {
    expect(await command(h, dana(), ch, 'customer-contacted Globex: Called Hank, he confirmed the impact')).toEqual([expect.stringContaining('Customer contact recorded')]);
    await outboxDrained(h);
    expect(await contacts()).toEqual([{ customer: 'globex', details: 'Called Hank, he confirmed the impact' }]);
    expect(await calls()).toEqual([['call-customer:acme', false], ['call-customer:globex', true]]);
  });

  it('refuses a configured customer that is not on the incident, recording nothing', async () => {
    const answer = await command(h, dana(), ch, 'customer-contacted initech: Called Bill');
    expect(answer.join('\n')).toContain('"initech" is not attached to INC-1');
    expect(await contacts()).toHaveLength(1);
    expect(await calls()).toEqual([['call-customer:acme', false], ['call-customer:globex', true]]);
  });
});
