/**
 * A 📌 or a pin that reaches Kranz after the message it flags was deleted in
 * Slack (Slack re-sends an event Kranz could not take at first) must not
 * bring the deleted text back: nothing is recorded, and neither the report
 * nor the web view shows it. A message that was never deleted is still
 * flagged, late or not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentChannel, outboxDrained, USERS } from '../helpers/kranz-harness.ts';
import { freePort } from '../helpers/net.ts';
import { count, ephemeralTexts, postToKranz } from '../helpers/slack-e2e.ts';
import { get, signIn, startWebHarness, type WebHarness } from '../helpers/web.ts';
import type { UserActionResult } from '../../src/sandbox/slack/simulated-user.ts';

let h: WebHarness;
let cookie = '';
let ch = '';
let unreachable = '';
const NUMBER = 1;

beforeAll(async () => {
  h = await startWebHarness();
  unreachable = `http://127.0.0.1:${await freePort()}/slack/events`;
  await h.slack.user(USERS.dana.id).slashCommand('CGENERAL', '/incident', 'declare SEV2 Credentials leaked in a channel');
  ch = (await incidentChannel(h, NUMBER)).id;
  await outboxDrained(h);
  await h.slack.user(USERS.eve.id).join(ch);
  await outboxDrained(h);
  cookie = await signIn(h, USERS.dana.id);
}, 60_000);
afterAll(async () => h?.close());

const eve = () => h.slack.user(USERS.eve.id);
const dana = () => h.slack.user(USERS.dana.id);

/** Does `act` while Kranz cannot be reached: Slack tries to deliver its event and fails. */
async function whileUnreachable(act: () => Promise<UserActionResult>): Promise<UserActionResult> {
  h.slack.setBotEndpoint(unreachable);
  try {
    const r = await act();
    expect(r.delivery?.status ?? 0, 'the first delivery failed').not.toBe(200);
    return r;
  } finally {
    h.slack.setBotEndpoint(`${h.kranz.url}/slack/events`);
  }
}

/** Slack re-sends the event, now that Kranz answers. */
async function arrivesLate(r: UserActionResult): Promise<void> {
  const d = await h.slack.redeliverEvent(r.eventId);
  expect(d.status).toBe(200);
  await outboxDrained(h);
}

const notesOf = async (ts: string): Promise<{ text: string; via: string }[]> =>
  (await h.pool.query<{ data: { text: string; via: string } }>("select data from incident_events where type = 'note_added' and data->>'messageTs' = $1 order by seq", [ts])).rows.map((r) => r.data);

/** What people can read of the incident: the JSON API, the incident page and the report. */
async function readable(): Promise<{ api: string; page: string; report: string }> {
  const [api, page, report] = await Promise.all([`/api/incidents/${NUMBER}`, `/incidents/${NUMBER}`, `/incidents/${NUMBER}/report`].map((p) => get(h, p, cookie)));
  for (const r of [api, page, report]) expect(r?.status).toBe(200);
  return { api: api!.body, page: page!.body, report: report!.body };
}

