/**
 * Customers in Slack, end to end over the real HTTP stand-in: a one-line
 * declare attaches the only configured customer (its contact on the
 * checklist, updates relayed); with two configured the checklist asks and a
 * button attaches; a customer report waits for review and reaches the
 * customer's channel only after Send is clicked. People are shown by the
 * display names Slack gives (users.info), recorded on the events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/domain/policy.ts';
import { testPolicy } from '../helpers/domain.ts';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { command } from '../helpers/slack-e2e.ts';

const dana = (h: Harness) => h.slack.user(USERS.dana.id);
const textOf = (m: { text?: string; blocks?: unknown }): string => `${m.text ?? ''} ${JSON.stringify(m.blocks ?? [])}`;

async function postUpdate(h: Harness, ch: string, summary: string): Promise<void> {
  await dana(h).slashCommand(ch, '/incident', 'update');
  const modal = await h.slack.waitFor(() => { const v = h.slack.workspace.topModal(USERS.dana.id); return v?.callback_id === 'status_update' ? v : undefined; }, { what: 'update modal' });
  await dana(h).submitView(modal.id, { status: 'identified', summary, next: '20m' });
  await outboxDrained(h);
}

describe('one configured customer', () => {
  let h: Harness;
  let ch = '';
  beforeAll(async () => {
    h = await startHarness();
    await command(h, dana(h), 'CGENERAL', 'declare SEV1 Checkout is failing');
    ch = (await incidentChannel(h, 1)).id;
    await outboxDrained(h);
  });
  afterAll(async () => h?.close());

  it('attaches it on a one-line declare, says so with a one-click remove, and puts its contact on the checklist', () => {
    const history = h.slack.workspace.history(ch);
    const notice = history.find((m) => (m.text ?? '').includes('Acme Corp is attached'));
    expect(notice, 'attached notice').toBeDefined();
    expect(JSON.stringify(notice?.blocks)).toContain('"action_id":"customer_detach"');
    const checklist = history.find((m) => (m.text ?? '').startsWith('Checklist for INC-1'));
    expect(textOf(checklist ?? {})).toContain('Acme Corp: Dana Reyes (+1 555 0100)');
  });

  it('relays status updates to the customer channel', async () => {
    await postUpdate(h, ch, 'Card payments fail for some shoppers; investigating.');
    expect(h.slack.workspace.history('CACME').some((m) => textOf(m).includes('Card payments fail for some shoppers'))).toBe(true);
  });

  it('records display names from users.info on the events', async () => {
    const r = await h.pool.query<{ actor: { name?: string } }>("select actor from incident_events where type = 'status_update_posted'");
    expect(r.rows[0]?.actor.name).toBe(USERS.dana.real_name);
  });
});

describe('two configured customers', () => {
  const policy: Policy = {
    ...testPolicy,
    customers: [...testPolicy.customers, { id: 'globex', name: 'Globex', mainContact: { name: 'Hank Scorpio', phone: '+1 555 0199' }, sla: { targetPercent: 99.5, periodDays: 30 }, serviceCredits: [] }],
  };
  let h: Harness;
  let ch = '';
  beforeAll(async () => {
    h = await startHarness({ policy });
    await command(h, dana(h), 'CGENERAL', 'declare SEV1 Search is down');
    ch = (await incidentChannel(h, 1)).id;
    await outboxDrained(h);
  });
  afterAll(async () => h?.close());

  it('asks on the checklist with a button per customer, and the button attaches', async () => {
    const checklist = () => h.slack.workspace.history(ch).find((m) => (m.text ?? '').startsWith('Checklist for INC-1'));
    const before = textOf(checklist() ?? {});
    expect(before).toContain('Which customer is affected?');
    expect(before).toContain('"action_id":"customer_attach:acme"');
    expect(before).toContain('"action_id":"customer_attach:globex"');
    await dana(h).blockAction({ channel: ch, messageTs: checklist()?.ts ?? '' }, 'customer_attach:globex');
    await outboxDrained(h);
    const after = textOf(checklist() ?? {});
    expect(after).not.toContain('Which customer is affected?');
    expect(after).toContain('Globex: Hank Scorpio (+1 555 0199)');
    const r = await h.pool.query<{ state: { customers: string[] } }>('select state from incidents');
    expect(r.rows[0]?.state.customers).toEqual(['globex']);
  });

  it('attaches and removes with /incident customer', async () => {
    const [attached] = await command(h, dana(h), ch, 'customer Acme Corp');
    expect(attached).toContain('Acme Corp attached');
    const [again] = await command(h, dana(h), ch, 'customer acme');
    expect(again).toContain('already attached');
    const [removed] = await command(h, dana(h), ch, 'customer remove acme');
    expect(removed).toContain('Customer removed');
    const r = await h.pool.query<{ state: { customers: string[] } }>('select state from incidents');
    expect(r.rows[0]?.state.customers).toEqual(['globex']);
  });
});

describe('sending a customer report', () => {
  let h: Harness;
  let ch = '';
  beforeAll(async () => {
    h = await startHarness();
    await command(h, dana(h), 'CGENERAL', 'declare SEV2 Exports are slow');
    ch = (await incidentChannel(h, 1)).id;
    await outboxDrained(h);
    await postUpdate(h, ch, 'Exports take up to an hour; we are on it.');
    await command(h, dana(h), ch, 'mitigated');
    await command(h, dana(h), ch, 'root-cause A full disk on the export worker');
    await command(h, dana(h), ch, 'resolve');
    await command(h, dana(h), ch, 'close');
    await outboxDrained(h);
  });
  afterAll(async () => h?.close());

  const inAcmeChannel = () => [...h.slack.workspace.canvases.values()].filter((c) => c.channelId === 'CACME');

  it('posts the customer report for review with a Send button, and nothing reaches the customer', () => {
    const review = h.slack.workspace.history(ch).find((m) => (m.text ?? '').includes('Customer report for Acme Corp ready for review'));
    expect(review, 'review message').toBeDefined();
    expect(JSON.stringify(review?.blocks)).toContain('Send to Acme Corp');
    expect(inAcmeChannel()).toHaveLength(0);
    expect(h.slack.workspace.history('CACME').some((m) => textOf(m).includes('Incident report'))).toBe(false);
  });

  it('refuses Send to someone in the channel without a role, and sends nothing', async () => {
    const review = h.slack.workspace.history(ch).find((m) => (m.text ?? '').includes('Customer report for Acme Corp ready for review'));
    const sam = h.slack.user(USERS.sam.id);
    await sam.join(ch);
    await outboxDrained(h);
    await sam.blockAction({ channel: ch, messageTs: review?.ts ?? '' }, 'customer_report_send');
    await outboxDrained(h);
    const told = h.slack.workspace.ephemerals.filter((e) => e.user === USERS.sam.id).map((e) => e.text).join('\n');
    expect(told).toContain('You may not send customer reports of INC-1');
    expect(told).toContain(`the commander (<@${USERS.dana.id}>)`);
    expect(inAcmeChannel()).toHaveLength(0);
    const sent = await h.pool.query("select 1 from incident_events where type = 'customer_report_sent'");
    expect(sent.rowCount).toBe(0);
  });

  it('sends it to the customer channel only after the click, once, and records who sent it', async () => {
    const review = h.slack.workspace.history(ch).find((m) => (m.text ?? '').includes('Customer report for Acme Corp ready for review'));
    await Promise.all([1, 2].map(() => dana(h).blockAction({ channel: ch, messageTs: review?.ts ?? '' }, 'customer_report_send')));
    await outboxDrained(h);
    const sent = inAcmeChannel();
    expect(sent).toHaveLength(1);
    const markdown = (sent[0]?.sections ?? []).map((s) => s.markdown).join('\n');
    for (const heading of ['## Summary', '## Resolution and recovery timeline', '## Root cause', '## Corrective and preventive measures']) expect(markdown).toContain(heading);
    expect(markdown).toContain('Exports take up to an hour');
    expect(markdown).not.toMatch(/<@|UDANA|event [0-9a-f]{8}/);
    const r = await h.pool.query<{ actor: { userId: string }; data: { customer: string; to: string } }>("select actor, data from incident_events where type = 'customer_report_sent'");
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]?.actor.userId).toBe(USERS.dana.id);
    expect(r.rows[0]?.data).toMatchObject({ customer: 'acme', to: 'CACME' });
    expect(h.slack.workspace.history(ch).some((m) => (m.text ?? '').includes('customer report was sent to Acme Corp'))).toBe(true);
  });
});
