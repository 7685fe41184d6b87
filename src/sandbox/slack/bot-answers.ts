/**
 * What Slack does with the bot's HTTP answers: a slash command's ack body
 * becomes a message the user sees, a view_submission's `response_action`
 * closes, updates, pushes or annotates the modal.
 */
import { parseView, withIds } from './blocks.ts';
import { createView, replaceContent } from './methods/views.ts';
import { SlackMethodError } from './validation.ts';
import type { BotEvents } from './events.ts';
import type { DeliveryRecord, ViewRecord } from './types.ts';
import type { Workspace } from './workspace.ts';

/** A response body parsed as JSON, or undefined if it is not JSON. */
export function parseJson(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Shows the user what the ack of their slash command said: plain text or
 * `{ text, blocks }` privately, or in the channel for `response_type:
 * 'in_channel'`; Slack's own error line when the bot failed to answer.
 */
export function applyCommandAck(ws: Workspace, events: BotEvents, d: DeliveryRecord, userId: string, channelId: string): void {
  const command = String(d.payload.command ?? '');
  const ephemeral = (text: string, blocks?: unknown[]): void => {
    ws.ephemerals.push({ source: 'ack', channel: channelId, user: userId, text, blocks, thread_ts: undefined, ts: ws.ids.ts() });
  };
  if (d.timedOut || d.status === 0) return ephemeral(`${command} failed with the error "operation_timeout"`);
  if (d.status < 200 || d.status >= 300) return ephemeral(`${command} failed with the error "dispatch_failed"`);
  if (d.responseBody.trim() === '') return;
  const json = parseJson(d.responseBody);
  if (typeof json !== 'object' || json === null) return ephemeral(d.responseBody);
  const msg = json as Record<string, unknown>;
  const text = typeof msg.text === 'string' ? msg.text : '';
  const blocks = Array.isArray(msg.blocks) ? withIds(msg.blocks, ws.ids) : undefined;
  if (text === '' && !blocks) return;
  if (msg.response_type === 'in_channel') {
    const m = ws.addMessage({ channel: channelId, user: ws.config.botUserId, bot_id: ws.config.botId, text, blocks });
    events.emitMessage(m);
    return;
  }
  ephemeral(text, blocks);
}

/** What a modal submission ended in. */
export interface ViewAnswer {
  /** `close` for an empty ack; `failed` when the bot did not answer 200 or sent an unusable view. */
  responseAction: 'close' | 'errors' | 'update' | 'push' | 'clear' | 'failed';
  /** Field errors from `response_action: 'errors'`, keyed by block_id. */
  errors: Record<string, string> | undefined;
  /** The view the user sees afterwards, if any modal is still open. */
  view: ViewRecord | undefined;
}

function close(ws: Workspace, userId: string, ids: string[]): void {
  const stack = ws.modalStacks.get(userId) ?? [];
  for (const id of ids) {
    const v = ws.views.get(id);
    if (v) v.open = false;
    const i = stack.indexOf(id);
    if (i >= 0) stack.splice(i, 1);
  }
}

/** Applies the bot's answer to a view_submission to the user's modal stack. */
export function applyViewAnswer(ws: Workspace, view: ViewRecord, d: DeliveryRecord): ViewAnswer {
  const user = view.user_id;
  const top = (): ViewRecord | undefined => ws.topModal(user);
  if (d.status !== 200) return { responseAction: 'failed', errors: undefined, view: top() };
  const json = parseJson(d.responseBody);
  const answer = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  try {
    switch (answer.response_action) {
      case 'errors': {
        const errors = (answer.errors ?? {}) as Record<string, string>;
        view.errors = errors;
        return { responseAction: 'errors', errors, view };
      }
      case 'update': {
        replaceContent(ws, view, parseView({ view: answer.view }, ws.ids));
        return { responseAction: 'update', errors: undefined, view };
      }
      case 'push': {
        const pushed = createView(ws, parseView({ view: answer.view }, ws.ids), user, view);
        (ws.modalStacks.get(user) ?? []).push(pushed.id);
        return { responseAction: 'push', errors: undefined, view: pushed };
      }
      case 'clear':
        close(ws, user, [...(ws.modalStacks.get(user) ?? [])]);
        return { responseAction: 'clear', errors: undefined, view: undefined };
      default:
        close(ws, user, [view.id]);
        return { responseAction: 'close', errors: undefined, view: top() };
    }
  } catch (e) {
    if (e instanceof SlackMethodError) return { responseAction: 'failed', errors: undefined, view: top() };
    throw e;
  }
}
