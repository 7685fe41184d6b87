/**
 * Timeline capture from the incident channel: every human message lands in
 * the channel log (thread replies with their thread), bot messages do not,
 * and a 📌 on a message Kranz never saw fetches it from Slack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { count, postToKranz } from '../helpers/slack-e2e.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const BOT = 'U0KRANZBOT';
const ws = () => h.slack.workspace;

interface LoggedMessage { ts: string; user_id: string | null; text: string; thread_ts: string | null }
async function channelLog(channelId: string): Promise<LoggedMessage[]> {
  const r = await h.pool.query<LoggedMessage>('select ts, user_id, text, thread_ts from slack_messages where channel_id = $1 order by ts', [channelId]);
  return r.rows;
}

describe('timeline capture', () => {
  let ch = '';
  beforeAll(async () => {
    await h.slack.user(USERS.dana.id).slashCommand('CGENERAL', '/incident', 'declare SEV2 Search index is stale');
    ch = (await incidentChannel(h, 1)).id;
    await outboxDrained(h);
    await h.slack.user(USERS.eve.id).join(ch);
    await outboxDrained(h);
  });

  it('logs every human message, thread replies with their thread, and no bot message', async () => {
    const dana = h.slack.user(USERS.dana.id);
    const eve = h.slack.user(USERS.eve.id);
    const a = await dana.postMessage(ch, 'Index lag is 40 minutes');
    const b = await eve.postMessage(ch, 'Acme reports missing products');
    const reply = await eve.postMessage(ch, 'Their SKU 1234 is missing too', { threadTs: a.ts });
    const reply2 = await dana.postMessage(ch, 'Reindexing SKU range now', { threadTs: a.ts });
    // Kranz talks in the channel too (its reply to a note), and another bot posts.
    await dana.slashCommand(ch, '/incident', 'note Reindex started at 14:05');
    const template = JSON.parse(a.delivery!.rawBody) as { event_id: string; event: Record<string, unknown> };
    template.event_id = 'Ev0OTHERBOT1';
    template.event = { type: 'message', subtype: 'bot_message', channel: ch, ts: '1800000000.000200', bot_id: 'B0OTHERBOT', text: 'Deploy bot: build 991 finished', username: 'deploybot' };
    expect((await postToKranz(h, JSON.stringify(template), { contentType: 'application/json' })).status).toBe(200);
    template.event_id = 'Ev0OTHERBOT2';
    template.event = { type: 'message', channel: ch, ts: '1800000000.000300', user: 'U0DEPLOYBOT', bot_id: 'B0OTHERBOT', text: 'Deploy bot: rollback ready' };
    expect((await postToKranz(h, JSON.stringify(template), { contentType: 'application/json' })).status).toBe(200);
    await outboxDrained(h);

    const log = await channelLog(ch);
    const humans = [a, b, reply, reply2].map((m) => m.ts);
    expect(log.map((m) => m.ts)).toEqual(humans);
    expect(log).toEqual([
      { ts: a.ts, user_id: USERS.dana.id, text: 'Index lag is 40 minutes', thread_ts: null },
      { ts: b.ts, user_id: USERS.eve.id, text: 'Acme reports missing products', thread_ts: null },
      { ts: reply.ts, user_id: USERS.eve.id, text: 'Their SKU 1234 is missing too', thread_ts: a.ts },
      { ts: reply2.ts, user_id: USERS.dana.id, text: 'Reindexing SKU range now', thread_ts: a.ts },
    ]);
    // Kranz's own posts reached it as events (as in Slack) and were ignored.
    const ownPosts = ws().allMessages(ch).filter((m) => m.user === BOT && !m.subtype);
    expect(ownPosts.length).toBeGreaterThanOrEqual(2);
    expect(ws().deliveries.some((d) => d.kind === 'event' && (d.payload['event'] as { user?: string }).user === BOT)).toBe(true);
    expect(await count(h, 'select 1 from slack_messages where user_id = $1 or text like $2', [BOT, 'Deploy bot%'])).toBe(0);
  });

  it('fetches a 📌-flagged message Kranz never saw from conversations.history', async () => {
    const eve = h.slack.user(USERS.eve.id);
    // Kranz is unreachable while Eve posts, so the message event never reaches it.
    h.slack.setBotEndpoint(undefined);
    const unseen = await eve.postMessage(ch, 'Cache TTL was set to 0 by yesterday\'s deploy');
    h.slack.setBotEndpoint(`${h.kranz.url}/slack/events`);
    expect(unseen.delivery).toBeUndefined();
    expect(await count(h, 'select 1 from slack_messages where ts = $1', [unseen.ts])).toBe(0);

    const historyCalls = ws().callsTo('conversations.history').length;
    await h.slack.user(USERS.dana.id).react(ch, unseen.ts, 'pushpin');
    await outboxDrained(h);

    const lookups = ws().callsTo('conversations.history').slice(historyCalls);
    expect(lookups.some((c) => c.ok && c.args['channel'] === ch && c.args['latest'] === unseen.ts)).toBe(true);
    const notes = await h.pool.query<{ data: { text: string; authorId?: string; messageTs?: string; via: string; permalink?: string }; occurred_at: Date }>(
      "select data, occurred_at from incident_events where type = 'note_added' and data->>'messageTs' = $1", [unseen.ts],
    );
    expect(notes.rows).toHaveLength(1);
    const note = notes.rows[0]!;
    expect(note.data).toMatchObject({ text: 'Cache TTL was set to 0 by yesterday\'s deploy', authorId: USERS.eve.id, via: 'reaction' });
    expect(note.data.permalink).toMatch(/^https:\/\//);
    // The note keeps the message's own time, not the time of the 📌.
    expect(Math.abs(note.occurred_at.getTime() - Number(unseen.ts) * 1000)).toBeLessThan(1000);
  });

  it('flags a thread reply Kranz never saw with its text', async () => {
    const eve = h.slack.user(USERS.eve.id);
    const parent = (await channelLog(ch))[0]!;
    h.slack.setBotEndpoint(undefined);
    const unseen = await eve.postMessage(ch, 'Reindex of SKU range done', { threadTs: parent.ts });
    h.slack.setBotEndpoint(`${h.kranz.url}/slack/events`);
    await h.slack.user(USERS.dana.id).react(ch, unseen.ts, 'pushpin');
    await outboxDrained(h);
    const notes = await h.pool.query<{ data: { text: string; authorId?: string } }>(
      "select data from incident_events where type = 'note_added' and data->>'messageTs' = $1", [unseen.ts],
    );
    expect(notes.rows.map((r) => r.data)).toEqual([expect.objectContaining({ text: 'Reindex of SKU range done', authorId: USERS.eve.id })]);
  });
});
