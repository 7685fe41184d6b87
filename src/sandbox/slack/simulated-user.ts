/**
 * A person in the workspace. Interactions (slash commands, clicks, modal
 * submissions, shortcuts) are signed and POSTed to the bot as Slack does;
 * human actions (post, edit, delete, react, pin) change the workspace and
 * send the matching event.
 */
import { randomUUID } from 'node:crypto';
import { applyCommandAck, applyViewAnswer, parseJson } from './bot-answers.ts';
import { richTextBlocks } from './blocks.ts';
import {
  elementValue,
  ephemeralBlockActions,
  findElement,
  messageAction,
  messageBlockActions,
  slashCommandFields,
  stateValues,
  viewBlockActions,
  viewClosed,
  viewSubmission,
} from './interactions.ts';
import { messageJson } from './serialize.ts';
import { SlackMethodError } from './validation.ts';
import { addReaction, pinMessage, unpinMessage } from './methods/pins-reactions.ts';
import type { BotDelivery } from './delivery.ts';
import type { BotEvents, EmittedEvent } from './events.ts';
import type { ResponseUrls } from './response-urls.ts';
import type { ChannelRecord, DeliveryRecord, MessageRecord, UserRecord } from './types.ts';
import type { Workspace } from './workspace.ts';
import type { ViewAnswer } from './bot-answers.ts';

/** The bot's HTTP answer to a request the user caused. */
export interface BotReply {
  status: number;
  /** Raw response body. */
  body: string;
  /** The body parsed as JSON, when it was JSON. */
  json: unknown;
  timedOut: boolean;
  delivery: DeliveryRecord;
}

/** Reply to a slash command, with the ids Slack handed the bot. */
export interface CommandReply extends BotReply {
  triggerId: string;
  responseUrl: string;
}

/** Reply to a modal submission and what it did to the modal. */
export interface ViewSubmissionReply extends BotReply, ViewAnswer {}

/** A human action and the event it caused. */
export interface UserActionResult {
  /** ts of the message created or acted on. */
  ts: string;
  eventId: string;
  /** The bot's answer to the event; undefined when the bot was not sent it. */
  delivery: DeliveryRecord | undefined;
}

/** Where a click happened: a message, an ephemeral message this user saw, or a view. */
export type ActionTarget =
  | { channel: string; messageTs: string }
  | { channel: string; ephemeralTs: string }
  | { viewId: string };

/** Services a simulated user acts through. */
export interface UserDeps {
  ws: Workspace;
  events: BotEvents;
  delivery: BotDelivery;
  responseUrls: ResponseUrls;
}

function reply(d: DeliveryRecord): BotReply {
  return { status: d.status, body: d.responseBody, json: parseJson(d.responseBody), timedOut: d.timedOut, delivery: d };
}

/** A workspace member driven by a test. Get one with `standIn.user(id)`. */
export class SimulatedUser {
  constructor(
    readonly record: UserRecord,
    private readonly deps: UserDeps,
  ) {}

  /** The user's id. */
  get id(): string {
    return this.record.id;
  }

  /** Runs a slash command, e.g. `slashCommand(channel, '/incident', 'declare sev1 checkout down')`. */
  async slashCommand(channelId: string, command: string, text = ''): Promise<CommandReply> {
    if (!command.startsWith('/')) throw new Error(`Slack stand-in: "${command}" is not a slash command`);
    const ch = this.channel(channelId, { mustBeMember: false });
    const { ws } = this.deps;
    const triggerId = ws.issueTrigger(this.id);
    const responseUrl = this.deps.responseUrls.create({ userId: this.id, channelId: ch.id });
    const fields = slashCommandFields(ws, this.record, ch, command, text, triggerId, responseUrl);
    const d = await this.deps.delivery.send({ kind: 'command', type: command, payload: fields, encoding: 'form' });
    applyCommandAck(ws, this.deps.events, d, this.id, ch.id);
    return { ...reply(d), triggerId, responseUrl };
  }

