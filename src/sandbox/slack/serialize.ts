/**
 * Turns stored records into the JSON objects Slack's Web API and events carry
 * (conversation, message, user, file and view objects).
 */
import type { StandInConfig } from './config.ts';
import type { Workspace } from './workspace.ts';
import type { ChannelRecord, FileRecord, MessageRecord, UserRecord, ViewRecord } from './types.ts';

type Json = Record<string, unknown>;

/** The `bot_profile` Slack attaches to messages from an app's bot. */
export function botProfile(config: StandInConfig): Json {
  return {
    id: config.botId,
    deleted: false,
    name: config.botName,
    updated: 1_700_000_000,
    app_id: config.appId,
    icons: { image_36: 'https://a.slack-edge.com/80588/img/plugins/app/bot_36.png' },
    team_id: config.teamId,
  };
}

/** Permalink in Slack's `…/archives/C…/p<ts without dot>` form. */
export function permalink(config: StandInConfig, channel: string, ts: string, threadTs?: string): string {
  const base = `https://${config.teamDomain}.slack.com/archives/${channel}/p${ts.replace('.', '')}`;
  return threadTs && threadTs !== ts ? `${base}?thread_ts=${threadTs}&cid=${channel}` : base;
}

/** A conversation object, seen from the bot. */
export function channelJson(ws: Workspace, c: ChannelRecord, opts: { numMembers?: boolean } = {}): Json {
  if (c.kind === 'im') {
    return {
      id: c.id,
      created: c.created,
      is_im: true,
      is_org_shared: false,
      user: c.imUser,
      is_user_deleted: ws.users.get(c.imUser ?? '')?.deleted ?? false,
      priority: 0,
    };
  }
  const out: Json = {
    id: c.id,
    name: c.name,
    is_channel: c.kind === 'channel',
    is_group: false,
    is_im: false,
    is_mpim: c.kind === 'mpim',
    is_private: c.is_private,
    created: c.created,
    is_archived: c.is_archived,
    is_general: c.is_general,
    unlinked: 0,
    name_normalized: c.name,
    is_shared: false,
    is_org_shared: false,
    is_ext_shared: false,
    is_pending_ext_shared: false,
    pending_shared: [],
    context_team_id: ws.config.teamId,
    updated: c.created * 1000,
    parent_conversation: null,
    creator: c.creator,
    is_member: c.members.has(ws.config.botUserId),
    last_read: '0000000000.000000',
    topic: { ...c.topic },
    purpose: { ...c.purpose },
    previous_names: [...c.previous_names],
    properties: c.canvasId ? { canvas: { file_id: c.canvasId, is_empty: false } } : {},
  };
  if (opts.numMembers) out.num_members = c.members.size;
  return out;
}

/** A message object as conversations.history/replies and chat.* return it. */
export function messageJson(ws: Workspace, m: MessageRecord, opts: { metadata?: boolean } = {}): Json {
  const out: Json = { type: 'message' };
  if (m.subtype !== undefined) out.subtype = m.subtype;
  out.user = m.user;
  if (m.bot_id !== undefined) {
    out.bot_id = m.bot_id;
    out.app_id = ws.config.appId;
    out.bot_profile = botProfile(ws.config);
  }
  if (m.client_msg_id !== undefined) out.client_msg_id = m.client_msg_id;
  out.text = m.text;
  out.ts = m.ts;
  out.team = ws.config.teamId;
  if (m.blocks !== undefined) out.blocks = m.blocks;
  if (m.attachments !== undefined) out.attachments = m.attachments;
  Object.assign(out, m.extra);
  if (m.files.length > 0) {
    out.files = m.files.map((id) => ws.files.get(id)).filter((f) => f !== undefined).map((f) => fileJson(ws, f));
    out.upload = false;
  }
  if (m.thread_ts !== undefined) {
    out.thread_ts = m.thread_ts;
    if (m.thread_ts === m.ts) {
      const replies = m.replies.map((ts) => ws.message(m.channel, ts)).filter((r) => r !== undefined);
      const users = [...new Set(replies.map((r) => r.user))];
      out.reply_count = replies.length;
      out.reply_users_count = users.length;
      out.reply_users = users;
      out.latest_reply = replies[replies.length - 1]?.ts ?? m.ts;
      out.is_locked = false;
      out.subscribed = false;
    } else {
      out.parent_user_id = ws.message(m.channel, m.thread_ts)?.user;
    }
  }
  if (m.edited) out.edited = { ...m.edited };
  if (m.reactions.length > 0) {
    out.reactions = m.reactions.map((r) => ({ name: r.name, users: [...r.users], count: r.users.length }));
  }
  const ch = ws.channels.get(m.channel);
  if (ch?.pins.some((p) => p.ts === m.ts)) out.pinned_to = [m.channel];
  if (opts.metadata && m.metadata) out.metadata = m.metadata;
  return out;
}

