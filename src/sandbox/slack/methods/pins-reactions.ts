/**
 * pins.add/remove/list, reactions.add and bookmarks.add/list, plus the
 * events Slack sends when they change.
 */
import { messageJson, permalink } from '../serialize.ts';
import { SlackMethodError, str } from '../validation.ts';
import { channelArg, requireActive, requireMember } from './context.ts';
import type { MethodContext, MethodHandler } from './context.ts';
import type { BotEvents, EmittedEvent } from '../events.ts';
import type { ChannelRecord, MessageRecord } from '../types.ts';
import type { Workspace } from '../workspace.ts';

/** The pinned-message item of pin events and pins.list. */
function pinItem(
  ws: Workspace,
  ch: ChannelRecord,
  m: MessageRecord,
  created: number,
  by: string,
): Record<string, unknown> {
  return {
    type: 'message',
    created,
    created_by: by,
    channel: ch.id,
    message: { ...messageJson(ws, m), permalink: permalink(ws.config, ch.id, m.ts, m.thread_ts) },
  };
}

/** Pins a message for `user` and sends `pin_added`; shared with the simulated user. */
export function pinMessage(ws: Workspace, events: BotEvents, ch: ChannelRecord, m: MessageRecord, user: string): EmittedEvent {
  if (ch.pins.some((p) => p.ts === m.ts)) throw new SlackMethodError('already_pinned');
  if (ch.pins.length >= 100) throw new SlackMethodError('too_many_pins');
  const created = ws.nowSec();
  ch.pins.push({ ts: m.ts, created, created_by: user });
  return events.emit(
    {
      type: 'pin_added',
      user,
      channel_id: ch.id,
      item: pinItem(ws, ch, m, created, user),
      item_user: m.user,
      pin_count: String(ch.pins.length),
      pinned_info: { channel: ch.id, pinned_by: user, pinned_ts: created },
    },
    ch.id,
  );
}

/** Unpins a message for `user` and sends `pin_removed`. */
export function unpinMessage(ws: Workspace, events: BotEvents, ch: ChannelRecord, m: MessageRecord, user: string): EmittedEvent {
  const pin = ch.pins.find((p) => p.ts === m.ts);
  if (!pin) throw new SlackMethodError('not_pinned');
  ch.pins = ch.pins.filter((p) => p !== pin);
  return events.emit(
    {
      type: 'pin_removed',
      user,
      channel_id: ch.id,
      item: pinItem(ws, ch, m, pin.created, pin.created_by),
      item_user: m.user,
      pin_count: String(ch.pins.length),
      pinned_info: { channel: ch.id, pinned_by: pin.created_by, pinned_ts: pin.created },
      has_pins: ch.pins.length > 0,
    },
    ch.id,
  );
}

/** Adds a reaction for `user` and sends `reaction_added`; shared with the simulated user. */
export function addReaction(
  ws: Workspace,
  events: BotEvents,
  ch: ChannelRecord,
  m: MessageRecord,
  name: string,
  user: string,
): EmittedEvent {
  let r = m.reactions.find((x) => x.name === name);
  if (r?.users.includes(user)) throw new SlackMethodError('already_reacted');
  if (!r) {
    if (m.reactions.length >= 23) throw new SlackMethodError('too_many_emoji');
    r = { name, users: [] };
    m.reactions.push(r);
  }
  r.users.push(user);
  return events.emit(
    { type: 'reaction_added', user, reaction: name, item_user: m.user, item: { type: 'message', channel: ch.id, ts: m.ts } },
    ch.id,
  );
}

function pinnedMessage(ctx: MethodContext, ch: ChannelRecord, ts: string | undefined): MessageRecord {
  if (ts === undefined) throw new SlackMethodError('no_item_specified');
  if (!/^\d+(\.\d+)?$/.test(ts)) throw new SlackMethodError('bad_timestamp');
  const m = ctx.ws.message(ch.id, ts);
  if (!m) throw new SlackMethodError('message_not_found');
  return m;
}

