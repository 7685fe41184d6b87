/**
 * How Kranz answers the one person who did something, privately.
 *
 * A button press or a message shortcut carries a response_url: an ephemeral posted there reaches
 * the person where they pressed, whether or not they (or Kranz) are in that
 * channel. chat.postEphemeral refuses anyone who is not a member
 * (`user_not_in_channel`), so the person most likely to be refused, someone
 * outside the incident, would otherwise be answered by DM, away from the
 * button. Everything else (modal submissions), and a press whose
 * response_url is missing, expired, refused or does not answer in time, gets an ephemeral in the
 * channel, else a DM. A slash command's answer that missed its ack goes the same way.
 */
import type { WebClient } from '@slack/web-api';
import type { Mrkdwn } from '../mrkdwn.ts';
import type { SlackListenerDeps } from './context.ts';
import { postToResponseUrl, type ResponseUrlMessage } from './response-url.ts';

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

/** Who asked (a button press, a message shortcut, a slash command), where, and the response_url that came with it. */
export interface Press {
  /** `response_url` is typed as always there, but a payload may come without one. */
  body: { user: { id: string }; channel?: { id: string } | undefined; response_url?: string | undefined };
  client: WebClient;
}

/** Answers the person who pressed a button: on the press's response_url, else as `tell` does. */
export async function answerPress(press: Press, message: Mrkdwn, deps: SlackListenerDeps): Promise<void> {
  // Not replace_original: the message pressed (a checklist, a suggestion, a review) stays as everyone else sees it.
  await answerOnResponseUrl(press, { response_type: 'ephemeral', replace_original: false, text: message.text }, message, deps);
}

/** Posts `posted` on the request's response_url; when that fails or takes too long, tells the person `message` as `tell` does. */
export async function answerOnResponseUrl(press: Press, posted: ResponseUrlMessage, message: Mrkdwn, deps: SlackListenerDeps): Promise<void> {
  const url = press.body.response_url;
  if (url) {
    try {
      await postToResponseUrl(url, posted);
      return;
    } catch (e) {
      // Expired (a request replayed after an outage), used up, unreachable or hung: the answer must still arrive.
      deps.log.debug({ err: e }, 'answer on response_url failed; answering in the channel or by DM');
    }
  }
  await tell(press.client, press.body.channel?.id, press.body.user.id, message, deps);
}
