/**
 * One call item per customer, end to end over the real HTTP Slack stand-in:
 * with two customers attached the checklist has a call button for each,
 * naming each one's main contact; clicking one records the call to that
 * customer only (event, projection, reminders), leaves the other's button,
 * and removing the other customer takes their open call off the checklist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/domain/policy.ts';
import { testPolicy } from '../helpers/domain.ts';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { command, ephemeralTexts, undelivered } from '../helpers/slack-e2e.ts';

const policy: Policy = {
  ...testPolicy,
  customers: [...testPolicy.customers, { id: 'globex', name: 'Globex', mainContact: { name: 'Hank Scorpio', phone: '+1 555 0199' }, sla: { targetPercent: 99.5, periodDays: 30 }, serviceCredits: [] }],
};

let h: Harness;
let ch = '';
const ws = () => h.slack.workspace;
const dana = () => h.slack.user(USERS.dana.id);
const checklist = () => ws().history(ch).find((m) => (m.text ?? '').startsWith('Checklist for INC-1'));
const checklistJson = () => JSON.stringify(checklist()?.blocks ?? []);

beforeAll(async () => {
  h = await startHarness({ policy });
  await command(h, dana(), 'CGENERAL', 'declare SEV1 Search is down');
  ch = (await incidentChannel(h, 1)).id;
  await outboxDrained(h);
  expect(await command(h, dana(), ch, 'customer acme')).toEqual([expect.stringContaining('Acme Corp attached')]);
  expect(await command(h, dana(), ch, 'customer globex')).toEqual([expect.stringContaining('Globex attached')]);
  await outboxDrained(h);
});
afterAll(async () => h?.close());

describe('two customers attached', () => {
  it("puts a call button on the checklist for each, naming each one's main contact", async () => {
    const blocks = checklistJson();
    expect(blocks).toContain('"action_id":"checklist_done:call-customer:acme"');
    expect(blocks).toContain('"action_id":"checklist_done:call-customer:globex"');
    expect(blocks).toContain('Acme Corp: Dana Reyes (+1 555 0100)');
    expect(blocks).toContain('Globex: Hank Scorpio (+1 555 0199)');
    // No item lists both customers any more.
    expect(blocks).not.toMatch(/Dana Reyes[^"]*Hank Scorpio/);
    const r = await h.pool.query<{ kind: string; subject: string }>("select kind, subject from reminders where kind = 'customer_contact' order by subject");
    expect(r.rows).toEqual([{ kind: 'customer_contact', subject: 'acme' }, { kind: 'customer_contact', subject: 'globex' }]);
  });

  it("records the click on Acme's call as the call to Acme, and to no one else", async () => {
    const click = await dana().blockAction({ channel: ch, messageTs: checklist()?.ts ?? '' }, 'checklist_done:call-customer:acme');
    expect(click.status).toBe(200);
    await outboxDrained(h);

    const contacts = await h.pool.query<{ data: { customer?: string; via?: string }; actor: { userId: string } }>("select data, actor from incident_events where type = 'customer_contacted' order by seq");
    expect(contacts.rows.map((x) => [x.data.customer, x.data.via, x.actor.userId])).toEqual([['acme', 'checklist', USERS.dana.id]]);
    const state = (await h.pool.query<{ state: { checklist: { id: string; doneAt?: string; doneBy?: string }[]; times: { customerContactedAt?: string } } }>('select state from incidents')).rows[0]!.state;
    const calls = state.checklist.filter((i) => i.id.startsWith('call-customer'));
    expect(calls.map((i) => [i.id, Boolean(i.doneAt), i.doneBy])).toEqual([['call-customer:acme', true, USERS.dana.id], ['call-customer:globex', false, undefined]]);
    expect(state.times.customerContactedAt).toBe(calls[0]?.doneAt);

    // Acme's item is ticked in place; Globex's still has its button.
    const blocks = checklistJson();
    expect(blocks).not.toContain('checklist_done:call-customer:acme');
    expect(blocks).toContain('checklist_done:call-customer:globex');
    expect(blocks).toContain(`~Call the customer's main contact (Acme Corp: Dana Reyes (+1 555 0100))~\\n_done by <@${USERS.dana.id}>`);
    // Only Globex's call is still reminded of.
    const r = await h.pool.query<{ subject: string }>("select subject from reminders where kind = 'customer_contact'");
    expect(r.rows.map((x) => x.subject)).toEqual(['globex']);
    // `/incident status` says who is still to be called.
    await dana().slashCommand(ch, '/incident', 'status');
    await outboxDrained(h);
    expect(ephemeralTexts(h, USERS.dana.id, ch).join('\n')).toContain('Not called yet: Globex.');
    expect(await undelivered(h)).toEqual([]);
  });

  it("takes Globex's open call off the checklist when Globex is removed, and says so", async () => {
    expect(await command(h, dana(), ch, 'customer remove globex')).toEqual([expect.stringContaining('Customer removed')]);
    await outboxDrained(h);
    const blocks = checklistJson();
    expect(blocks).not.toContain('call-customer:globex');
    expect(blocks).not.toContain('Hank Scorpio');
    // Acme's done call stays.
    expect(blocks).toContain('~Call the customer\'s main contact (Acme Corp: Dana Reyes (+1 555 0100))~');
    const notice = ws().history(ch).find((m) => (m.text ?? '').startsWith('Globex is no longer attached'));
    expect(notice?.text).toContain('Their call (Hank Scorpio) is off the checklist.');
    const r = await h.pool.query("select 1 from reminders where kind = 'customer_contact'");
    expect(r.rowCount).toBe(0);
  });
});
