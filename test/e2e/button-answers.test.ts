/**
 * A button's answer reaches the person who pressed it where they pressed it:
 * Kranz posts it ephemerally to the press's response_url, which Slack serves
 * to anyone who can see the message, in the channel or not. Someone outside
 * the incident channel, refused, used to be answered by DM
 * (chat.postEphemeral refuses non-members with `user_not_in_channel`). The
 * answer is the text the slash command gives. When the response_url fails,
 * the old way still answers: an ephemeral in the channel for a member, a DM
 * for anyone else; so does a response_url that does not answer in time.
 */
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagerDutyEventMessage } from '../../src/adapters/slack/blocks/incident.ts';
import { RESPONSE_URL_DEADLINE_MS } from '../../src/adapters/slack/listeners/response-url.ts';
import { md } from '../../src/adapters/slack/mrkdwn.ts';
import type { IncidentState } from '../../src/domain/incident.ts';
import { RESPONSE_URL_FAULT, type ResponseUrlPost } from '../../src/sandbox/slack/index.ts';
import { BOT_TOKEN, incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { command, count } from '../helpers/slack-e2e.ts';

let h: Harness;
let channel = '';
beforeAll(async () => {
  h = await startHarness();
  await command(h, h.slack.user(USERS.dana.id), 'CGENERAL', 'declare SEV2 Checkout errors for some customers');
  channel = (await incidentChannel(h, 1)).id;
  await outboxDrained(h);
  // Dana declared and commands INC-1; Sam joins its channel without a role; Eve stays outside it.
  await h.slack.user(USERS.sam.id).join(channel);
  await outboxDrained(h);
}, 60_000);
afterAll(async () => h?.close());

const ws = () => h.slack.workspace;

/** Presses a button as `userId` and waits until Kranz has dealt with the press; returns the response_url it carried. */
async function press(userId: string, messageTs: string, actionId: string): Promise<string> {
  const click = await h.slack.user(userId).blockAction({ channel, messageTs }, actionId);
  expect(click.status).toBe(200);
  await outboxDrained(h);
  return String(click.delivery.payload.response_url);
}

/** What Kranz posted to one response_url. */
const postsTo = (url: string): ResponseUrlPost[] => ws().responseUrlPosts.filter((p) => p.url === url);

/** Every way Kranz tried to reach `userId` other than a response_url: chat.postEphemeral to them, or a DM. */
const otherAnswersTo = (userId: string) =>
  ws().calls.filter((c) => (c.method === 'chat.postEphemeral' && c.args['user'] === userId) || (c.method === 'chat.postMessage' && c.args['channel'] === userId));

/** Posts the PagerDuty "resolve the incident?" suggestion as Kranz's deliverer does, so its Resolve button can be pressed. */
async function resolveSuggestion(): Promise<string> {
  const r = await h.pool.query<{ state: IncidentState }>('select state from incidents where number = 1');
  const m = pagerDutyEventMessage(r.rows[0]!.state, md`PagerDuty resolved the incident: resolve the incident?`, { kind: 'resolve' });
  const posted = await new WebClient(BOT_TOKEN, { slackApiUrl: h.slack.apiUrl }).chat.postMessage({ channel, ...(m as object), text: m.text } as never);
  return posted.ts ?? '';
}

async function status(): Promise<string> {
  return (await h.pool.query<{ status: string }>('select status from incidents where number = 1')).rows[0]!.status;
}

describe('answers to buttons', () => {
  it('answers someone outside the channel, refused Mark done on the checklist, ephemerally where they pressed, not by DM', async () => {
    expect(ws().channels.get(channel)?.members.has(USERS.eve.id)).toBe(false);
    const checklist = ws().history(channel).find((m) => (m.text ?? '').startsWith('Checklist for INC-1'));
    const actionId = /"(checklist_done:[^"]+)"/.exec(JSON.stringify(checklist?.blocks))?.[1] ?? '';
    expect(actionId).not.toBe('');
    const done = () => count(h, "select 1 from incident_events where type = 'checklist_item_done'");
    const doneBefore = await done();

    const url = await press(USERS.eve.id, checklist!.ts, actionId);

    const refusal = `:warning: You may not tick the checklist of INC-1. Only members of <#${channel}>, the commander (<@${USERS.dana.id}>) or people with a role on the incident (<@${USERS.dana.id}>) may do that. (Set in the Kranz policy, \`permissions.allow.update_checklist\`.)`;
    expect(postsTo(url)).toEqual([expect.objectContaining({ status: 200, effect: 'ephemeral', body: { response_type: 'ephemeral', replace_original: false, text: refusal } })]);
    expect(ws().ephemerals.filter((e) => e.user === USERS.eve.id)).toEqual([expect.objectContaining({ source: 'response_url', channel, text: refusal })]);
    expect(otherAnswersTo(USERS.eve.id)).toEqual([]);
    expect(await done()).toBe(doneBefore);
    // The checklist everyone sees is untouched.
    expect(ws().message(channel, checklist!.ts)?.blocks).toEqual(checklist?.blocks);
  });

  it('refuses someone outside the channel Resolve with the words /incident resolve gives, on the response_url; the commander\'s Resolve is answered there too', async () => {
    const ts = await resolveSuggestion();
    const typed = await command(h, h.slack.user(USERS.eve.id), channel, 'resolve');
    expect(typed.at(-1)).toMatch(/^:warning: You may not resolve INC-1\. Only the commander \(<@UDANA>\)/);

    const eveUrl = await press(USERS.eve.id, ts, 'pd_resolve');
    expect(postsTo(eveUrl).map((p) => [p.effect, (p.body as { text: string }).text])).toEqual([['ephemeral', typed.at(-1)]]);
    expect(otherAnswersTo(USERS.eve.id)).toEqual([]);
    expect(await status()).toBe('investigating');

    const danaUrl = await press(USERS.dana.id, ts, 'pd_resolve');
    expect(postsTo(danaUrl)).toEqual([expect.objectContaining({ status: 200, effect: 'ephemeral', body: { response_type: 'ephemeral', replace_original: false, text: ':white_check_mark: Resolved.' } })]);
    expect(ws().ephemerals.at(-1)).toMatchObject({ source: 'response_url', user: USERS.dana.id, channel, text: ':white_check_mark: Resolved.' });
    expect(otherAnswersTo(USERS.dana.id)).toEqual([]);
    expect(await status()).toBe('resolved');
  });

  it('falls back when the response_url fails: an ephemeral in the channel for a member, a DM for someone outside it', async () => {
    const ts = await resolveSuggestion();
    const refusedResolve = /^:warning: You may not resolve INC-1\. Only the commander/;

    h.slack.faults.outage(RESPONSE_URL_FAULT, { times: 1 });
    const samUrl = await press(USERS.sam.id, ts, 'pd_resolve');
    expect(postsTo(samUrl)).toEqual([expect.objectContaining({ status: 503, effect: 'rejected' })]);
    const toSam = ws().ephemerals.filter((e) => e.user === USERS.sam.id);
    expect(toSam.at(-1)).toMatchObject({ source: 'chat.postEphemeral', channel, text: expect.stringMatching(refusedResolve) });
    expect(otherAnswersTo(USERS.sam.id).map((c) => [c.method, c.ok])).toEqual([['chat.postEphemeral', true]]);

    h.slack.faults.outage(RESPONSE_URL_FAULT, { times: 1, mode: 'close' });
    const dmsBefore = otherAnswersTo(USERS.eve.id).length;
    const eveUrl = await press(USERS.eve.id, ts, 'pd_resolve');
    expect(postsTo(eveUrl)).toEqual([expect.objectContaining({ status: 0, effect: 'rejected' })]);
    const tried = otherAnswersTo(USERS.eve.id).slice(dmsBefore);
    expect(tried.map((c) => [c.method, c.ok ? 'ok' : c.error])).toEqual([['chat.postEphemeral', 'user_not_in_channel'], ['chat.postMessage', 'ok']]);
    expect(String(tried[1]?.args['text'])).toMatch(refusedResolve);
  });

  it('gives up on a response_url that never answers after RESPONSE_URL_DEADLINE_MS and answers in the channel instead', async () => {
    const ts = await resolveSuggestion();
    h.slack.faults.outage(RESPONSE_URL_FAULT, { times: 1, mode: 'hang' });
    const before = otherAnswersTo(USERS.sam.id).length;
    const started = Date.now();

    const samUrl = await press(USERS.sam.id, ts, 'pd_resolve');
    const answered = await h.slack.waitFor(() => otherAnswersTo(USERS.sam.id).slice(before).find((c) => c.method === 'chat.postEphemeral'), { timeoutMs: RESPONSE_URL_DEADLINE_MS + 5_000, what: 'the answer in the channel' });
    const tookMs = Date.now() - started;

    expect(postsTo(samUrl)).toEqual([expect.objectContaining({ status: 0, effect: 'rejected' })]);
    expect(answered).toMatchObject({ ok: true, args: expect.objectContaining({ channel, text: expect.stringMatching(/^:warning: You may not resolve INC-1\./) }) });
    expect(tookMs).toBeGreaterThanOrEqual(RESPONSE_URL_DEADLINE_MS - 50);
    expect(tookMs).toBeLessThan(RESPONSE_URL_DEADLINE_MS + 3_000);
    // Kranz abandoned the hung request: nothing of the stand-in is left in flight.
    await h.slack.idle();
  });

  it('answers the message shortcut "Add to incident timeline" on its response_url too', async () => {
    const m = await h.slack.user(USERS.dana.id).postMessage(channel, 'Payments recovered in EU after the rollback');
    await h.slack.waitForDeliveries();
    const viaUrl = (userId: string) => ws().ephemerals.filter((e) => e.user === userId && e.source === 'response_url');
    const [eveBefore, danaBefore, otherBefore] = [viaUrl(USERS.eve.id).length, viaUrl(USERS.dana.id).length, otherAnswersTo(USERS.eve.id).length];

    expect((await h.slack.user(USERS.eve.id).messageShortcut('add_to_timeline', channel, m.ts)).status).toBe(200);
    await outboxDrained(h);
    expect(viaUrl(USERS.eve.id).slice(eveBefore).map((e) => e.text)).toEqual([expect.stringMatching(/^:warning: You may not/)]);
    expect(otherAnswersTo(USERS.eve.id).slice(otherBefore)).toEqual([]);

    expect((await h.slack.user(USERS.dana.id).messageShortcut('add_to_timeline', channel, m.ts)).status).toBe(200);
    await outboxDrained(h);
    expect(viaUrl(USERS.dana.id).slice(danaBefore)).toHaveLength(1);
    expect(await count(h, "select 1 from incident_events where type = 'note_added' and data->>'text' = 'Payments recovered in EU after the rollback'")).toBe(1);
  });
});
