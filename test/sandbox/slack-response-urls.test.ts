/**
 * response_url on the Slack stand-in, over real HTTP: a click carries one,
 * as Slack's block_actions payload does, also when the person who clicked is
 * not in the channel; an ephemeral posted there reaches them where
 * chat.postEphemeral refuses them (`user_not_in_channel`). Faults set for
 * response URLs refuse posts to them, so a bot's fallback can be tested.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESPONSE_URL_FAULT, startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/index.ts';
import { sandboxClient, slackError } from './helpers.ts';

const realClick = JSON.parse(readFileSync(new URL('../fixtures/slack/examples/block_actions_button.json', import.meta.url), 'utf8')) as Record<string, unknown>;

/** A bot that acknowledges everything and does nothing else: these tests answer on the URLs themselves. */
function startBot(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/slack/events` });
    }),
  );
}

const post = (url: string, body: unknown): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('Slack stand-in: response_url of a click', () => {
  let slack: SlackStandIn;
  let client: WebClient;
  let bot: Awaited<ReturnType<typeof startBot>>;
  let messageTs = '';
  const channel = 'C0INC';

  beforeAll(async () => {
    bot = await startBot();
    slack = await startSlackStandIn({
      botUrl: bot.url,
      users: [{ id: 'U0ANA', name: 'ana' }, { id: 'U0BOB', name: 'bob' }],
      channels: [{ id: channel, name: 'inc-1-checkout', members: ['U0ANA'], botIsMember: true }],
    });
    client = sandboxClient(slack.apiUrl);
    const posted = await client.chat.postMessage({
      channel,
      text: 'PagerDuty resolved it: resolve INC-1?',
      blocks: [{ type: 'actions', block_id: 'pd', elements: [{ type: 'button', action_id: 'pd_resolve', text: { type: 'plain_text', text: 'Resolve INC-1' }, value: 'inc-1' }] }],
    });
    messageTs = posted.ts ?? '';
  });
  afterAll(async () => {
    await slack?.close();
    bot?.server.closeAllConnections();
    await new Promise((r) => bot?.server.close(r));
  });

  /** Bob, who is not in the channel, clicks the button; the response_url his click carried. */
  async function bobClicks(): Promise<string> {
    const click = await slack.user('U0BOB').blockAction({ channel, messageTs }, 'pd_resolve');
    expect(click.status).toBe(200);
    return String(click.delivery.payload.response_url);
  }

  it('carries a response_url, like Slack\'s payload, when someone outside the channel clicks', async () => {
    const click = await slack.user('U0BOB').blockAction({ channel, messageTs }, 'pd_resolve');
    expect(Object.keys(click.delivery.payload).sort()).toEqual(Object.keys(realClick).sort());
    expect(typeof realClick.response_url).toBe('string');
    expect(click.delivery.payload).toMatchObject({ type: 'block_actions', user: { id: 'U0BOB' }, channel: { id: channel }, container: { message_ts: messageTs } });
    expect(String(click.delivery.payload.response_url).startsWith(`${slack.baseUrl}/response/`)).toBe(true);
  });

  it('shows an ephemeral posted there to the person who clicked, in that channel, though chat.postEphemeral refuses them', async () => {
    const url = await bobClicks();
    expect(await slackError(client.chat.postEphemeral({ channel, user: 'U0BOB', text: 'not for you' }))).toBe('user_not_in_channel');
    const res = await post(url, { response_type: 'ephemeral', replace_original: false, text: 'You may not resolve INC-1.' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    expect(slack.workspace.ephemerals.at(-1)).toMatchObject({ source: 'response_url', channel, user: 'U0BOB', text: 'You may not resolve INC-1.' });
    expect(slack.workspace.responseUrlPosts.at(-1)).toMatchObject({ url, status: 200, effect: 'ephemeral' });
    // replace_original: false leaves the message clicked as it was.
    expect(slack.workspace.message(channel, messageTs)?.text).toBe('PagerDuty resolved it: resolve INC-1?');
  });

  it('refuses posts while a response_url fault lasts, recorded and without spending one of the five uses', async () => {
    const url = await bobClicks();
    slack.faults.outage(RESPONSE_URL_FAULT, { times: 1 });
    const refused = await post(url, { response_type: 'ephemeral', text: 'first try' });
    expect(refused.status).toBe(503);
    expect(slack.workspace.responseUrlPosts.at(-1)).toMatchObject({ url, status: 503, effect: 'rejected', body: { text: 'first try' } });
    expect(slack.workspace.ephemerals.some((e) => e.text === 'first try')).toBe(false);
    for (const n of [1, 2, 3, 4, 5]) expect((await post(url, { response_type: 'ephemeral', text: `answer ${n}` })).status).toBe(200);
    expect((await post(url, { text: 'a sixth' })).status).toBe(404);
  });

  it('is left alone by a Web API outage on every method (\'*\')', async () => {
    const url = await bobClicks();
    slack.faults.outage('*', { times: 1 });
    try {
      expect((await post(url, { response_type: 'ephemeral', text: 'through the outage' })).status).toBe(200);
      expect(slack.workspace.ephemerals.at(-1)).toMatchObject({ user: 'U0BOB', text: 'through the outage' });
    } finally {
      slack.faults.clear();
    }
  });
});