/** A user object (users.info / users.list). */
export function userJson(u: UserRecord): Json {
  return {
    id: u.id,
    team_id: u.team_id,
    name: u.name,
    deleted: u.deleted,
    color: '9f69e7',
    real_name: u.real_name,
    tz: u.tz,
    tz_label: u.tz,
    tz_offset: 0,
    profile: {
      real_name: u.real_name,
      real_name_normalized: u.real_name,
      // Slack's display name is what people chose to be called; the stand-in's people go by their full names.
      display_name: u.real_name ?? u.name,
      display_name_normalized: u.real_name ?? u.name,
      ...(u.email !== undefined ? { email: u.email } : {}),
      image_48: `https://secure.gravatar.com/avatar/${u.id}.jpg?s=48`,
      team: u.team_id,
    },
    is_admin: u.is_admin,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: u.is_bot,
    is_app_user: false,
    updated: u.updated,
  };
}

/** A file object (files.info / completeUploadExternal / message `files`). */
export function fileJson(ws: Workspace, f: FileRecord): Json {
  const ext = f.name.includes('.') ? (f.name.split('.').pop() ?? '') : '';
  const channels = [...new Set(f.shares.map((s) => s.channel))];
  const pub: Record<string, unknown[]> = {};
  const priv: Record<string, unknown[]> = {};
  for (const s of f.shares) {
    const target = ws.channels.get(s.channel)?.is_private ? priv : pub;
    (target[s.channel] ??= []).push({ ts: s.ts, channel_name: ws.channels.get(s.channel)?.name, team_id: ws.config.teamId });
  }
  return {
    id: f.id,
    created: f.created,
    timestamp: f.created,
    name: f.name,
    title: f.title,
    mimetype: ext === 'md' ? 'text/markdown' : ext === 'json' ? 'application/json' : 'text/plain',
    filetype: ext || 'text',
    pretty_type: ext ? ext.toUpperCase() : 'Plain Text',
    user: f.user,
    user_team: ws.config.teamId,
    editable: false,
    size: f.content?.length ?? f.length,
    mode: 'hosted',
    is_external: false,
    external_type: '',
    is_public: channels.some((c) => ws.channels.get(c)?.is_private === false),
    public_url_shared: false,
    url_private: `${ws.config.baseUrl}/files/${f.id}/${encodeURIComponent(f.name)}`,
    url_private_download: `${ws.config.baseUrl}/files/${f.id}/download/${encodeURIComponent(f.name)}`,
    permalink: `https://${ws.config.teamDomain}.slack.com/files/${f.user}/${f.id}/${encodeURIComponent(f.name)}`,
    channels: channels.filter((c) => ws.channels.get(c)?.kind === 'channel' && !ws.channels.get(c)?.is_private),
    groups: channels.filter((c) => ws.channels.get(c)?.is_private && ws.channels.get(c)?.kind !== 'im'),
    ims: channels.filter((c) => ws.channels.get(c)?.kind === 'im'),
    shares: { ...(Object.keys(pub).length ? { public: pub } : {}), ...(Object.keys(priv).length ? { private: priv } : {}) },
  };
}

/** A view object as views.* return it and interaction payloads carry it. */
export function viewJson(ws: Workspace, v: ViewRecord, state: Json = { values: {} }): Json {
  return {
    id: v.id,
    team_id: v.team_id,
    type: v.type,
    blocks: v.blocks,
    private_metadata: v.private_metadata,
    callback_id: v.callback_id,
    state,
    hash: v.hash,
    title: v.title ?? null,
    clear_on_close: v.clear_on_close,
    notify_on_close: v.notify_on_close,
    close: v.close ?? null,
    submit: v.submit ?? null,
    previous_view_id: v.previous_view_id,
    root_view_id: v.root_view_id,
    app_id: ws.config.appId,
    external_id: v.external_id,
    app_installed_team_id: ws.config.teamId,
    bot_id: ws.config.botId,
  };
}
