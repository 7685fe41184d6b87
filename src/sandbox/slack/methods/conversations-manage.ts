/**
 * conversations.* methods that change channels: create, rename, archive,
 * join, invite, setTopic, setPurpose, open.
 */
import { channelJson } from '../serialize.ts';
import {
  MAX_TOPIC_LENGTH,
  SlackMethodError,
  bool,
  channelNameError,
  list,
  str,
} from '../validation.ts';
import { channelArg, requireActive, requireMember, systemMessage } from './context.ts';
import type { MethodContext, MethodHandler } from './context.ts';
import type { ChannelRecord } from '../types.ts';
import type { Args } from '../validation.ts';

function checkName(ctx: MethodContext, name: string, except?: ChannelRecord): void {
  const error = channelNameError(name);
  if (error) throw new SlackMethodError(error);
  for (const c of ctx.ws.channels.values()) {
    // Archived channels keep their names in Slack, so they still count.
    if (c.kind === 'channel' && c.name === name && c !== except) throw new SlackMethodError('name_taken');
  }
}

/** Adds a member and tells the channel, as Slack's join flow does. */
export function addMember(ctx: MethodContext, ch: ChannelRecord, user: string, inviter?: string): void {
  ch.members.add(user);
  systemMessage(ctx, ch, user, 'channel_join', `<@${user}> has joined the channel`, inviter ? { inviter } : {});
  ctx.events.emitJoined(ch.id, user, inviter);
}

const create: MethodHandler = (ctx, args) => {
  const name = str(args, 'name') ?? '';
  checkName(ctx, name);
  const ch = ctx.ws.addChannel({
    name,
    is_private: bool(args, 'is_private') ?? false,
    botIsMember: true,
    creator: ctx.config.botUserId,
  });
  systemMessage(ctx, ch, ctx.config.botUserId, 'channel_join', `<@${ctx.config.botUserId}> has joined the channel`);
  return { channel: channelJson(ctx.ws, ch) };
};

const rename: MethodHandler = (ctx, args) => {
  const ch = channelArg(ctx, args);
  if (ch.kind !== 'channel') throw new SlackMethodError('method_not_supported_for_channel_type');
  requireActive(ch);
  requireMember(ctx, ch);
  // Only the creator (or an admin) may rename a channel.
  if (ch.creator !== ctx.config.botUserId) throw new SlackMethodError('not_authorized');
  const name = str(args, 'name') ?? '';
  checkName(ctx, name, ch);
  if (name !== ch.name) {
    const old = ch.name;
    ch.previous_names.unshift(old);
    ch.name = name;
    systemMessage(ctx, ch, ctx.config.botUserId, 'channel_name', `renamed the channel from "${old}" to "${name}"`, {
      old_name: old,
      name,
    });
  }
  return { channel: channelJson(ctx.ws, ch) };
};

const archive: MethodHandler = (ctx, args) => {
  const ch = channelArg(ctx, args);
  if (ch.kind !== 'channel') throw new SlackMethodError('method_not_supported_for_channel_type');
  if (ch.is_archived) throw new SlackMethodError('already_archived');
  if (ch.is_general) throw new SlackMethodError('cant_archive_general');
  requireMember(ctx, ch);
  systemMessage(ctx, ch, ctx.config.botUserId, 'channel_archive', 'archived the channel');
  ch.is_archived = true;
  return {};
};

const join: MethodHandler = (ctx, args) => {
  const ch = channelArg(ctx, args);
  if (ch.kind !== 'channel' || ch.is_private) throw new SlackMethodError('method_not_supported_for_channel_type');
  requireActive(ch);
  if (ch.members.has(ctx.config.botUserId)) {
    return {
      channel: channelJson(ctx.ws, ch),
      warning: 'already_in_channel',
      response_metadata: { warnings: ['already_in_channel'] },
    };
  }
  addMember(ctx, ch, ctx.config.botUserId);
  return { channel: channelJson(ctx.ws, ch) };
};

