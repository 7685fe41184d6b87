import { IdFactory } from './ids.ts';
import type { StandInConfig } from './config.ts';
import type {
  CallRecord,
  CanvasRecord,
  ChannelRecord,
  DeliveryRecord,
  EphemeralRecord,
  FileRecord,
  MessageRecord,
  ResponseUrlPost,
  SeedChannel,
  SeedUser,
  SeedUserGroup,
  TriggerRecord,
  UserGroupRecord,
  UserRecord,
  ViewRecord,
} from './types.ts';

/** Slack lets a trigger id open a view for three seconds. */
export const TRIGGER_TTL_MS = 3000;

/** Outcome of redeeming a trigger id. */
export type TriggerRedemption =
  | { ok: true; userId: string }
  | { ok: false; error: 'invalid_trigger_id' | 'expired_trigger_id' | 'exchanged_trigger_id' };

/**
 * The in-memory workspace: who is in it, what was said where, and a log of
 * every call and delivery. Tests read it directly; Web API methods change it.
 */
export class Workspace {
  readonly users = new Map<string, UserRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly userGroups = new Map<string, UserGroupRecord>();
  readonly views = new Map<string, ViewRecord>();
  /** Open modal stack per user, root first. */
  readonly modalStacks = new Map<string, string[]>();
  /** Published App Home view id per user. */
  readonly homeViews = new Map<string, string>();
  readonly triggers = new Map<string, TriggerRecord>();
  readonly canvases = new Map<string, CanvasRecord>();
  readonly files = new Map<string, FileRecord>();
  /** What single users saw privately, in order. */
  readonly ephemerals: EphemeralRecord[] = [];
  /** Every POST the bot made to a response_url, in order. */
  readonly responseUrlPosts: ResponseUrlPost[] = [];
  /** Every Web API call, in arrival order. */
  readonly calls: CallRecord[] = [];
  /** Every request sent to the bot, in order. */
  readonly deliveries: DeliveryRecord[] = [];
  readonly ids: IdFactory;
  private readonly messagesByChannel = new Map<string, MessageRecord[]>();

  constructor(readonly config: StandInConfig) {
    this.ids = new IdFactory(config.now, (id) => this.isTaken(id));
    this.addUser({ id: config.botUserId, name: config.botName, real_name: config.botName, is_bot: true });
  }

  /** Workspace clock in ms. */
  nowMs(): number {
    return this.config.now();
  }

  /** Workspace clock in whole seconds, as Slack's `created` fields. */
  nowSec(): number {
    return Math.floor(this.config.now() / 1000);
  }

