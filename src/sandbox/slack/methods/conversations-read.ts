/**
 * conversations.* methods that read: info, list, members, history, replies.
 */
import { channelJson, messageJson } from '../serialize.ts';
import { SlackMethodError, bool, list, paginate, str } from '../validation.ts';
import { channelArg, requireMember } from './context.ts';
import type { MethodHandler } from './context.ts';
import type { ChannelRecord, MessageRecord } from '../types.ts';
import type { Args } from '../validation.ts';

/** Microseconds since the epoch for a Slack ts (`"1700000000.000100"`), or undefined if malformed. */
export function tsMicros(ts: string): number | undefined {
  const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(ts.trim());
  if (!m?.[1]) return undefined;
  return Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'));
}

/** Keeps messages inside Slack's `oldest`/`latest`/`inclusive` window. */
function window(messages: MessageRecord[], args: Args): MessageRecord[] {
  const bound = (key: 'oldest' | 'latest'): number | undefined => {
    const v = str(args, key);
    if (v === undefined || v === '') return undefined;
    const n = tsMicros(v);
    if (n === undefined) throw new SlackMethodError(key === 'oldest' ? 'invalid_ts_oldest' : 'invalid_ts_latest');
    return n;
  };
  const oldest = bound('oldest');
  const latest = bound('latest');
  const inclusive = bool(args, 'inclusive') ?? false;
  return messages.filter((m) => {
    const t = tsMicros(m.ts) ?? 0;
    if (oldest !== undefined && (inclusive ? t < oldest : t <= oldest)) return false;
    if (latest !== undefined && (inclusive ? t > latest : t >= latest)) return false;
    return true;
  });
}

const info: MethodHandler = (ctx, args) => {
  const ch = channelArg(ctx, args);
  return { channel: channelJson(ctx.ws, ch, { numMembers: bool(args, 'include_num_members') ?? false }) };
};

const TYPE_OF = (c: ChannelRecord): string =>
  c.kind === 'im' ? 'im' : c.kind === 'mpim' ? 'mpim' : c.is_private ? 'private_channel' : 'public_channel';

const listChannels: MethodHandler = (ctx, args) => {
  const types = new Set(list(args, 'types') ?? ['public_channel']);
  const excludeArchived = bool(args, 'exclude_archived') ?? false;
  const visible = [...ctx.ws.channels.values()].filter((c) => {
    if (!types.has(TYPE_OF(c))) return false;
    if (excludeArchived && c.is_archived) return false;
    // The bot sees public channels, and other conversations only when it is in them.
    return TYPE_OF(c) === 'public_channel' || c.members.has(ctx.config.botUserId);
  });
  const { page, nextCursor } = paginate(visible, args);
  return {
    channels: page.map((c) => channelJson(ctx.ws, c, { numMembers: true })),
    response_metadata: { next_cursor: nextCursor },
  };
};

const members: MethodHandler = (ctx, args) => {
  const ch = channelArg(ctx, args);
  const { page, nextCursor } = paginate([...ch.members], args);
  return { members: page, response_metadata: { next_cursor: nextCursor } };
};

const history: MethodHandler = (ctx, args) => {
  const ch = channelArg(ctx, args);
  requireMember(ctx, ch);
  const withMeta = bool(args, 'include_all_metadata') ?? false;
  const newestFirst = window(ctx.ws.history(ch.id), args).reverse();
  const { page, nextCursor } = paginate(newestFirst, args);
  return {
    messages: page.map((m) => messageJson(ctx.ws, m, { metadata: withMeta })),
    has_more: nextCursor !== '',
    pin_count: ch.pins.length,
    channel_actions_ts: null,
    channel_actions_count: 0,
    response_metadata: { next_cursor: nextCursor },
  };
};

const replies: MethodHandler = (ctx, args) => {
  const ch = channelArg(ctx, args);
  const ts = str(args, 'ts') ?? '';
  const hit = ts === '' ? undefined : ctx.ws.message(ch.id, ts);
  if (!hit) throw new SlackMethodError('thread_not_found');
  const rootTs = hit.thread_ts ?? hit.ts;
  const [parent, ...rest] = ctx.ws.thread(ch.id, rootTs);
  if (!parent) throw new SlackMethodError('thread_not_found');
  const withMeta = bool(args, 'include_all_metadata') ?? false;
  // The parent always leads, whatever the window, as in Slack.
  const msgs = [parent, ...window(rest, args)];
  const { page, nextCursor } = paginate(msgs, args);
  return {
    messages: page.map((m) => messageJson(ctx.ws, m, { metadata: withMeta })),
    has_more: nextCursor !== '',
    response_metadata: { next_cursor: nextCursor },
  };
};

/** Handlers by method name. */
export const conversationsReadMethods: Record<string, MethodHandler> = {
  'conversations.info': info,
  'conversations.list': listChannels,
  'conversations.members': members,
  'conversations.history': history,
  'conversations.replies': replies,
};