  /** Clicks (or picks a value in) the element with `actionId` on a message or in a view. */
  async blockAction(target: ActionTarget, actionId: string, value?: unknown): Promise<BotReply> {
    const { ws } = this.deps;
    const triggerId = ws.issueTrigger(this.id);
    const blocksOf = (blocks: Record<string, unknown>[] | undefined, where: string): { blockId: string; element: Record<string, unknown> } => {
      const hit = findElement(blocks ?? [], actionId);
      if (!hit) throw new Error(`Slack stand-in: no element with action_id "${actionId}" in ${where}`);
      return hit;
    };
    const action = (hit: { blockId: string; element: Record<string, unknown> }): Record<string, unknown> => ({
      action_id: actionId,
      block_id: hit.blockId,
      type: hit.element.type,
      ...elementValue(hit.element, value),
      action_ts: ws.ids.ts(),
    });
    let payload: Record<string, unknown>;
    if ('viewId' in target) {
      const view = ws.views.get(target.viewId);
      if (!view?.open) throw new Error(`Slack stand-in: view ${target.viewId} is not open`);
      payload = viewBlockActions(ws, this.record, view, action(blocksOf(view.blocks, `view ${view.id}`)), triggerId);
    } else if ('ephemeralTs' in target) {
      const ch = this.channel(target.channel, { mustBeMember: false });
      const e = ws.ephemerals.find((x) => x.ts === target.ephemeralTs && x.user === this.id && x.channel === ch.id);
      if (!e) throw new Error(`Slack stand-in: ${this.id} saw no ephemeral message ${target.ephemeralTs} in ${ch.id}`);
      const hit = blocksOf(e.blocks as Record<string, unknown>[] | undefined, `ephemeral message ${e.ts}`);
      const responseUrl = this.deps.responseUrls.create({ userId: this.id, channelId: ch.id, ephemeralTs: e.ts });
      payload = ephemeralBlockActions(ws, this.record, ch, e, action(hit), triggerId, responseUrl);
    } else {
      const ch = this.channel(target.channel, { mustBeMember: false });
      const m = this.message(ch, target.messageTs);
      const hit = blocksOf(m.blocks, `message ${m.ts}`);
      const responseUrl = this.deps.responseUrls.create({ userId: this.id, channelId: ch.id, messageTs: m.ts });
      payload = messageBlockActions(ws, this.record, ch, m, action(hit), triggerId, responseUrl);
    }
    const d = await this.deps.delivery.send({ kind: 'interaction', type: 'block_actions', payload, encoding: 'payload' });
    return reply(d);
  }

  /**
   * Submits an open modal. `values` is keyed by input block_id or action_id:
   * strings for text inputs and single selects (by option value), arrays for
   * multi-selects, ids for user/channel pickers.
   */
  async submitView(viewId: string, values: Record<string, unknown> = {}): Promise<ViewSubmissionReply> {
    const { ws } = this.deps;
    const view = ws.views.get(viewId);
    if (!view?.open || view.user_id !== this.id) throw new Error(`Slack stand-in: view ${viewId} is not open for ${this.id}`);
    const state = stateValues(view, values);
    const payload = viewSubmission(ws, this.record, view, state, ws.issueTrigger(this.id));
    const d = await this.deps.delivery.send({ kind: 'interaction', type: 'view_submission', payload, encoding: 'payload' });
    return { ...reply(d), ...applyViewAnswer(ws, view, d) };
  }

  /** Closes a modal with its Cancel button; the bot hears about it only if it asked (notify_on_close). */
  async closeView(viewId: string): Promise<BotReply | undefined> {
    const { ws } = this.deps;
    const view = ws.views.get(viewId);
    if (!view?.open) throw new Error(`Slack stand-in: view ${viewId} is not open`);
    const stack = ws.modalStacks.get(this.id) ?? [];
    for (const id of view.clear_on_close ? stack.splice(0) : stack.splice(stack.indexOf(viewId), 1)) {
      const v = ws.views.get(id);
      if (v) v.open = false;
    }
    if (!view.notify_on_close) return undefined;
    const payload = viewClosed(ws, this.record, view);
    return reply(await this.deps.delivery.send({ kind: 'interaction', type: 'view_closed', payload, encoding: 'payload' }));
  }

  /** Runs a message shortcut (e.g. `add_to_timeline`) on a message. */
  async messageShortcut(callbackId: string, channelId: string, ts: string): Promise<BotReply> {
    const { ws } = this.deps;
    const ch = this.channel(channelId, { mustBeMember: false });
    const m = this.message(ch, ts);
    const responseUrl = this.deps.responseUrls.create({ userId: this.id, channelId: ch.id, messageTs: m.ts });
    const payload = messageAction(ws, this.record, ch, m, callbackId, ws.issueTrigger(this.id), responseUrl);
    const d = await this.deps.delivery.send({ kind: 'interaction', type: 'message_action', payload, encoding: 'payload' });
    return reply(d);
  }

  /** Posts a message (optionally in a thread) and sends the `message` event. */
  async postMessage(channelId: string, text: string, opts: { threadTs?: string } = {}): Promise<UserActionResult> {
    const ch = this.channel(channelId, { mustBeMember: true });
    if (ch.is_archived) throw new Error(`Slack stand-in: #${ch.name} is archived`);
    const m = this.deps.ws.addMessage({
      channel: ch.id,
      user: this.id,
      text,
      client_msg_id: randomUUID(),
      thread_ts: opts.threadTs,
      blocks: richTextBlocks(text, this.deps.ws.ids),
    });
    return this.settle(m.ts, this.deps.events.emitMessage(m));
  }