const invite: MethodHandler = (ctx, args) => {
  const ch = channelArg(ctx, args);
  if (ch.kind !== 'channel') throw new SlackMethodError('method_not_supported_for_channel_type');
  requireActive(ch);
  requireMember(ctx, ch);
  const users = list(args, 'users') ?? [];
  if (users.length === 0) throw new SlackMethodError('no_user');
  const force = bool(args, 'force') ?? false;
  const errors: { user: string; ok: false; error: string }[] = [];
  const ok: string[] = [];
  for (const u of new Set(users)) {
    const rec = ctx.ws.users.get(u);
    const error = !rec || rec.deleted
      ? 'user_not_found'
      : u === ctx.config.botUserId
        ? 'cant_invite_self'
        : ch.members.has(u)
          ? 'already_in_channel'
          : undefined;
    if (error) errors.push({ user: u, ok: false, error });
    else ok.push(u);
  }
  // Without `force`, one bad invitee fails the whole call, as in Slack.
  const first = errors[0];
  if (first && (!force || ok.length === 0)) throw new SlackMethodError(first.error, { errors });
  for (const u of ok) addMember(ctx, ch, u, ctx.config.botUserId);
  return { channel: channelJson(ctx.ws, ch), ...(errors.length ? { errors } : {}) };
};

function setText(which: 'topic' | 'purpose'): MethodHandler {
  return (ctx, args) => {
    const ch = channelArg(ctx, args);
    if (ch.kind === 'im') throw new SlackMethodError('method_not_supported_for_channel_type');
    requireActive(ch);
    requireMember(ctx, ch);
    const value = str(args, which) ?? '';
    if ([...value].length > MAX_TOPIC_LENGTH) throw new SlackMethodError('too_long');
    ch[which] = { value, creator: ctx.config.botUserId, last_set: ctx.ws.nowSec() };
    const label = which === 'topic' ? 'topic' : 'description';
    systemMessage(ctx, ch, ctx.config.botUserId, `channel_${which}`, `set the channel ${label}: ${value}`, {
      [which]: value,
    });
    return { channel: channelJson(ctx.ws, ch) };
  };
}

const open: MethodHandler = (ctx, args: Args) => {
  const channel = str(args, 'channel');
  if (channel !== undefined) {
    const ch = channelArg(ctx, args);
    return { channel: channelJson(ctx.ws, ch) };
  }
  const users = list(args, 'users') ?? [];
  if (users.length === 0) throw new SlackMethodError('users_list_not_supplied');
  if (users.length > 8) throw new SlackMethodError('too_many_users');
  for (const u of users) if (!ctx.ws.users.get(u) || ctx.ws.users.get(u)?.deleted) throw new SlackMethodError('user_not_found');
  const returnIm = bool(args, 'return_im') ?? false;
  const [only] = users;
  if (users.length === 1 && only !== undefined) {
    const { channel: im, created } = ctx.ws.openIm(only);
    const body = returnIm ? channelJson(ctx.ws, im) : { id: im.id };
    return { ...(created ? {} : { no_op: true, already_open: true }), channel: body };
  }
  const members = [...new Set([...users, ctx.config.botUserId])].sort();
  for (const c of ctx.ws.channels.values()) {
    if (c.kind === 'mpim' && [...c.members].sort().join() === members.join()) {
      return { no_op: true, already_open: true, channel: returnIm ? channelJson(ctx.ws, c) : { id: c.id } };
    }
  }
  const names = members.map((m) => ctx.ws.users.get(m)?.name ?? m);
  const mpim = ctx.ws.addChannel({
    name: `mpdm-${names.join('--')}-1`,
    kind: 'mpim',
    is_private: true,
    members,
    creator: ctx.config.botUserId,
  });
  return { channel: returnIm ? channelJson(ctx.ws, mpim) : { id: mpim.id } };
};

/** Handlers by method name. */
export const conversationsManageMethods: Record<string, MethodHandler> = {
  'conversations.create': create,
  'conversations.rename': rename,
  'conversations.archive': archive,
  'conversations.join': join,
  'conversations.invite': invite,
  'conversations.setTopic': setText('topic'),
  'conversations.setPurpose': setText('purpose'),
  'conversations.open': open,
};
