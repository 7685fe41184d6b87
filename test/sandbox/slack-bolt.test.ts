import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Named import: under vitest the default export of @slack/bolt is App itself, not the module object.
import { App } from '@slack/bolt';
import { LogLevel } from '@slack/web-api';
import { startSlackStandIn } from '../../src/sandbox/slack/index.ts';
import type { SlackStandIn } from '../../src/sandbox/slack/index.ts';

const SECRET = 'bolt-signing-secret';

describe('Slack stand-in: a real Bolt app (HTTP receiver) end to end', () => {
  let slack: SlackStandIn;
  let app: App;
  let server: Server;
  const seenMessages: string[] = [];
  const seenReactions: string[] = [];

  beforeAll(async () => {
    slack = await startSlackStandIn({
      signingSecret: SECRET,
      users: [{ id: 'U0ANA', name: 'ana' }],
      channels: [{ id: 'C0GENERAL', name: 'general', members: ['U0ANA'], botIsMember: true }],
    });
    app = new App({
      token: 'xoxb-sandbox-token',
      signingSecret: SECRET,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: slack.apiUrl },
    });
    app.command('/incident', async ({ ack, command, client }) => {
      await ack({ response_type: 'ephemeral', text: `Declaring: ${command.text}` });
      await client.views.open({
        trigger_id: command.trigger_id,
        view: {
          type: 'modal',
          callback_id: 'declare',
          private_metadata: command.channel_id,
          title: { type: 'plain_text', text: 'Declare' },
          submit: { type: 'plain_text', text: 'Declare' },
          blocks: [{ type: 'input', block_id: 'title', label: { type: 'plain_text', text: 'Title' }, element: { type: 'plain_text_input', action_id: 'v' } }],
        },
      });
    });
    app.view('declare', async ({ ack, view, client }) => {
      const title = view.state.values.title?.v?.value ?? '';
      if (title.length < 3) {
        await ack({ response_action: 'errors', errors: { title: 'Too short' } });
        return;
      }
      await ack();
      const created = await client.conversations.create({ name: 'inc-1-checkout' });
      await client.conversations.invite({ channel: created.channel?.id ?? '', users: 'U0ANA' });
      await client.chat.postMessage({
        channel: view.private_metadata,
        text: `Incident declared: ${title}`,
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: `*${title}*` } },
          { type: 'actions', elements: [{ type: 'button', action_id: 'ack', text: { type: 'plain_text', text: 'Ack' }, value: 'INC-1' }] },
        ],
      });
    });
    app.action('ack', async ({ ack, respond }) => {
      await ack();
      await respond({ replace_original: true, text: 'Acknowledged' });
    });
    app.message(async ({ message }) => {
      if ('text' in message && message.text) seenMessages.push(message.text);
    });
    app.event('reaction_added', async ({ event }) => {
      seenReactions.push(event.reaction);
    });
    server = (await app.start(0)) as Server;
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    slack.setBotEndpoint(`http://127.0.0.1:${port}/slack/events`);
  });
  afterAll(async () => {
    await app?.stop();
    await slack?.close();
  });

  it('runs /incident → modal → submission → channel, post and button through Bolt', async () => {
    const ana = slack.user('U0ANA');
    const reply = await ana.slashCommand('C0GENERAL', '/incident', 'declare checkout errors');
    expect(reply.status).toBe(200);
    expect(slack.workspace.ephemerals.at(-1)).toMatchObject({ source: 'ack', text: 'Declaring: declare checkout errors' });
    // Bolt opens the modal after acking; wait for it rather than for a quiet period.
    const modal = await slack.waitFor(() => slack.workspace.topModal('U0ANA'), { what: 'the modal' });
    expect(modal.callback_id).toBe('declare');

    const tooShort = await ana.submitView(modal.id, { title: 'x' });
    expect(tooShort).toMatchObject({ responseAction: 'errors', errors: { title: 'Too short' } });

    const done = await ana.submitView(modal.id, { title: 'Checkout errors' });
    expect(done.responseAction).toBe('close');
    const announcement = await slack.waitFor(
      () => slack.workspace.history('C0GENERAL').find((m) => m.text === 'Incident declared: Checkout errors'),
      { what: 'the announcement' },
    );
    const channel = slack.workspace.resolveChannel('inc-1-checkout');
    expect(channel?.members.has('U0ANA')).toBe(true);

    await ana.blockAction({ channel: 'C0GENERAL', messageTs: announcement.ts }, 'ack');
    await slack.waitFor(() => slack.workspace.responseUrlPosts.length > 0, { what: 'the response_url post' });
    expect(slack.workspace.message('C0GENERAL', announcement.ts)?.text).toBe('Acknowledged');
    expect(slack.workspace.responseUrlPosts.at(-1)?.effect).toBe('replaced');
  });

  it('lets Bolt drop the bot\'s own message events (ignoreSelf) but see people\'s', async () => {
    seenMessages.length = 0;
    const ts = (await slack.user('U0ANA').postMessage('C0GENERAL', 'error rate is back to normal')).ts;
    await slack.user('U0ANA').react('C0GENERAL', ts, 'white_check_mark');
    await app.client.chat.postMessage({ channel: 'C0GENERAL', text: 'from the bot itself' });
    await slack.waitForDeliveries();
    // Bolt runs listeners after acking, so wait for them to have run.
    await slack.waitFor(() => seenReactions.length > 0 && seenMessages.length > 0, { what: 'the listeners' });
    await slack.idle();
    const botEcho = slack.workspace.deliveries.find((d) => (d.payload.event as { text?: string } | undefined)?.text === 'from the bot itself');
    // The echo was delivered and accepted, yet no listener saw it.
    expect(botEcho?.status).toBe(200);
    expect(seenMessages).toEqual(['error rate is back to normal']);
    expect(seenReactions).toEqual(['white_check_mark']);
  });

  it('passes Bolt\'s signature check; a wrong secret is refused with 401', async () => {
    const forged = await startSlackStandIn({ signingSecret: 'not-the-secret', users: [{ id: 'U0EVE', name: 'eve' }], channels: [{ id: 'C0X', name: 'x', members: ['U0EVE'] }] });
    try {
      const addr = server.address();
      forged.setBotEndpoint(`http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/slack/events`);
      const reply = await forged.user('U0EVE').slashCommand('C0X', '/incident', 'help');
      expect(reply.status).toBe(401);
    } finally {
      await forged.close();
    }
  });
});