  /** Edits one of the user's messages and sends `message_changed`. */
  async editMessage(channelId: string, ts: string, text: string): Promise<UserActionResult> {
    const ch = this.channel(channelId, { mustBeMember: true });
    const m = this.own(this.message(ch, ts));
    const previous = messageJson(this.deps.ws, m);
    m.text = text;
    m.blocks = richTextBlocks(text, this.deps.ws.ids);
    m.edited = { user: this.id, ts: this.deps.ws.ids.ts() };
    return this.settle(m.ts, this.deps.events.emitChanged(m, previous));
  }

  /** Deletes one of the user's messages and sends `message_deleted`. */
  async deleteMessage(channelId: string, ts: string): Promise<UserActionResult> {
    const ch = this.channel(channelId, { mustBeMember: true });
    const m = this.own(this.message(ch, ts));
    const previous = messageJson(this.deps.ws, m);
    this.deps.ws.removeMessage(ch.id, m.ts);
    return this.settle(ts, this.deps.events.emitDeleted(ch.id, previous));
  }

  /** Adds an emoji reaction (bare name, e.g. `pushpin`) and sends `reaction_added`. */
  async react(channelId: string, ts: string, name: string): Promise<UserActionResult> {
    const ch = this.channel(channelId, { mustBeMember: false });
    const m = this.message(ch, ts);
    return this.act(ts, () => addReaction(this.deps.ws, this.deps.events, ch, m, name, this.id));
  }

  /** Pins a message and sends `pin_added`. */
  async pin(channelId: string, ts: string): Promise<UserActionResult> {
    const ch = this.channel(channelId, { mustBeMember: true });
    const m = this.message(ch, ts);
    return this.act(ts, () => pinMessage(this.deps.ws, this.deps.events, ch, m, this.id));
  }

  /** Unpins a message and sends `pin_removed`. */
  async unpin(channelId: string, ts: string): Promise<UserActionResult> {
    const ch = this.channel(channelId, { mustBeMember: true });
    const m = this.message(ch, ts);
    return this.act(ts, () => unpinMessage(this.deps.ws, this.deps.events, ch, m, this.id));
  }

  /** Joins a public channel and sends `member_joined_channel`. */
  async join(channelId: string): Promise<UserActionResult> {
    const ch = this.channel(channelId, { mustBeMember: false });
    if (ch.is_private) throw new Error(`Slack stand-in: ${this.id} cannot join private #${ch.name} without an invite`);
    if (ch.members.has(this.id)) throw new Error(`Slack stand-in: ${this.id} is already in #${ch.name}`);
    ch.members.add(this.id);
    const m = this.deps.ws.addMessage({ channel: ch.id, user: this.id, subtype: 'channel_join', text: `<@${this.id}> has joined the channel` });
    this.deps.events.emitMessage(m);
    return this.settle(m.ts, this.deps.events.emitJoined(ch.id, this.id));
  }

  private async act(ts: string, change: () => EmittedEvent): Promise<UserActionResult> {
    let emitted: EmittedEvent;
    try {
      emitted = change();
    } catch (e) {
      // A person cannot do what Slack refuses; say so plainly instead of faking an API error.
      if (e instanceof SlackMethodError) throw new Error(`Slack stand-in: ${this.id} cannot do that: ${e.code}`);
      throw e;
    }
    return this.settle(ts, emitted);
  }

  private async settle(ts: string, emitted: EmittedEvent): Promise<UserActionResult> {
    const delivery = emitted.delivery ? await emitted.delivery : undefined;
    return { ts, eventId: emitted.eventId, delivery };
  }

  private channel(id: string, opts: { mustBeMember: boolean }): ChannelRecord {
    const ch = this.deps.ws.channels.get(id);
    if (!ch) throw new Error(`Slack stand-in: no channel ${id}`);
    const member = ch.members.has(this.id);
    if (!member && (opts.mustBeMember || ch.is_private)) {
      throw new Error(`Slack stand-in: ${this.id} is not a member of ${ch.kind === 'channel' ? `#${ch.name}` : ch.id}`);
    }
    return ch;
  }

  private message(ch: ChannelRecord, ts: string): MessageRecord {
    const m = this.deps.ws.message(ch.id, ts);
    if (!m) throw new Error(`Slack stand-in: no message ${ts} in ${ch.id}`);
    return m;
  }

  private own(m: MessageRecord): MessageRecord {
    if (m.user !== this.id || m.bot_id !== undefined) throw new Error(`Slack stand-in: ${this.id} can only change their own messages`);
    return m;
  }
}
