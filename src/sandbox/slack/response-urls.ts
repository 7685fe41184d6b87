/**
 * response_url endpoints handed out with commands and interactions. Like
 * Slack's, each works five times within thirty minutes and can answer
 * ephemerally, in the channel, or replace/delete the message clicked on.
 */
import { messageBlocks } from './blocks.ts';
import { messageJson } from './serialize.ts';
import { MAX_MESSAGE_TEXT, SlackMethodError } from './validation.ts';
import type { BotEvents } from './events.ts';
import type { ResponseUrlPost } from './types.ts';
import type { Workspace } from './workspace.ts';

/** Path prefix of response URLs on the stand-in. */
export const RESPONSE_PATH = '/response/';
const MAX_USES = 5;
const TTL_MS = 30 * 60 * 1000;

/** Where a response_url came from. */
export interface ResponseUrlOrigin {
  userId: string;
  channelId: string;
  /** The message the user acted on, for replace_original/delete_original. */
  messageTs?: string;
  /** The ephemeral message the user acted on (ts of its record in `workspace.ephemerals`). */
  ephemeralTs?: string;
}

interface Entry extends ResponseUrlOrigin {
  issuedAt: number;
  uses: number;
}

/** The posted JSON, or the raw text when it is not JSON (refused as `invalid_payload`). */
function parseBody(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return raw.toString('utf8');
  }
}

/** Issues and serves response URLs. */
export class ResponseUrls {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ws: Workspace,
    private readonly events: BotEvents,
  ) {}

  /** A fresh response_url for an interaction. */
  create(origin: ResponseUrlOrigin): string {
    const id = this.ws.ids.next('R', 10);
    this.entries.set(id, { ...origin, issuedAt: this.ws.nowMs(), uses: 0 });
    return `${this.ws.config.baseUrl}${RESPONSE_PATH}${id}`;
  }

  /** Serves a POST to a response_url; returns the HTTP status and body to answer. */
  handle(id: string, raw: Buffer): { status: number; body: string } {
    const body = parseBody(raw);
    const record = (status: number, effect: ResponseUrlPost['effect'], answer: string): { status: number; body: string } => {
      this.record(id, body, status, effect);
      return { status, body: answer };
    };
    const entry = this.entries.get(id);
    if (!entry) return record(404, 'rejected', 'no_such_url');
    if (this.ws.nowMs() - entry.issuedAt > TTL_MS) return record(404, 'rejected', 'expired_url');
    if (entry.uses >= MAX_USES) return record(404, 'rejected', 'used_url');
    if (typeof body !== 'object' || body === null) return record(400, 'rejected', 'invalid_payload');
    entry.uses += 1;
    try {
      return record(200, this.apply(entry, body as Record<string, unknown>), 'ok');
    } catch (e) {
      if (e instanceof SlackMethodError) return record(400, 'rejected', e.code);
      throw e;
    }
  }

  /** Records a POST an injected fault refused (status 0: no answer, the connection dropped or held); it uses none of the URL's five uses. */
  refuse(id: string, raw: Buffer, status: number): void {
    this.record(id, parseBody(raw), status, 'rejected');
  }

  private record(id: string, body: unknown, status: number, effect: ResponseUrlPost['effect']): void {
    this.ws.responseUrlPosts.push({ id, url: `${this.ws.config.baseUrl}${RESPONSE_PATH}${id}`, at: this.ws.nowMs(), body, status, effect });
  }

  private apply(entry: Entry, msg: Record<string, unknown>): ResponseUrlPost['effect'] {
    const original = entry.messageTs ? this.ws.message(entry.channelId, entry.messageTs) : undefined;
    const ephemeral = entry.ephemeralTs ? this.ws.ephemerals.find((e) => e.ts === entry.ephemeralTs) : undefined;
    if (msg.delete_original === true && ephemeral) {
      this.ws.ephemerals.splice(this.ws.ephemerals.indexOf(ephemeral), 1);
      return 'deleted';
    }
    if (msg.delete_original === true && original) {
      const previous = messageJson(this.ws, original);
      this.ws.removeMessage(original.channel, original.ts);
      this.events.emitDeleted(original.channel, previous);
      return 'deleted';
    }
    const text = typeof msg.text === 'string' ? msg.text : '';
    const blocks = messageBlocks({ blocks: msg.blocks }, this.ws.ids);
    if (text === '' && !blocks?.length) throw new SlackMethodError('no_text');
    if ([...text].length > MAX_MESSAGE_TEXT) throw new SlackMethodError('msg_too_long');
    if (msg.replace_original === true && ephemeral) {
      Object.assign(ephemeral, { text, blocks, source: 'response_url' });
      return 'replaced';
    }
    if (msg.replace_original === true && original) {
      const previous = messageJson(this.ws, original);
      original.text = text;
      original.blocks = blocks;
      original.edited = { user: this.ws.config.botUserId, ts: this.ws.ids.ts() };
      this.events.emitChanged(original, previous);
      return 'replaced';
    }
    const threadTs = typeof msg.thread_ts === 'string' ? msg.thread_ts : undefined;
    if (msg.response_type === 'in_channel' && this.ws.channels.has(entry.channelId)) {
      // response_url posts do not need the bot to be in the channel.
      const m = this.ws.addMessage({
        channel: entry.channelId,
        user: this.ws.config.botUserId,
        bot_id: this.ws.config.botId,
        text,
        blocks,
        thread_ts: threadTs,
      });
      this.events.emitMessage(m);
      return 'in_channel';
    }
    this.ws.ephemerals.push({
      source: 'response_url',
      channel: entry.channelId,
      user: entry.userId,
      text,
      blocks,
      thread_ts: threadTs,
      ts: this.ws.ids.ts(),
    });
    return 'ephemeral';
  }
}