const pinsAdd: MethodHandler = (ctx, args) => {
  const ch = channelArg(ctx, args);
  requireMember(ctx, ch);
  const m = pinnedMessage(ctx, ch, str(args, 'timestamp'));
  pinMessage(ctx.ws, ctx.events, ch, m, ctx.config.botUserId);
  return {};
};

const pinsRemove: MethodHandler = (ctx, args) => {
  const ch = channelArg(ctx, args);
  const m = pinnedMessage(ctx, ch, str(args, 'timestamp'));
  unpinMessage(ctx.ws, ctx.events, ch, m, ctx.config.botUserId);
  return {};
};

const pinsList: MethodHandler = (ctx, args) => {
  const ch = channelArg(ctx, args);
  const items = ch.pins
    .map((p) => ({ p, m: ctx.ws.message(ch.id, p.ts) }))
    .filter((x): x is { p: typeof x.p; m: MessageRecord } => x.m !== undefined)
    .map(({ p, m }) => pinItem(ctx.ws, ch, m, p.created, p.created_by));
  return { items };
};

const reactionsAdd: MethodHandler = (ctx, args) => {
  const ch = channelArg(ctx, args);
  requireActive(ch);
  const name = str(args, 'name') ?? '';
  // Slack wants the bare emoji name: "pushpin", not ":pushpin:".
  if (!/^[a-z0-9_+'-]+(::skin-tone-[2-6])?$/.test(name)) throw new SlackMethodError('invalid_name');
  const ts = str(args, 'timestamp') ?? '';
  if (!/^\d+(\.\d+)?$/.test(ts)) throw new SlackMethodError('bad_timestamp');
  const m = ctx.ws.message(ch.id, ts);
  if (!m) throw new SlackMethodError('message_not_found');
  addReaction(ctx.ws, ctx.events, ch, m, name, ctx.config.botUserId);
  return {};
};

const bookmarksAdd: MethodHandler = (ctx, args) => {
  const ch = channelArg(ctx, args, 'channel_id');
  const type = str(args, 'type');
  if (type !== 'link') throw new SlackMethodError('invalid_bookmark_type');
  const link = str(args, 'link') ?? '';
  if (!/^https?:\/\/\S+$/.test(link)) throw new SlackMethodError('invalid_link');
  if (ch.bookmarks.length >= 100) throw new SlackMethodError('too_many_bookmarks');
  const now = ctx.ws.nowSec();
  const bookmark = {
    id: ctx.ws.ids.next('Bk'),
    channel_id: ch.id,
    title: str(args, 'title') ?? '',
    link,
    emoji: str(args, 'emoji') ?? null,
    type,
    date_created: now,
    date_updated: now,
    rank: String.fromCharCode(97 + (ch.bookmarks.length % 26)),
    last_updated_by_user_id: ctx.config.botUserId,
  };
  ch.bookmarks.push(bookmark);
  return { bookmark: bookmarkJson(ctx, bookmark) };
};

function bookmarkJson(ctx: MethodContext, b: ChannelRecord['bookmarks'][number]): Record<string, unknown> {
  return {
    ...b,
    icon_url: null,
    entity_id: null,
    last_updated_by_team_id: ctx.config.teamId,
    shortcut_id: null,
    app_id: null,
  };
}

const bookmarksList: MethodHandler = (ctx, args) => {
  const ch = channelArg(ctx, args, 'channel_id');
  return { bookmarks: ch.bookmarks.map((b) => bookmarkJson(ctx, b)) };
};

/** Handlers by method name. */
export const pinsReactionsMethods: Record<string, MethodHandler> = {
  'pins.add': pinsAdd,
  'pins.remove': pinsRemove,
  'pins.list': pinsList,
  'reactions.add': reactionsAdd,
  'bookmarks.add': bookmarksAdd,
  'bookmarks.list': bookmarksList,
};
