import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebClient } from '@slack/web-api';
import { TRIGGER_TTL_MS, startSlackStandIn } from '../../src/sandbox/slack/index.ts';
import type { SlackStandIn } from '../../src/sandbox/slack/index.ts';
import { sandboxClient, slackFailure } from './helpers.ts';

const modal = (title: string, blocks: unknown[] = []): Record<string, unknown> => ({
  type: 'modal',
  callback_id: 'declare',
  title: { type: 'plain_text', text: title },
  submit: { type: 'plain_text', text: 'Declare' },
  blocks,
});

const declareBlocks = [
  {
    type: 'input',
    block_id: 'title',
    label: { type: 'plain_text', text: 'What is happening?' },
    element: { type: 'plain_text_input', action_id: 'value' },
  },
  {
    type: 'input',
    block_id: 'sev',
    label: { type: 'plain_text', text: 'Severity' },
    element: {
      type: 'static_select',
      action_id: 'value',
      options: [
        { text: { type: 'plain_text', text: 'SEV1' }, value: '1' },
        { text: { type: 'plain_text', text: 'SEV2' }, value: '2' },
      ],
    },
  },
];

describe('Slack stand-in: views and trigger ids', () => {
  let slack: SlackStandIn;
  let client: WebClient;
  let clock = 1_700_000_000_000;

  beforeAll(async () => {
    slack = await startSlackStandIn({ now: () => clock, users: [{ id: 'U0ANA', name: 'ana' }] });
    client = sandboxClient(slack.apiUrl);
  });
  afterAll(async () => {
    await slack.close();
  });

  it('lets a trigger id open one modal, once', async () => {
    const trigger = slack.issueTriggerId('U0ANA');
    const opened = await client.views.open({ trigger_id: trigger, view: modal('Declare', declareBlocks) as never });
    expect(opened.view).toMatchObject({ type: 'modal', callback_id: 'declare', root_view_id: opened.view?.id });
    expect(opened.view?.id).toMatch(/^V/);
    expect((await slackFailure(client.views.open({ trigger_id: trigger, view: modal('Again') as never }))).error).toBe(
      'exchanged_trigger_id',
    );
    expect((await slackFailure(client.views.open({ trigger_id: '123.456.abc', view: modal('Bogus') as never }))).error).toBe(
      'invalid_trigger_id',
    );
    expect(slack.workspace.topModal('U0ANA')?.id).toBe(opened.view?.id);
  });

  it('expires trigger ids after 3 seconds on the injected clock', async () => {
    const fresh = slack.issueTriggerId('U0ANA');
    clock += TRIGGER_TTL_MS;
    expect((await client.views.open({ trigger_id: fresh, view: modal('Just in time') as never })).ok).toBe(true);
    const stale = slack.issueTriggerId('U0ANA');
    clock += TRIGGER_TTL_MS + 1;
    expect((await slackFailure(client.views.open({ trigger_id: stale, view: modal('Too late') as never }))).error).toBe(
      'expired_trigger_id',
    );
  });

  it('rejects views over 100 blocks with invalid_arguments, and keeps the trigger usable', async () => {
    const trigger = slack.issueTriggerId('U0ANA');
    const blocks = Array.from({ length: 101 }, (_, i) => ({ type: 'section', text: { type: 'plain_text', text: `b${i}` } }));
    const tooBig = await slackFailure(client.views.open({ trigger_id: trigger, view: modal('Big', blocks) as never }));
    expect(tooBig).toEqual({
      error: 'invalid_arguments',
      messages: ['[ERROR] must be less than 101 items [json-pointer:/view/blocks]'],
    });
    const ok = await client.views.open({ trigger_id: trigger, view: modal('Hundred', blocks.slice(0, 100)) as never });
    expect(ok.view?.blocks).toHaveLength(100);
    const noSubmit = { ...modal('No submit', declareBlocks), submit: undefined };
    const err = await slackFailure(client.views.open({ trigger_id: slack.issueTriggerId('U0ANA'), view: noSubmit as never }));
    expect(err.error).toBe('invalid_arguments');
  });

  it('pushes up to three views, updates with hash checks', async () => {
    const root = await client.views.open({ trigger_id: slack.issueTriggerId('U0ANA'), view: modal('Root') as never });
    const pushed = await client.views.push({ trigger_id: slack.issueTriggerId('U0ANA'), view: modal('Second') as never });
    expect(pushed.view).toMatchObject({ previous_view_id: root.view?.id, root_view_id: root.view?.id });
    await client.views.push({ trigger_id: slack.issueTriggerId('U0ANA'), view: modal('Third') as never });
    expect((await slackFailure(client.views.push({ trigger_id: slack.issueTriggerId('U0ANA'), view: modal('Fourth') as never }))).error).toBe(
      'push_limit_reached',
    );

    const id = root.view?.id ?? '';
    const hash = root.view?.hash ?? '';
    const updated = await client.views.update({ view_id: id, hash, view: modal('Root v2') as never });
    expect(updated.view).toMatchObject({ id, title: { text: 'Root v2' } });
    expect(updated.view?.hash).not.toBe(hash);
    expect((await slackFailure(client.views.update({ view_id: id, hash, view: modal('Stale') as never }))).error).toBe('hash_conflict');
    expect((await slackFailure(client.views.update({ view_id: 'V0NOPE', view: modal('x') as never }))).error).toBe('not_found');
  });

  it('publishes App Home views', async () => {
    const home = { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Open incidents: 0' } }] };
    const first = await client.views.publish({ user_id: 'U0ANA', view: home as never });
    const second = await client.views.publish({ user_id: 'U0ANA', view: home as never });
    expect(second.view?.id).toBe(first.view?.id);
    expect(slack.workspace.homeViews.get('U0ANA')).toBe(first.view?.id);
  });
});
