/**
 * How Kranz answers the one person who did something, privately: an
 * ephemeral in the channel when Slack lets it post one there, else a DM,
 * because the person must hear back either way.
 */
import type { WebClient } from '@slack/web-api';
import type { Mrkdwn } from '../mrkdwn.ts';
import type { SlackListenerDeps } from './context.ts';

/** Ephemeral in the channel when possible, else a DM: the user must hear back either way. */
export async function tell(client: WebClient, channelId: string | undefined, userId: string, message: Mrkdwn, deps: SlackListenerDeps): Promise<void> {
  const text = message.text;
  try {
    if (channelId) {
      await client.chat.postEphemeral({ channel: channelId, user: userId, text });
      return;
    }
  } catch (e) {
    deps.log.debug({ err: e }, 'ephemeral reply failed; sending a DM');
  }
  await client.chat.postMessage({ channel: userId, text }).catch((e: unknown) => deps.log.warn({ err: e }, 'could not reach the user'));
}
