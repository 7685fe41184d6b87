import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifySlackRequest } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { startSlackStandIn } from '../../src/sandbox/slack/index.ts';
import { formEncode } from '../../src/sandbox/slack/signing.ts';
import type { SlackStandIn } from '../../src/sandbox/slack/index.ts';
import { sandboxClient } from './helpers.ts';

const SECRET = 'test-signing-secret';
const example = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/slack/examples/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  /** The form fields, the interactivity payload or the JSON event, whichever came. */
  body: Record<string, unknown>;
}

/** A tiny bot: verifies every request with Bolt's own check, records it, answers as told. */
function startReceiver(): Promise<{ server: Server; url: string; got: Received[]; answer: { status: number; body: string; delayMs: number } }> {
  const got: Received[] = [];
  const answer = { status: 200, body: '', delayMs: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      verifySlackRequest({
        signingSecret: SECRET,
        body: raw,
        headers: {
          'x-slack-signature': String(req.headers['x-slack-signature']),
          'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
        },
      });
      const form = Object.fromEntries(new URLSearchParams(raw));
      const body =
        req.headers['content-type'] === 'application/json'
          ? (JSON.parse(raw) as Record<string, unknown>)
          : typeof form.payload === 'string'
            ? (JSON.parse(form.payload) as Record<string, unknown>)
            : form;
      got.push({ headers: req.headers, raw, body });
      if (body.type === 'url_verification') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ challenge: body.challenge }));
        return;
      }
      setTimeout(() => {
        res.writeHead(answer.status, { 'content-type': answer.body.startsWith('{') ? 'application/json' : 'text/plain' });
        res.end(answer.body);
      }, answer.delayMs);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}/slack/events`, got, answer });
    }),
  );
}

describe('Slack stand-in: signed requests to the bot', () => {
  let slack: SlackStandIn;
  let client: WebClient;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let channel: string;

  beforeAll(async () => {
    rx = await startReceiver();
    slack = await startSlackStandIn({
      signingSecret: SECRET,
      botUrl: rx.url,
      users: [{ id: 'U0ANA', name: 'ana' }],
      channels: [{ id: 'C0QUIET', name: 'quiet', members: ['U0ANA'] }],
    });
    client = sandboxClient(slack.apiUrl);
    channel = (await client.conversations.create({ name: 'inc-signed' })).channel?.id ?? '';
    await client.conversations.invite({ channel, users: 'U0ANA' });
    await slack.waitForDeliveries();
  });
  beforeEach(async () => {
    await slack.waitForDeliveries();
    rx.got.length = 0;
    Object.assign(rx.answer, { status: 200, body: '', delayMs: 0 });
  });
  afterAll(async () => {
    await slack.close();
    rx.server.closeAllConnections();
    await new Promise((r) => rx.server.close(r));
  });

  it('encodes form bodies exactly like the Slack slash-command example', () => {
    const ex = example('slash_command') as { fields: Record<string, string>; urlencoded_body: string };
    expect(formEncode(ex.fields)).toBe(ex.urlencoded_body);
  });

  it('sends slash commands as signed form posts shaped like Slack\'s, and shows the ack to the user', async () => {
    rx.answer.body = JSON.stringify({ text: 'Declaring SEV1…' });
    const reply = await slack.user('U0ANA').slashCommand(channel, '/incident', 'declare sev1 checkout errors');
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ text: 'Declaring SEV1…' });
    const [req] = rx.got;
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req?.headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    // Same fields, same order as Slack's example (minus the Enterprise Grid ones).
    const exFields = Object.keys((example('slash_command') as { fields: Record<string, string> }).fields);
    expect(Object.keys(req?.body ?? {})).toEqual(exFields.filter((k) => !k.startsWith('enterprise_')));
    expect(req?.body).toMatchObject({ command: '/incident', text: 'declare sev1 checkout errors', user_id: 'U0ANA', channel_id: channel });
    expect(reply.triggerId).toMatch(/^\d+\.\d+\.[0-9a-f]{32}$/);
    expect(reply.responseUrl.startsWith(slack.baseUrl)).toBe(true);
    expect(slack.workspace.ephemerals.at(-1)).toMatchObject({ source: 'ack', user: 'U0ANA', text: 'Declaring SEV1…' });
  });

  it('serves response_url: ephemeral, in_channel, and at most five uses', async () => {
    const { responseUrl } = await slack.user('U0ANA').slashCommand(channel, '/incident', 'status');
    const post = (body: unknown): Promise<Response> =>
      fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ text: 'No open incidents' })).status).toBe(200);
    expect(slack.workspace.ephemerals.at(-1)).toMatchObject({ source: 'response_url', user: 'U0ANA', text: 'No open incidents' });
    expect((await post({ response_type: 'in_channel', text: 'INC-7 resolved' })).status).toBe(200);
    expect(slack.workspace.history(channel).at(-1)).toMatchObject({ text: 'INC-7 resolved', bot_id: 'B0KRANZBOT' });
    await post({ text: '3' });
    await post({ text: '4' });
    await post({ text: '5' });
    const sixth = await post({ text: '6' });
    expect(sixth.status).toBe(404);
    expect(await sixth.text()).toBe('used_url');
    expect(slack.workspace.responseUrlPosts.map((p) => p.effect)).toEqual([
      'ephemeral', 'in_channel', 'ephemeral', 'ephemeral', 'ephemeral', 'rejected',
    ]);
  });

  it('delivers a person\'s message as a signed JSON event_callback shaped like Slack\'s', async () => {
    const res = await slack.user('U0ANA').postMessage(channel, 'error rate is back to normal');
    expect(res.delivery?.status).toBe(200);
    const [req] = rx.got;
    expect(req?.headers['content-type']).toBe('application/json');
    const ex = example('event_callback_message_channels');
    expect(Object.keys(req?.body ?? {}).sort()).toEqual(Object.keys(ex).sort());
    expect(Object.keys(req?.body.event as object).sort()).toEqual(Object.keys(ex.event as object).sort());
    expect(req?.body).toMatchObject({
      type: 'event_callback',
      event_id: res.eventId,
      authorizations: [{ user_id: 'U0KRANZBOT', is_bot: true }],
      event: { type: 'message', user: 'U0ANA', text: 'error rate is back to normal', channel, channel_type: 'channel', ts: res.ts },
    });
    // The signature covers the body: any change is caught by Bolt's check.
    expect(() =>
      verifySlackRequest({
        signingSecret: SECRET,
        body: `${req?.raw ?? ''} `,
        headers: {
          'x-slack-signature': String(req?.headers['x-slack-signature']),
          'x-slack-request-timestamp': Number(req?.headers['x-slack-request-timestamp']),
        },
      }),
    ).toThrow();
  });

  it('delivers the bot\'s own posts back as message events with bot_id, like Slack', async () => {
    const parent = await client.chat.postMessage({ channel, text: 'parent' });
    await client.chat.postMessage({ channel, text: 'TEST', thread_ts: parent.ts ?? '' });
    await slack.waitForDeliveries();
    const events = rx.got.map((r) => r.body.event as Record<string, unknown>);
    expect(events.map((e) => e.text)).toEqual(['parent', 'TEST']);
    const reply = events[1] ?? {};
    expect(reply).toMatchObject({ bot_id: 'B0KRANZBOT', user: 'U0KRANZBOT', app_id: 'A0KRANZAPP', thread_ts: parent.ts });
    const ex = example('event_callback_message_from_bot').event as object;
    expect(Object.keys(reply).sort()).toEqual(expect.arrayContaining(Object.keys(ex).sort()));
  });

  it('sends edits, deletions, reactions and pins as Slack events', async () => {
    const ana = slack.user('U0ANA');
    const posted = await ana.postMessage(channel, 'rolled back deploy 4512');
    await ana.editMessage(channel, posted.ts, 'rolled back deploy 4513');
    await ana.react(channel, posted.ts, 'pushpin');
    await ana.pin(channel, posted.ts);
    await ana.deleteMessage(channel, posted.ts);
    const events = rx.got.map((r) => r.body.event as Record<string, unknown>);
    expect(events.map((e) => e.subtype ?? e.type)).toEqual(['message', 'message_changed', 'reaction_added', 'pin_added', 'message_deleted']);
    expect(events[1]).toMatchObject({ message: { text: 'rolled back deploy 4513', edited: { user: 'U0ANA' } }, previous_message: { text: 'rolled back deploy 4512' } });
    expect(Object.keys(events[2] ?? {}).sort()).toEqual(Object.keys(example('event_callback_reaction_added').event as object).sort());
    expect(Object.keys(events[3] ?? {}).sort()).toEqual(Object.keys(example('event_callback_pin_added').event as object).sort());
    expect(events[4]).toMatchObject({ deleted_ts: posted.ts });
  });

  it('does not send channel events from channels the bot is not in', async () => {
    const res = await slack.user('U0ANA').postMessage('C0QUIET', 'nobody hears this');
    expect(res.delivery).toBeUndefined();
    expect(rx.got).toHaveLength(0);
  });

  it('redelivers an event with X-Slack-Retry-Num, and retries failures when asked to', async () => {
    const first = await slack.user('U0ANA').postMessage(channel, 'once');
    const again = await slack.redeliverEvent(first.eventId, { retryNum: 1, reason: 'http_timeout' });
    expect(again.headers['x-slack-retry-num']).toBe('1');
    expect(rx.got[1]?.headers['x-slack-retry-reason']).toBe('http_timeout');
    expect(rx.got[1]?.raw).toBe(rx.got[0]?.raw);

    const retrying = await startSlackStandIn({ signingSecret: SECRET, botUrl: rx.url, eventRetries: 2, users: [{ id: 'U0BEN', name: 'ben' }] });
    try {
      const c = sandboxClient(retrying.apiUrl);
      const ch = (await c.conversations.create({ name: 'inc-retry' })).channel?.id ?? '';
      await c.conversations.invite({ channel: ch, users: 'U0BEN' });
      await retrying.waitForDeliveries();
      rx.got.length = 0;
      rx.answer.status = 500;
      const res = await retrying.user('U0BEN').postMessage(ch, 'flaky');
      expect(res.delivery).toMatchObject({ status: 500, retryNum: 2 });
      expect(rx.got.map((r) => r.headers['x-slack-retry-num'])).toEqual([undefined, '1', '2']);
    } finally {
      await retrying.close();
    }
  });

  it('gives up after the delivery timeout, as Slack does after 3 s', async () => {
    const impatient = await startSlackStandIn({ signingSecret: SECRET, botUrl: rx.url, deliveryTimeoutMs: 100, users: [{ id: 'U0BEN', name: 'ben' }], channels: [{ id: 'C0X', name: 'x', members: ['U0BEN'] }] });
    try {
      rx.answer.delayMs = 400;
      const reply = await impatient.user('U0BEN').slashCommand('C0X', '/incident', 'help');
      expect(reply).toMatchObject({ status: 0, timedOut: true });
      expect(impatient.workspace.ephemerals.at(-1)?.text).toBe('/incident failed with the error "operation_timeout"');
    } finally {
      await impatient.close();
    }
  });

  it('sends interactivity as a signed payload= form shaped like Slack\'s', async () => {
    const posted = await client.chat.postMessage({
      channel,
      text: 'Incident declared',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '*SEV1* checkout errors' } },
        { type: 'actions', block_id: 'ack', elements: [{ type: 'button', action_id: 'ack_page', text: { type: 'plain_text', text: 'Ack' }, value: 'INC-7' }] },
      ],
    });
    await slack.waitForDeliveries();
    rx.got.length = 0;
    await slack.user('U0ANA').blockAction({ channel, messageTs: posted.ts ?? '' }, 'ack_page');
    await slack.user('U0ANA').messageShortcut('add_to_timeline', channel, posted.ts ?? '');
    const [click, shortcut] = rx.got;
    expect(click?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(click?.raw.startsWith('payload=')).toBe(true);
    expect(Object.keys(click?.body ?? {}).sort()).toEqual(Object.keys(example('block_actions_button')).sort());
    expect(click?.body).toMatchObject({
      type: 'block_actions',
      container: { type: 'message', message_ts: posted.ts, channel_id: channel },
      actions: [{ action_id: 'ack_page', block_id: 'ack', type: 'button', value: 'INC-7' }],
    });
    expect(shortcut?.body).toMatchObject({ type: 'message_action', callback_id: 'add_to_timeline', message_ts: posted.ts, channel: { id: channel } });
  });

  it('lets a person click a button on an ephemeral message and have it replaced', async () => {
    const eph = await client.chat.postEphemeral({
      channel,
      user: 'U0ANA',
      text: 'Reminder: post an update',
      blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'snooze_reminder', text: { type: 'plain_text', text: 'Snooze' }, value: '30' }] }],
    });
    await slack.user('U0ANA').blockAction({ channel, ephemeralTs: eph.message_ts ?? '' }, 'snooze_reminder');
    const click = rx.got[0]?.body ?? {};
    expect(click).toMatchObject({ container: { is_ephemeral: true, message_ts: eph.message_ts }, actions: [{ action_id: 'snooze_reminder', value: '30' }] });
    expect(click).not.toHaveProperty('message');
    const res = await fetch(String(click.response_url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replace_original: true, text: 'Snoozed for 30 minutes' }),
    });
    expect(res.status).toBe(200);
    expect(slack.workspace.ephemerals.find((e) => e.ts === eph.message_ts)?.text).toBe('Snoozed for 30 minutes');
  });

  it('builds view_submission state.values from the stored modal\'s inputs', async () => {
    const { triggerId } = await slack.user('U0ANA').slashCommand(channel, '/incident', 'declare');
    const opened = await client.views.open({
      trigger_id: triggerId,
      view: {
        type: 'modal',
        callback_id: 'declare',
        title: { type: 'plain_text', text: 'Declare' },
        submit: { type: 'plain_text', text: 'Declare' },
        blocks: [
          { type: 'input', block_id: 'title', label: { type: 'plain_text', text: 'Title' }, element: { type: 'plain_text_input', action_id: 'v' } },
          {
            type: 'input',
            block_id: 'sev',
            label: { type: 'plain_text', text: 'Severity' },
            element: { type: 'radio_buttons', action_id: 'v', options: [{ text: { type: 'plain_text', text: 'SEV1' }, value: '1' }] },
          },
          { type: 'input', block_id: 'ic', optional: true, label: { type: 'plain_text', text: 'IC' }, element: { type: 'users_select', action_id: 'v' } },
        ],
      },
    });
    rx.got.length = 0;
    rx.answer.body = JSON.stringify({ response_action: 'errors', errors: { title: 'Too short' } });
    const viewId = opened.view?.id ?? '';
    const rejected = await slack.user('U0ANA').submitView(viewId, { title: 'x', sev: '1' });
    expect(rejected).toMatchObject({ responseAction: 'errors', errors: { title: 'Too short' } });
    expect(slack.workspace.views.get(viewId)?.open).toBe(true);

    rx.answer.body = '';
    const done = await slack.user('U0ANA').submitView(viewId, { title: 'Checkout errors', sev: '1', ic: 'U0ANA' });
    expect(done.responseAction).toBe('close');
    expect(slack.workspace.views.get(viewId)?.open).toBe(false);
    const sub = rx.got[1]?.body ?? {};
    expect(Object.keys(sub).sort()).toEqual(Object.keys(example('view_submission')).sort());
    expect((sub.view as { state: unknown }).state).toEqual({
      values: {
        title: { v: { type: 'plain_text_input', value: 'Checkout errors' } },
        sev: { v: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: 'SEV1' }, value: '1' } } },
        ic: { v: { type: 'users_select', selected_user: 'U0ANA' } },
      },
    });
    await expect(slack.user('U0ANA').submitView(viewId, {})).rejects.toThrow(/not open/);
  });

  it('answers url_verification and lets tests wait for deliveries', async () => {
    const check = await slack.verifyUrl();
    expect(check.ok).toBe(true);
    expect(check.delivery.payload).toMatchObject({ type: 'url_verification' });
    expect(Object.keys(check.delivery.payload).sort()).toEqual(Object.keys(example('url_verification')).sort());
    const before = slack.workspace.deliveries.length;
    // The posts return before their message events reach the bot; waitForDeliveries() waits for those.
    await Promise.all(Array.from({ length: 5 }, (_, i) => client.chat.postMessage({ channel, text: `burst ${i}` })));
    await slack.waitForDeliveries();
    expect(slack.workspace.deliveries.length - before).toBe(5);
    expect(slack.workspace.deliveries.slice(-5).every((d) => d.status === 200)).toBe(true);
  });
});
