import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebClient } from '@slack/web-api';
import { canvasMarkdown, startSlackStandIn } from '../../src/sandbox/slack/index.ts';
import type { SlackStandIn } from '../../src/sandbox/slack/index.ts';
import { sandboxClient, slackError } from './helpers.ts';

describe('Slack stand-in: external file uploads', () => {
  let slack: SlackStandIn;
  let client: WebClient;
  let channel: string;

  beforeAll(async () => {
    slack = await startSlackStandIn({ channels: [{ id: 'C0OUTSIDE', name: 'outside' }] });
    client = sandboxClient(slack.apiUrl);
    channel = (await client.conversations.create({ name: 'inc-files' })).channel?.id ?? '';
  });
  afterAll(async () => {
    await slack.close();
  });

  it('runs WebClient.filesUploadV2 end to end and shares the file into the channel', async () => {
    const content = '# Postmortem\n\nCheckout returned 500s for 12 minutes.\n';
    const res = await client.filesUploadV2({
      channel_id: channel,
      content,
      filename: 'postmortem.md',
      title: 'INC-7 postmortem',
      initial_comment: 'Report attached',
    });
    expect(res.ok).toBe(true);
    expect(slack.workspace.callsTo('files.getUploadURLExternal')).toHaveLength(1);
    expect(slack.workspace.callsTo('files.completeUploadExternal')).toHaveLength(1);

    const [file] = [...slack.workspace.files.values()];
    expect(file?.content?.toString('utf8')).toBe(content);
    expect(file).toMatchObject({ name: 'postmortem.md', title: 'INC-7 postmortem', completed: true });

    const shared = slack.workspace.history(channel).at(-1);
    expect(shared).toMatchObject({ subtype: 'file_share', text: 'Report attached', files: [file?.id] });

    const info = await client.files.info({ file: file?.id ?? '' });
    expect(info.file).toMatchObject({ id: file?.id, name: 'postmortem.md', size: Buffer.byteLength(content), channels: [channel] });
    const download = await fetch(info.file?.url_private_download ?? '', { headers: { authorization: 'Bearer xoxb-sandbox-token' } });
    expect(await download.text()).toBe(content);
  });

  it('serves the three steps of the flow over plain HTTP as well', async () => {
    const step1 = await client.files.getUploadURLExternal({ filename: 'timeline.json', length: 2 });
    expect(step1.upload_url?.startsWith(slack.baseUrl)).toBe(true);
    const posted = await fetch(step1.upload_url ?? '', { method: 'POST', body: '[]' });
    expect(posted.status).toBe(200);
    expect(await posted.text()).toBe('OK - 2');
    const done = await client.files.completeUploadExternal({ files: [{ id: step1.file_id ?? '' }] });
    expect(done.files).toEqual([{ id: step1.file_id, title: 'timeline.json' }]);
  });

  it('refuses to complete unknown or never-uploaded files, or to share where the bot is not', async () => {
    expect(await slackError(client.files.completeUploadExternal({ files: [{ id: 'F0NOPE' }] }))).toBe('file_not_found');
    const pending = await client.files.getUploadURLExternal({ filename: 'x.txt', length: 1 });
    expect(await slackError(client.files.completeUploadExternal({ files: [{ id: pending.file_id ?? '' }] }))).toBe('file_not_found');
    await fetch(pending.upload_url ?? '', { method: 'POST', body: 'x' });
    expect(
      await slackError(client.files.completeUploadExternal({ files: [{ id: pending.file_id ?? '' }], channel_id: 'C0OUTSIDE' })),
    ).toBe('not_in_channel');
    expect(await slackError(client.apiCall('files.getUploadURLExternal', { filename: 'x' }))).toBe('missing_argument');
  });
});

describe('Slack stand-in: canvases', () => {
  it('creates and edits standalone and channel canvases', async () => {
    const slack = await startSlackStandIn();
    const client = sandboxClient(slack.apiUrl);
    try {
      const channel = (await client.conversations.create({ name: 'inc-canvas' })).channel?.id ?? '';
      const canvas = await client.conversations.canvases.create({
        channel_id: channel,
        document_content: { type: 'markdown', markdown: '# INC-7' },
      });
      const id = canvas.canvas_id ?? '';
      expect(slack.workspace.channels.get(channel)?.canvasId).toBe(id);
      expect(
        await slackError(client.conversations.canvases.create({ channel_id: channel, document_content: { type: 'markdown', markdown: 'x' } })),
      ).toBe('channel_canvas_already_exists');

      await client.canvases.edit({
        canvas_id: id,
        changes: [{ operation: 'insert_at_end', document_content: { type: 'markdown', markdown: '## Timeline\n- 10:02 paged' } }],
      });
      const rec = slack.workspace.canvases.get(id);
      expect(rec && canvasMarkdown(rec)).toBe('# INC-7\n## Timeline\n- 10:02 paged');
      await client.canvases.edit({ canvas_id: id, changes: [{ operation: 'replace', document_content: { type: 'markdown', markdown: 'fresh' } }] });
      expect(rec && canvasMarkdown(rec)).toBe('fresh');
      expect(await slackError(client.canvases.edit({ canvas_id: 'F0NOPE', changes: [{ operation: 'insert_at_end' }] as never }))).toBe(
        'canvas_not_found',
      );

      const standalone = await client.canvases.create({ title: 'Postmortem', document_content: { type: 'markdown', markdown: 'body' } });
      expect(slack.workspace.canvases.get(standalone.canvas_id ?? '')?.title).toBe('Postmortem');
    } finally {
      await slack.close();
    }
  });

  it('fails every canvas method on a workspace without canvases', async () => {
    const slack = await startSlackStandIn({ canvasesEnabled: false });
    const client = sandboxClient(slack.apiUrl);
    try {
      const channel = (await client.conversations.create({ name: 'inc-no-canvas' })).channel?.id ?? '';
      const doc = { type: 'markdown', markdown: 'x' } as const;
      expect(await slackError(client.canvases.create({ document_content: doc }))).toBe('canvas_disabled_user_team');
      expect(await slackError(client.conversations.canvases.create({ channel_id: channel, document_content: doc }))).toBe(
        'canvas_disabled_user_team',
      );
      expect(await slackError(client.canvases.edit({ canvas_id: 'F1', changes: [{ operation: 'insert_at_end', document_content: doc }] }))).toBe(
        'canvas_disabled_user_team',
      );
    } finally {
      await slack.close();
    }
  });
});
