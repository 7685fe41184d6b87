/**
 * Events API: wraps events in Slack's `event_callback` envelope and sends
 * them to the bot when it subscribed to them and can see the channel.
 */
import { botProfile, messageJson } from './serialize.ts';
import type { BotDelivery } from './delivery.ts';
import type { DeliveryRecord, MessageRecord } from './types.ts';
import type { Workspace } from './workspace.ts';

type Json = Record<string, unknown>;

/** A sent (or skipped) event. */
export interface EmittedEvent {
  eventId: string;
  envelope: Json;
  /** Settles with the bot's answer; undefined when the event was not for the bot. */
  delivery: Promise<DeliveryRecord> | undefined;
}

/** `channel`, `group`, `im` or `mpim`, as `channel_type` in message events. */
export function channelType(ws: Workspace, channelId: string): string {
  const c = ws.channels.get(channelId);
  if (!c) return 'channel';
  if (c.kind === 'im') return 'im';
  if (c.kind === 'mpim') return 'mpim';
  return c.is_private ? 'group' : 'channel';
}

/** Builds and sends events to the bot. */
export class BotEvents {
  private readonly sent = new Map<string, Json>();

  constructor(
    private readonly ws: Workspace,
    private readonly delivery: BotDelivery,
  ) {}

  /** Slack's wrapper around an event. */
  envelope(event: Json, eventId: string): Json {
    const c = this.ws.config;
    return {
      token: c.verificationToken,
      team_id: c.teamId,
      api_app_id: c.appId,
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: this.ws.nowSec(),
      authorizations: [
        { enterprise_id: null, team_id: c.teamId, user_id: c.botUserId, is_bot: true, is_enterprise_install: false },
      ],
      is_ext_shared_channel: false,
      event_context: `4-${Buffer.from(JSON.stringify({ et: event.type, tid: c.teamId })).toString('base64url')}`,
    };
  }

  /**
   * Sends an event when the bot subscribed to it and, for channel events, is a
   * member of `channel`. The envelope is returned either way for inspection.
   */
  emit(event: Json, channel?: string): EmittedEvent {
    const eventId = this.ws.ids.eventId();
    const envelope = this.envelope({ ...event, event_ts: event.event_ts ?? this.ws.ids.ts() }, eventId);
    const subscription = this.subscriptionFor(event, channel);
    const visible = channel === undefined || this.ws.isMember(channel);
    const wanted = this.ws.config.botEvents.has(subscription) && visible && this.delivery.endpoint !== undefined;
    if (!wanted) return { eventId, envelope, delivery: undefined };
    this.sent.set(eventId, envelope);
    const delivery = this.delivery.send({
      kind: 'event',
      type: String(event.type),
      eventId,
      payload: envelope,
      encoding: 'json',
    });
    // Bot-triggered events are fire-and-forget; their failures live in workspace.deliveries.
    delivery.catch(() => undefined);
    return { eventId, envelope, delivery };
  }

  /** Sends an already delivered event again, as Slack's retries do. */
  redeliver(eventId: string, retryNum = 1, reason = 'http_timeout'): Promise<DeliveryRecord> {
    const envelope = this.sent.get(eventId);
    if (!envelope) throw new Error(`Slack stand-in: event ${eventId} was never delivered`);
    const event = envelope.event as Json;
    return this.delivery.send({
      kind: 'event',
      type: String(event.type),
      eventId,
      payload: envelope,
      encoding: 'json',
      retryNum,
      retryReason: reason,
    });
  }

  /** The `message` event for a freshly posted message. */
  messageEvent(m: MessageRecord): Json {
    const body = messageJson(this.ws, m);
    // Events carry replies' thread info but not the parent's reply counters.
    for (const k of ['reply_count', 'reply_users', 'reply_users_count', 'latest_reply', 'is_locked', 'subscribed']) {
      delete body[k];
    }
    if (m.thread_ts === m.ts && m.replies.length === 0) delete body.thread_ts;
    if (m.bot_id !== undefined) body.bot_profile = botProfile(this.ws.config);
    return { ...body, channel: m.channel, event_ts: m.ts, channel_type: channelType(this.ws, m.channel) };
  }

  /** Emits the `message` event for a new message. */
  emitMessage(m: MessageRecord): EmittedEvent {
    return this.emit(this.messageEvent(m), m.channel);
  }

  /** Emits `message_changed` after an edit. */
  emitChanged(m: MessageRecord, previous: Json): EmittedEvent {
    const ts = this.ws.ids.ts();
    const message = this.messageEvent(m);
    delete message.channel;
    delete message.event_ts;
    delete message.channel_type;
    return this.emit(
      {
        type: 'message',
        subtype: 'message_changed',
        message,
        previous_message: previous,
        channel: m.channel,
        hidden: true,
        ts,
        event_ts: ts,
        channel_type: channelType(this.ws, m.channel),
      },
      m.channel,
    );
  }

  /** Emits `message_deleted` after a deletion. */
  emitDeleted(channel: string, previous: Json): EmittedEvent {
    const ts = this.ws.ids.ts();
    return this.emit(
      {
        type: 'message',
        subtype: 'message_deleted',
        hidden: true,
        deleted_ts: previous.ts,
        channel,
        previous_message: previous,
        ts,
        event_ts: ts,
        channel_type: channelType(this.ws, channel),
      },
      channel,
    );
  }

  /** Emits `member_joined_channel`. */
  emitJoined(channel: string, user: string, inviter?: string): EmittedEvent {
    const c = this.ws.channels.get(channel);
    return this.emit(
      {
        type: 'member_joined_channel',
        user,
        channel,
        channel_type: c?.is_private ? 'G' : 'C',
        team: this.ws.config.teamId,
        ...(inviter ? { inviter } : {}),
      },
      channel,
    );
  }

  private subscriptionFor(event: Json, channel?: string): string {
    if (event.type !== 'message') return String(event.type);
    const type = channel ? channelType(this.ws, channel) : 'channel';
    return type === 'channel' ? 'message.channels' : type === 'group' ? 'message.groups' : `message.${type}`;
  }
}
