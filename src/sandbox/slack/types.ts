/**
 * Shapes shared by the Slack stand-in: the options it starts with and the
 * records it keeps, which tests read to assert what Slack (and its users) saw.
 */

/** A person (or bot) to seed into the workspace. */
export interface SeedUser {
  id: string;
  name: string;
  real_name?: string;
  email?: string;
  is_bot?: boolean;
  is_admin?: boolean;
  deleted?: boolean;
  tz?: string;
  /** A person of another workspace (e.g. met through Slack Connect); default: this workspace. */
  team?: { id: string; name: string; domain?: string };
}

/** A Slack user group (`@oncall`) to seed; its members are what `usergroups.users.list` answers. */
export interface SeedUserGroup {
  /** `S…`. */
  id: string;
  handle: string;
  name?: string;
  users: string[];
  /** A disabled group lists no users unless asked with `include_disabled`. */
  disabled?: boolean;
}

/** A channel to seed into the workspace. */
export interface SeedChannel {
  /** Defaults to a generated `C…` id. */
  id?: string;
  name: string;
  is_private?: boolean;
  /** Human members. The bot is added only when `botIsMember` is true. */
  members?: string[];
  /** Like a real install, the bot starts outside seeded channels unless told otherwise. */
  botIsMember?: boolean;
  topic?: string;
  purpose?: string;
  is_archived?: boolean;
  is_general?: boolean;
  /** Unix seconds; defaults to the stand-in clock. */
  created?: number;
  /** User id of the creator; defaults to the first member or the bot. */
  creator?: string;
}

/** Options for {@link startSlackStandIn}. */
export interface SlackStandInOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; defaults to 127.0.0.1. */
  host?: string;
  /** The bot token every Web API call must carry. */
  botToken?: string;
  /** Secret used to sign requests to the bot. */
  signingSecret?: string;
  /** Legacy verification token placed in payload `token` fields. */
  verificationToken?: string;
  team?: { id?: string; name?: string; domain?: string };
  /** The app's OAuth credentials for Sign in with Slack (`openid.connect.*`); defaults `sandbox-client-id` / `sandbox-client-secret`. */
  oauth?: { clientId?: string; clientSecret?: string };
  botUserId?: string;
  botId?: string;
  appId?: string;
  /** Bot user name (auth.test `user`, bot_profile name). */
  botName?: string;
  users?: SeedUser[];
  channels?: SeedChannel[];
  userGroups?: SeedUserGroup[];
  /** Workspace clock in ms: message ts, created times, trigger expiry, outages. */
  now?: () => number;
  /**
   * Clock for `X-Slack-Request-Timestamp`. Defaults to the real clock because
   * Bolt rejects signatures more than five minutes from its own wall clock,
   * which an injected `now` usually is.
   */
  signatureNow?: () => number;
  /** When false, canvas methods fail as on a workspace without canvases. Default true. */
  canvasesEnabled?: boolean;
  /** Where commands, events and interactions are POSTed (e.g. `http://127.0.0.1:3000/slack/events`). */
  botUrl?: string;
  /** How long Slack waits for the bot to answer a request. Default 3000 ms, as Slack. */
  deliveryTimeoutMs?: number;
  /**
   * How many times an event is re-sent (with `X-Slack-Retry-Num`) when the bot
   * fails to answer 2xx in time. Slack uses 3; the default 0 keeps tests quiet.
   */
  eventRetries?: number;
  /** Bot event subscriptions. Defaults to those in Kranz's manifest.yml. */
  botEvents?: string[];
}

/** A user group as the stand-in stores it (tests may change `users` to move people in and out). */
export interface UserGroupRecord {
  id: string;
  team_id: string;
  handle: string;
  name: string;
  users: string[];
  disabled: boolean;
}

/** A workspace member as the stand-in stores it. */
export interface UserRecord {
  id: string;
  team_id: string;
  /** Set for people of another workspace: its name and domain (Sign in with Slack reports them). */
  external_team?: { name: string; domain: string };
  name: string;
  real_name: string;
  email: string | undefined;
  is_bot: boolean;
  is_admin: boolean;
  deleted: boolean;
  tz: string;
  updated: number;
}

/** Topic or purpose of a channel. */
export interface ChannelText {
  value: string;
  creator: string;
  last_set: number;
}

/** A pinned message. */
export interface PinRecord {
  ts: string;
  created: number;
  created_by: string;
}

/** A channel bookmark (bookmarks.add). */
export interface BookmarkRecord {
  id: string;
  channel_id: string;
  title: string;
  link: string;
  emoji: string | null;
  type: string;
  date_created: number;
  date_updated: number;
  rank: string;
  last_updated_by_user_id: string;
}