describe('a flag that reaches Kranz after the message was deleted', () => {
  it('records nothing for a message Kranz logged, never flagged and saw deleted, when the 📌 arrives late', async () => {
    const posted = await eve().postMessage(ch, 'db password is hunter2');
    expect(posted.delivery?.status).toBe(200);
    const reaction = await whileUnreachable(() => dana().react(ch, posted.ts, 'pushpin'));
    await eve().deleteMessage(ch, posted.ts);
    await outboxDrained(h);
    await arrivesLate(reaction);

    expect(await notesOf(posted.ts)).toEqual([]);
    expect(await count(h, "select 1 from incident_events where data::text like '%hunter2%'")).toBe(0);
    const seen = await readable();
    for (const body of Object.values(seen)) expect(body).not.toContain('hunter2');
  });

  it('records nothing for a message Kranz never saw but saw deleted, when the pin carrying its text or a 📌 arrives late', async () => {
    // Kranz is unreachable while the message is posted, pinned and 📌-reacted: it never logs the message.
    h.slack.setBotEndpoint(undefined);
    const posted = await eve().postMessage(ch, 'api token is tok-4711');
    h.slack.setBotEndpoint(`${h.kranz.url}/slack/events`);
    expect(posted.delivery).toBeUndefined();
    const pin = await whileUnreachable(() => dana().pin(ch, posted.ts));
    const reaction = await whileUnreachable(() => dana().react(ch, posted.ts, 'round_pushpin'));
    const deleted = await eve().deleteMessage(ch, posted.ts);
    expect(deleted.delivery?.status).toBe(200);
    await outboxDrained(h);
    // The pin event carries the message's text; for the 📌 Kranz asks Slack's history.
    expect(JSON.stringify(h.slack.workspace.deliveries.find((d) => d.eventId === pin.eventId)?.payload)).toContain('tok-4711');
    const lookups = h.slack.workspace.callsTo('conversations.history').length;
    await arrivesLate(pin);
    await arrivesLate(reaction);
    expect(h.slack.workspace.callsTo('conversations.history').slice(lookups).some((c) => c.args['latest'] === posted.ts)).toBe(true);

    expect(await notesOf(posted.ts)).toEqual([]);
    expect(await count(h, "select 1 from incident_events where data::text like '%tok-4711%'")).toBe(0);
    expect(await count(h, "select 1 from slack_messages where text like '%tok-4711%'")).toBe(0);
    const seen = await readable();
    for (const body of Object.values(seen)) expect(body).not.toContain('tok-4711');
  });

  it('adds no second note, and shows no text, when a pin of a flagged message arrives after its deletion', async () => {
    const posted = await eve().postMessage(ch, 'call Jo on +1 555 0199');
    await dana().react(ch, posted.ts, 'pushpin');
    await outboxDrained(h);
    expect(await notesOf(posted.ts)).toEqual([expect.objectContaining({ text: 'call Jo on +1 555 0199', via: 'reaction' })]);
    const pin = await whileUnreachable(() => eve().pin(ch, posted.ts));
    await eve().deleteMessage(ch, posted.ts);
    await outboxDrained(h);
    await arrivesLate(pin);

    expect((await notesOf(posted.ts)).map((n) => n.via)).toEqual(['reaction']);
    const seen = await readable();
    for (const body of Object.values(seen)) expect(body).not.toContain('555 0199');
    const api = JSON.parse(seen.api) as { events: { type: string; data: { messageTs?: string; text?: string }; textWithheld?: boolean }[] };
    expect(api.events.filter((e) => e.data.messageTs === posted.ts).map((e) => [e.type, e.textWithheld])).toEqual([['note_added', true], ['message_deleted', true]]);
  });

  it('tells whoever ran "Add to incident timeline" on a message deleted before Kranz took it that it was not added', async () => {
    const posted = await eve().postMessage(ch, 'vpn secret is s3same');
    h.slack.setBotEndpoint(unreachable);
    const clicked = await dana().messageShortcut('add_to_timeline', ch, posted.ts).finally(() => h.slack.setBotEndpoint(`${h.kranz.url}/slack/events`));
    expect(clicked.status).not.toBe(200);
    await eve().deleteMessage(ch, posted.ts);
    await outboxDrained(h);
    // The shortcut's request reaches Kranz after the deletion, with the message's text.
    expect(clicked.delivery.rawBody).toContain('s3same');
    const answered = await postToKranz(h, clicked.delivery.rawBody);
    expect(answered.status).toBe(200);
    await outboxDrained(h);

    expect(await notesOf(posted.ts)).toEqual([]);
    expect(ephemeralTexts(h, USERS.dana.id, ch)).toContain(':warning: That message was deleted in Slack, so it is not added to the incident timeline.');
    const seen = await readable();
    for (const body of Object.values(seen)) expect(body).not.toContain('s3same');
  });

  it('still flags a message that was never deleted, on time or late, with its text in the report and the API', async () => {
    const onTime = await eve().postMessage(ch, 'Failover to the standby started');
    await dana().react(ch, onTime.ts, 'pushpin');
    const kept = await eve().postMessage(ch, 'Rotated every database credential');
    const reaction = await whileUnreachable(() => dana().react(ch, kept.ts, 'pushpin'));
    await outboxDrained(h);
    expect(await notesOf(kept.ts)).toEqual([]);
    await arrivesLate(reaction);

    expect(await notesOf(onTime.ts)).toEqual([expect.objectContaining({ text: 'Failover to the standby started', via: 'reaction' })]);
    expect(await notesOf(kept.ts)).toEqual([expect.objectContaining({ text: 'Rotated every database credential', via: 'reaction' })]);
    const seen = await readable();
    for (const body of Object.values(seen)) {
      expect(body).toContain('Failover to the standby started');
      expect(body).toContain('Rotated every database credential');
    }
    const api = JSON.parse(seen.api) as { events: { type: string; data: { messageTs?: string; text?: string }; textWithheld?: boolean }[] };
    expect(api.events.find((e) => e.type === 'note_added' && e.data.messageTs === kept.ts)).toMatchObject({ data: { text: 'Rotated every database credential' } });
    expect(api.events.find((e) => e.type === 'note_added' && e.data.messageTs === kept.ts)?.textWithheld).toBeUndefined();
  });
});
