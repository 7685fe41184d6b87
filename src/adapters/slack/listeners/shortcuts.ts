/** The message shortcut "Add to incident timeline"; answered on its response_url, as a button press is (answers.ts). */
import type { App, MessageShortcut } from '@slack/bolt';
import { flagMessage } from '../../../app/capture-timeline.ts';
import { asSlackChannelId, asSlackUserId } from '../../../domain/ids.ts';
import { slackTsToDate } from '../ts.ts';
import type { SlackListenerDeps } from './context.ts';
import { REPLIES } from '../strings/replies.ts';
import { outcomeText } from './context.ts';
import { answerPress } from './answers.ts';

export const ADD_TO_TIMELINE = 'add_to_timeline';

export function registerShortcuts(app: App, deps: SlackListenerDeps): void {
  app.shortcut<MessageShortcut>(ADD_TO_TIMELINE, async ({ ack, shortcut, client }) => {
    await ack();
    const channelId = shortcut.channel.id;
    const ts = shortcut.message.ts;
    const permalink = await client.chat.getPermalink({ channel: channelId, message_ts: ts }).then((r) => r.permalink).catch(() => undefined);
    const o = await flagMessage(deps.app, {
      channelId: asSlackChannelId(channelId), ts, sentAt: slackTsToDate(ts), text: shortcut.message.text ?? '',
      ...(shortcut.message.user ? { authorId: asSlackUserId(shortcut.message.user) } : {}),
      ...(permalink ? { permalink } : {}),
    }, 'shortcut', asSlackUserId(shortcut.user.id));
    await answerPress({ body: { user: shortcut.user, channel: shortcut.channel, response_url: shortcut.response_url }, client }, outcomeText(o, REPLIES.addedToTimeline), deps);
  });
}