  /** Calls made to one method, oldest first. */
  callsTo(method: string): CallRecord[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Number of calls per method, e.g. `{ 'chat.postMessage': 3 }`. */
  callCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.calls) out[c.method] = (out[c.method] ?? 0) + 1;
    return out;
  }

  /** Adds a user; the id must be new. */
  addUser(seed: SeedUser): UserRecord {
    if (this.users.has(seed.id)) throw new Error(`Slack stand-in: user ${seed.id} already exists`);
    const rec: UserRecord = {
      id: seed.id,
      team_id: seed.team?.id ?? this.config.teamId,
      ...(seed.team ? { external_team: { name: seed.team.name, domain: seed.team.domain ?? seed.team.name.toLowerCase().replace(/[^a-z0-9]+/g, '-') } } : {}),
      name: seed.name,
      real_name: seed.real_name ?? seed.name,
      email: seed.email,
      is_bot: seed.is_bot ?? false,
      is_admin: seed.is_admin ?? false,
      deleted: seed.deleted ?? false,
      tz: seed.tz ?? 'Europe/London',
      updated: this.nowSec(),
    };
    this.users.set(rec.id, rec);
    return rec;
  }

  /** Adds a user group of known users; the id must be new. */
  addUserGroup(seed: SeedUserGroup): UserGroupRecord {
    if (this.userGroups.has(seed.id)) throw new Error(`Slack stand-in: user group ${seed.id} already exists`);
    for (const u of seed.users) if (!this.users.has(u)) throw new Error(`Slack stand-in: user group ${seed.handle} lists unknown user ${u}`);
    const rec: UserGroupRecord = { id: seed.id, team_id: this.config.teamId, handle: seed.handle, name: seed.name ?? seed.handle, users: [...seed.users], disabled: seed.disabled ?? false };
    this.userGroups.set(rec.id, rec);
    return rec;
  }

  /** Case-insensitive email lookup, as users.lookupByEmail. */
  userByEmail(email: string): UserRecord | undefined {
    const want = email.trim().toLowerCase();
    for (const u of this.users.values()) if (u.email?.toLowerCase() === want) return u;
    return undefined;
  }

  /** Adds a channel; seeds keep their id, others get a `C…` id. */
  addChannel(seed: SeedChannel & { kind?: ChannelRecord['kind'] }): ChannelRecord {
    const id = seed.id ?? this.ids.next(seed.kind === 'im' ? 'D' : 'C');
    if (this.channels.has(id)) throw new Error(`Slack stand-in: channel ${id} already exists`);
    const members = new Set(seed.members ?? []);
    if (seed.botIsMember) members.add(this.config.botUserId);
    for (const m of members) {
      if (!this.users.has(m)) throw new Error(`Slack stand-in: channel ${seed.name} lists unknown user ${m}`);
    }
    const created = seed.created ?? this.nowSec();
    const creator = seed.creator ?? [...members][0] ?? this.config.botUserId;
    const text = (value: string | undefined): ChannelRecord['topic'] => ({
      value: value ?? '',
      creator: value ? creator : '',
      last_set: value ? created : 0,
    });
    const rec: ChannelRecord = {
      id,
      name: seed.name,
      kind: seed.kind ?? 'channel',
      is_private: seed.is_private ?? false,
      is_general: seed.is_general ?? false,
      is_archived: seed.is_archived ?? false,
      created,
      creator,
      topic: text(seed.topic),
      purpose: text(seed.purpose),
      members,
      previous_names: [],
      imUser: undefined,
      canvasId: undefined,
      pins: [],
      bookmarks: [],
    };
    this.channels.set(id, rec);
    this.messagesByChannel.set(id, []);
    return rec;
  }

  /** Channel by id, `#name` or name; archived ones included. */
  resolveChannel(ref: string): ChannelRecord | undefined {
    const byId = this.channels.get(ref);
    if (byId) return byId;
    const name = ref.startsWith('#') ? ref.slice(1) : ref;
    for (const c of this.channels.values()) if (c.kind === 'channel' && c.name === name) return c;
    return undefined;
  }

  /** The IM between the bot and a user, opened on first use as Slack does. */
  openIm(userId: string): { channel: ChannelRecord; created: boolean } {
    for (const c of this.channels.values()) {
      if (c.kind === 'im' && c.imUser === userId) return { channel: c, created: false };
    }
    const channel = this.addChannel({
      name: userId,
      kind: 'im',
      is_private: true,
      members: [userId, this.config.botUserId],
      creator: this.config.botUserId,
    });
    channel.imUser = userId;
    return { channel, created: true };
  }

  /** Whether a user (the bot by default) is in a channel. */
  isMember(channelId: string, userId: string = this.config.botUserId): boolean {
    return this.channels.get(channelId)?.members.has(userId) ?? false;
  }

  /** Stores a new message with a fresh ts, threading replies under their parent. */
  addMessage(fields: Partial<MessageRecord> & { channel: string; user: string; text: string }): MessageRecord {
    const list = this.messagesByChannel.get(fields.channel);
    if (!list) throw new Error(`Slack stand-in: no channel ${fields.channel}`);
    const rec: MessageRecord = {
      ts: this.ids.ts(),
      subtype: undefined,
      bot_id: undefined,
      blocks: undefined,
      attachments: undefined,
      metadata: undefined,
      thread_ts: undefined,
      reply_broadcast: false,
      replies: [],
      edited: undefined,
      reactions: [],
      files: [],
      client_msg_id: undefined,
      extra: {},
      ...fields,
    };
    if (rec.thread_ts !== undefined) {
      const parent = this.message(rec.channel, rec.thread_ts);
      // Slack threads a reply to a reply under the original parent.
      const root = parent?.thread_ts !== undefined ? this.message(rec.channel, parent.thread_ts) : parent;
      if (root) {
        rec.thread_ts = root.ts;
        root.thread_ts = root.ts;
        root.replies.push(rec.ts);
      } else {
        // An unknown thread_ts (e.g. a ts mangled into a float) lands in the channel, as in Slack.
        rec.thread_ts = undefined;
      }
    }
    list.push(rec);
    return rec;
  }

  /** A message by channel and ts. */
  message(channelId: string, ts: string): MessageRecord | undefined {
    return this.messagesByChannel.get(channelId)?.find((m) => m.ts === ts);
  }

  /** Every message of a channel, replies included, oldest first. */
  allMessages(channelId: string): MessageRecord[] {
    return [...(this.messagesByChannel.get(channelId) ?? [])];
  }

  /** What conversations.history shows: top-level messages and broadcast replies, oldest first. */
  history(channelId: string): MessageRecord[] {
    return this.allMessages(channelId).filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts || m.reply_broadcast);
  }

  /** A thread: the parent, then its replies oldest first. */
  thread(channelId: string, ts: string): MessageRecord[] {
    const parent = this.message(channelId, ts);
    if (!parent) return [];
    const replies = this.allMessages(channelId).filter((m) => m.thread_ts === parent.ts && m.ts !== parent.ts);
    return [parent, ...replies];
  }

  /**
   * Removes a message. A thread parent with replies stays as a tombstone, as in
   * Slack, so the replies keep their parent.
   */
  removeMessage(channelId: string, ts: string): void {
    const list = this.messagesByChannel.get(channelId);
    const m = list?.find((x) => x.ts === ts);
    if (!list || !m) return;
    if (m.replies.length > 0) {
      Object.assign(m, { subtype: 'tombstone', text: 'This message was deleted.', blocks: undefined, files: [] });
      return;
    }
    list.splice(list.indexOf(m), 1);
    if (m.thread_ts !== undefined && m.thread_ts !== m.ts) {
      const parent = this.message(channelId, m.thread_ts);
      if (parent) parent.replies = parent.replies.filter((r) => r !== ts);
    }
    const ch = this.channels.get(channelId);
    if (ch) ch.pins = ch.pins.filter((p) => p.ts !== ts);
  }

  /** Hands out a single-use trigger id for a user's interaction. */
  issueTrigger(userId: string): string {
    const id = this.ids.trigger();
    this.triggers.set(id, { id, userId, issuedAt: this.nowMs(), used: false });
    return id;
  }

  /** Uses a trigger id up; it works once, within three seconds. */
  redeemTrigger(id: string): TriggerRedemption {
    const t = this.triggers.get(id);
    if (!t) return { ok: false, error: 'invalid_trigger_id' };
    if (t.used) return { ok: false, error: 'exchanged_trigger_id' };
    if (this.nowMs() - t.issuedAt > TRIGGER_TTL_MS) return { ok: false, error: 'expired_trigger_id' };
    t.used = true;
    return { ok: true, userId: t.userId };
  }

  /** The view at the top of a user's modal stack. */
  topModal(userId: string): ViewRecord | undefined {
    const stack = this.modalStacks.get(userId);
    const id = stack?.[stack.length - 1];
    return id === undefined ? undefined : this.views.get(id);
  }

  private isTaken(id: string): boolean {
    return (
      this.users.has(id) || this.channels.has(id) || this.views.has(id) || this.files.has(id) || this.canvases.has(id)
    );
  }
}
