/**
 * Incident channel names and the crash-adoption path: a long, exotic title
 * still gives a valid name; a name someone else holds gets a suffix; a
 * channel Kranz made but never recorded (it crashed between Slack's answer
 * and its commit) is adopted, never duplicated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { count, undelivered } from '../helpers/slack-e2e.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const BOT = 'U0KRANZBOT';
const ws = () => h.slack.workspace;
const channelsNamed = (prefix: string) => [...ws().channels.values()].filter((c) => c.name.startsWith(prefix));

async function declare(title: string, severity = 'SEV2'): Promise<void> {
  const r = await h.slack.user(USERS.dana.id).slashCommand('CGENERAL', '/incident', `declare ${severity} ${title}`);
  expect(r.status).toBe(200);
}

async function incidentRow(number: number): Promise<{ id: string; channel_id: string | null }> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const r = await h.pool.query<{ id: string; channel_id: string | null }>('select id, channel_id from incidents where number = $1', [number]);
    if (r.rows[0]) return r.rows[0];
    if (Date.now() > deadline) throw new Error(`INC-${number} was never declared`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

async function recordedName(number: number): Promise<string | undefined> {
  const r = await h.pool.query<{ name: string }>(
    "select e.data->>'channelName' as name from incident_events e join incidents i on i.id = e.incident_id where i.number = $1 and e.type = 'channel_created'",
    [number],
  );
  expect(r.rows).toHaveLength(1);
  return r.rows[0]?.name;
}

describe('incident channels', () => {
  it('turns a 120-character title into a valid channel name', async () => {
    const title = 'Überweisungen über 1.000 € schlagen fehl — ACME & Co. (HTTP 502/503) seit Deploy #4711!! Kunden: Zahlungen hängen, bitte';
    expect(title).toHaveLength(120);
    await declare(title, 'SEV1');
    const ch = await incidentChannel(h, 1);
    await outboxDrained(h);
    expect(ch.name.length).toBeLessThanOrEqual(80);
    expect(ch.name).toMatch(/^[a-z0-9][a-z0-9_-]*[a-z0-9]$/);
    expect(ch.name).not.toMatch(/--/);
    expect(ch.name.startsWith('inc-1-uberweisungen-uber-1-000-schlagen-fehl-acme-co-http-502-503')).toBe(true);
    expect(await recordedName(1)).toBe(ch.name);
    expect((await incidentRow(1)).channel_id).toBe(ch.id);
  });

  it('adds a suffix when someone else already has the name', async () => {
    const theirs = ws().addChannel({ name: 'inc-2-checkout-is-down', members: [USERS.eve.id], creator: USERS.eve.id, purpose: 'Eve\'s scratch channel' });
    await declare('Checkout is down');
    const ch = await h.slack.waitFor(() => ws().resolveChannel('inc-2-checkout-is-down-2'), { what: 'the suffixed channel' });
    await outboxDrained(h);
    expect(await recordedName(2)).toBe('inc-2-checkout-is-down-2');
    expect((await incidentRow(2)).channel_id).toBe(ch.id);
    // Eve's channel is left alone: Kranz neither joined it nor wrote in it.
    expect(theirs.members.has(BOT)).toBe(false);
    expect(theirs.purpose.value).toBe('Eve\'s scratch channel');
    expect(ws().history(theirs.id)).toEqual([]);
    expect(ch.members.has(USERS.dana.id)).toBe(true);
    expect(await undelivered(h)).toEqual([]);
  });

  /**
   * Makes the first conversations.create fail, and while Kranz backs off puts
   * a channel with the name it will use in place: as if the first attempt had
   * reached Slack and Kranz had died before recording the answer.
   */
  async function crashAfterCreate(number: number, title: string, channel: (incidentId: string) => { name: string; purpose?: string; creator: string }) {
    const failedBefore = ws().callsTo('conversations.create').filter((c) => c.fault === 'outage').length;
    h.slack.faults.outage('conversations.create', { times: 1 });
    await declare(title);
    const row = await incidentRow(number);
    await h.slack.waitFor(() => ws().callsTo('conversations.create').filter((c) => c.fault === 'outage').length > failedBefore, { what: 'the failed create' });
    const spec = channel(row.id);
    return ws().addChannel({ name: spec.name, creator: spec.creator, botIsMember: true, ...(spec.purpose ? { purpose: spec.purpose } : {}) });
  }

  it('adopts a channel carrying its purpose marker instead of making a second one', async () => {
    const made = await crashAfterCreate(3, 'Search is empty', (id) => ({ name: 'inc-3-search-is-empty', creator: BOT, purpose: `Incident INC-3, managed by Kranz. kranz:${id}` }));
    const ch = await incidentChannel(h, 3);
    await outboxDrained(h);
    expect(ch.id).toBe(made.id);
    expect(channelsNamed('inc-3-')).toHaveLength(1);
    expect((await incidentRow(3)).channel_id).toBe(made.id);
    expect(await recordedName(3)).toBe('inc-3-search-is-empty');
    // The adopted channel is used like a new one: commander invited, summary and checklist posted.
    expect(made.members.has(USERS.dana.id)).toBe(true);
    expect(ws().history(made.id).some((m) => (m.text ?? '').startsWith('Checklist for INC-3'))).toBe(true);
    expect(await undelivered(h)).toEqual([]);
  });

  it('adopts a channel the bot created whose purpose was never set, and sets it', async () => {
    const made = await crashAfterCreate(4, 'Emails bounce', () => ({ name: 'inc-4-emails-bounce', creator: BOT }));
    const ch = await incidentChannel(h, 4);
    await outboxDrained(h);
    expect(ch.id).toBe(made.id);
    expect(channelsNamed('inc-4-')).toHaveLength(1);
    expect(await recordedName(4)).toBe('inc-4-emails-bounce');
    const row = await incidentRow(4);
    expect(made.purpose.value).toContain(`kranz:${row.id}`);
    expect(await undelivered(h)).toEqual([]);
  });

  it('does not adopt a bot channel marked for another incident', async () => {
    const made = await crashAfterCreate(5, 'Webhooks lag', () => ({ name: 'inc-5-webhooks-lag', creator: BOT, purpose: 'Incident INC-5, managed by Kranz. kranz:00000000-0000-4000-8000-000000000000' }));
    const ch = await h.slack.waitFor(() => ws().resolveChannel('inc-5-webhooks-lag-2'), { what: 'the suffixed channel' });
    await outboxDrained(h);
    expect(ch.id).not.toBe(made.id);
    expect(await recordedName(5)).toBe('inc-5-webhooks-lag-2');
    expect(await count(h, 'select 1 from incidents where channel_id = $1', [made.id])).toBe(0);
  });
});