/** A public/private channel, IM or group DM. */
export interface ChannelRecord {
  id: string;
  name: string;
  kind: 'channel' | 'im' | 'mpim';
  is_private: boolean;
  is_general: boolean;
  is_archived: boolean;
  created: number;
  creator: string;
  topic: ChannelText;
  purpose: ChannelText;
  members: Set<string>;
  previous_names: string[];
  /** For IMs: the human on the other side. */
  imUser: string | undefined;
  /** Channel canvas (conversations.canvases.create). */
  canvasId: string | undefined;
  pins: PinRecord[];
  bookmarks: BookmarkRecord[];
}

/** One emoji reaction on a message. */
export interface ReactionRecord {
  name: string;
  users: string[];
}

/** A message in a channel, thread reply included. */
export interface MessageRecord {
  channel: string;
  ts: string;
  subtype: string | undefined;
  /** Author user id (the bot user for bot messages). */
  user: string;
  /** Set on messages posted through the bot token. */
  bot_id: string | undefined;
  text: string;
  blocks: Record<string, unknown>[] | undefined;
  attachments: unknown[] | undefined;
  metadata: { event_type: string; event_payload: unknown } | undefined;
  thread_ts: string | undefined;
  reply_broadcast: boolean;
  /** Reply ts list, on thread parents only. */
  replies: string[];
  edited: { user: string; ts: string } | undefined;
  reactions: ReactionRecord[];
  files: string[];
  client_msg_id: string | undefined;
  /** Extra fields of system messages (topic, purpose, …). */
  extra: Record<string, unknown>;
}

/** A modal or App Home view. */
export interface ViewRecord {
  id: string;
  team_id: string;
  type: 'modal' | 'home';
  user_id: string;
  blocks: Record<string, unknown>[];
  title: unknown;
  close: unknown;
  submit: unknown;
  private_metadata: string;
  callback_id: string;
  external_id: string;
  hash: string;
  clear_on_close: boolean;
  notify_on_close: boolean;
  previous_view_id: string | null;
  root_view_id: string;
  /** False once the user closed or submitted it away. */
  open: boolean;
  /** Validation errors the bot answered to the last submission. */
  errors: Record<string, string> | undefined;
}

/** A trigger id handed out with an interaction. */
export interface TriggerRecord {
  id: string;
  userId: string;
  issuedAt: number;
  used: boolean;
}

/** A canvas (standalone or channel canvas). */
export interface CanvasRecord {
  id: string;
  title: string;
  channelId: string | undefined;
  isChannelCanvas: boolean;
  created: number;
  sections: { id: string; markdown: string }[];
}

/** A file uploaded through the external upload flow. */
export interface FileRecord {
  id: string;
  name: string;
  title: string;
  length: number;
  content: Buffer | undefined;
  created: number;
  user: string;
  completed: boolean;
  shares: { channel: string; ts: string }[];
}

/** Something only one user saw: postEphemeral, a command ack, a response_url reply. */
export interface EphemeralRecord {
  source: 'chat.postEphemeral' | 'ack' | 'response_url';
  channel: string;
  user: string;
  text: string;
  blocks: unknown[] | undefined;
  thread_ts: string | undefined;
  ts: string;
}

/** A POST the bot made to a response_url. */
export interface ResponseUrlPost {
  id: string;
  url: string;
  at: number;
  body: unknown;
  status: number;
  effect: 'ephemeral' | 'in_channel' | 'replaced' | 'deleted' | 'rejected';
}

/** One Web API call as the stand-in received it. */
export interface CallRecord {
  seq: number;
  method: string;
  /** Arguments with `token` removed; JSON-string fields are left as sent. */
  args: Record<string, unknown>;
  at: number;
  /** Wall-clock time the call arrived (ms), to order it against other systems' requests at the same simulated moment. */
  realAt?: number;
  status: number;
  ok: boolean;
  error: string | undefined;
  fault: 'ratelimited' | 'outage' | undefined;
}

/** One signed request the stand-in sent to the bot, and the bot's answer. */
export interface DeliveryRecord {
  seq: number;
  kind: 'event' | 'command' | 'interaction' | 'url_verification';
  /** event_id for events. */
  eventId: string | undefined;
  /** Event type, command name or interaction type. */
  type: string;
  payload: Record<string, unknown>;
  rawBody: string;
  headers: Record<string, string>;
  retryNum: number;
  /** HTTP status the bot answered; 0 when it did not answer. */
  status: number;
  responseBody: string;
  timedOut: boolean;
  error: string | undefined;
  at: number;
}
