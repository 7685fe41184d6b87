/**
 * What a Web API method handler gets, and the lookups most handlers share
 * (channel, membership, message), each failing with Slack's error code.
 */
import { SlackMethodError, str } from '../validation.ts';
import type { Args } from '../validation.ts';
import type { BotEvents } from '../events.ts';
import type { StandInConfig } from '../config.ts';
import type { ChannelRecord, MessageRecord } from '../types.ts';
import type { Workspace } from '../workspace.ts';

/** Per-call context handed to a method handler. */
export interface MethodContext {
  readonly ws: Workspace;
  readonly config: StandInConfig;
  readonly events: BotEvents;
  readonly method: string;
}

/** A Web API method: returns the success body (without `ok`) or throws {@link SlackMethodError}. */
export type MethodHandler = (
  ctx: MethodContext,
  args: Args,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

/**
 * The channel named by `args[key]`. Private channels the bot is not in look
 * like they do not exist, as in Slack.
 */
export function channelArg(ctx: MethodContext, args: Args, key = 'channel'): ChannelRecord {
  const ref = str(args, key) ?? '';
  const ch = ref === '' ? undefined : ctx.ws.channels.get(ref);
  if (!ch) throw new SlackMethodError('channel_not_found');
  if (ch.kind !== 'channel' || ch.is_private) {
    if (!ch.members.has(ctx.config.botUserId)) throw new SlackMethodError('channel_not_found');
  }
  return ch;
}

/** Fails with `not_in_channel` unless the bot is a member. */
export function requireMember(ctx: MethodContext, ch: ChannelRecord): void {
  if (!ch.members.has(ctx.config.botUserId)) throw new SlackMethodError('not_in_channel');
}

/** Fails with `is_archived` for archived channels. */
export function requireActive(ch: ChannelRecord): void {
  if (ch.is_archived) throw new SlackMethodError('is_archived');
}

/** The message at `ts` in a channel, or `code`. */
export function messageAt(ctx: MethodContext, ch: ChannelRecord, ts: string | undefined, code = 'message_not_found'): MessageRecord {
  const m = ts ? ctx.ws.message(ch.id, ts) : undefined;
  if (!m) throw new SlackMethodError(code);
  return m;
}

/**
 * Posts one of Slack's own channel messages (`channel_join`, `channel_topic`,
 * …) and sends its `message` event, so Kranz meets them as it would in Slack.
 */
export function systemMessage(
  ctx: MethodContext,
  ch: ChannelRecord,
  user: string,
  subtype: string,
  text: string,
  extra: Record<string, unknown> = {},
): MessageRecord {
  const m = ctx.ws.addMessage({ channel: ch.id, user, text, subtype, extra });
  ctx.events.emitMessage(m);
  return m;
}
