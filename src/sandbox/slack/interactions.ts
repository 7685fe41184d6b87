/**
 * Builders for what Slack POSTs to an app when a person acts: slash command
 * fields and the `payload` of block_actions, view_submission, view_closed and
 * message_action, shaped like Slack's own (see test/fixtures/slack/examples).
 */
import { messageJson, viewJson } from './serialize.ts';
import type { ChannelRecord, EphemeralRecord, MessageRecord, UserRecord, ViewRecord } from './types.ts';
import type { Workspace } from './workspace.ts';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The `user` object of interaction payloads. */
function userRef(u: UserRecord): Json {
  return { id: u.id, username: u.name, name: u.name, team_id: u.team_id };
}

/** Fields shared by every interaction payload. */
function base(ws: Workspace, type: string, u: UserRecord): Json {
  return {
    type,
    user: userRef(u),
    api_app_id: ws.config.appId,
    token: ws.config.verificationToken,
    team: { id: ws.config.teamId, domain: ws.config.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
  };
}

/** `channel_name` as Slack fills it in for a conversation. */
function channelName(ch: ChannelRecord): string {
  return ch.kind === 'im' ? 'directmessage' : ch.kind === 'mpim' ? 'mpdm' : ch.name;
}

/** The `channel` object of interaction payloads. */
function channelRef(ch: ChannelRecord): Json {
  return { id: ch.id, name: channelName(ch) };
}

/** Slash command form fields, in the order Slack sends them. */
export function slashCommandFields(
  ws: Workspace,
  u: UserRecord,
  ch: ChannelRecord,
  command: string,
  text: string,
  triggerId: string,
  responseUrl: string,
): Record<string, string> {
  return {
    token: ws.config.verificationToken,
    team_id: ws.config.teamId,
    team_domain: ws.config.teamDomain,
    channel_id: ch.id,
    channel_name: channelName(ch),
    user_id: u.id,
    user_name: u.name,
    command,
    text,
    api_app_id: ws.config.appId,
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: triggerId,
  };
}

/** Finds an interactive element by action_id in a block list. */
export function findElement(blocks: Json[], actionId: string): { blockId: string; element: Json } | undefined {
  for (const b of blocks) {
    const candidates = [b.accessory, b.element, ...(Array.isArray(b.elements) ? b.elements : [])];
    for (const el of candidates) {
      if (isObj(el) && el.action_id === actionId) return { blockId: String(b.block_id ?? ''), element: el };
    }
  }
  return undefined;
}

function optionsOf(el: Json): Json[] {
  const flat = Array.isArray(el.options) ? el.options : [];
  const grouped = Array.isArray(el.option_groups)
    ? el.option_groups.flatMap((g: unknown) => (isObj(g) && Array.isArray(g.options) ? g.options : []))
    : [];
  return [...flat, ...grouped].filter(isObj);
}

function option(el: Json, value: string): Json {
  return optionsOf(el).find((o) => o.value === value) ?? { text: { type: 'plain_text', text: value, emoji: true }, value };
}

/**
 * The value part of an element's state or action, from what the test passed
 * (`provided`), else the element's initial value, else empty.
 */
export function elementValue(el: Json, provided: unknown): Json {
  const has = provided !== undefined;
  const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)]);
  switch (el.type) {
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
    case 'overflow':
      return { selected_option: has ? (provided === null ? null : option(el, String(provided))) : (el.initial_option ?? null) };
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return { selected_options: has ? strs(provided).map((v) => option(el, v)) : (el.initial_options ?? []) };
    case 'users_select':
      return { selected_user: has ? provided : (el.initial_user ?? null) };
    case 'multi_users_select':
      return { selected_users: has ? strs(provided) : (el.initial_users ?? []) };
    case 'conversations_select':
      return { selected_conversation: has ? provided : (el.initial_conversation ?? null) };
    case 'multi_conversations_select':
      return { selected_conversations: has ? strs(provided) : (el.initial_conversations ?? []) };
    case 'channels_select':
      return { selected_channel: has ? provided : (el.initial_channel ?? null) };
    case 'multi_channels_select':
      return { selected_channels: has ? strs(provided) : (el.initial_channels ?? []) };
    case 'datepicker':
      return { selected_date: has ? provided : (el.initial_date ?? null) };
    case 'timepicker':
      return { selected_time: has ? provided : (el.initial_time ?? null) };
    case 'datetimepicker':
      return { selected_date_time: has ? provided : (el.initial_date_time ?? null) };
    case 'button':
      return { value: has ? String(provided) : (el.value ?? null), text: el.text, ...(el.style ? { style: el.style } : {}) };
    default:
      return { value: has ? (provided === null ? null : String(provided)) : (el.initial_value ?? null) };
  }
}

function isEmpty(v: Json): boolean {
  const [only] = Object.values(v);
  return only === null || only === undefined || only === '' || (Array.isArray(only) && only.length === 0);
}

/**
 * `view.state.values` for a submission: one entry per input block, keyed by
 * block_id then action_id. `values` is keyed by block_id or action_id.
 * Throws when a required input is left empty, since Slack's client would not
 * let the person submit.
 */
export function stateValues(view: ViewRecord, values: Record<string, unknown>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const b of view.blocks) {
    if (b.type !== 'input' || !isObj(b.element)) continue;
    const blockId = String(b.block_id);
    const actionId = String(b.element.action_id);
    const provided = blockId in values ? values[blockId] : values[actionId];
    // An object is taken as the finished state entry, for element types not modelled here.
    const value = isObj(provided) ? undefined : elementValue(b.element, provided);
    const state = value === undefined ? (provided as Json) : { type: b.element.type, ...value };
    if (b.optional !== true && value !== undefined && isEmpty(value)) {
      throw new Error(`Slack stand-in: required input "${blockId}" of view ${view.id} has no value`);
    }
    out[blockId] = { [actionId]: state };
  }
  return out;
}

/**
 * A `block_actions` payload for a click on a message in `ch`: the message at
 * `ts`, or an ephemeral one when `message` is absent (Slack sends no `message` then).
 */
function channelBlockActions(
  ws: Workspace,
  u: UserRecord,
  ch: ChannelRecord,
  ts: string,
  message: MessageRecord | undefined,
  action: Json,
  triggerId: string,
  responseUrl: string,
): Json {
  return {
    ...base(ws, 'block_actions', u),
    container: { type: 'message', message_ts: ts, channel_id: ch.id, is_ephemeral: message === undefined },
    trigger_id: triggerId,
    channel: channelRef(ch),
    ...(message === undefined ? {} : { message: messageJson(ws, message) }),
    state: { values: {} },
    response_url: responseUrl,
    actions: [action],
  };
}

/** A `block_actions` payload for a click on a message. */
export function messageBlockActions(
  ws: Workspace,
  u: UserRecord,
  ch: ChannelRecord,
  m: MessageRecord,
  action: Json,
  triggerId: string,
  responseUrl: string,
): Json {
  return channelBlockActions(ws, u, ch, m.ts, m, action, triggerId, responseUrl);
}

/** A `block_actions` payload for a click on an ephemeral message (Slack sends no `message` then). */
export function ephemeralBlockActions(
  ws: Workspace,
  u: UserRecord,
  ch: ChannelRecord,
  e: EphemeralRecord,
  action: Json,
  triggerId: string,
  responseUrl: string,
): Json {
  return channelBlockActions(ws, u, ch, e.ts, undefined, action, triggerId, responseUrl);
}

/** A `block_actions` payload for a click inside a modal or Home tab. */
export function viewBlockActions(ws: Workspace, u: UserRecord, view: ViewRecord, action: Json, triggerId: string): Json {
  return {
    ...base(ws, 'block_actions', u),
    container: { type: 'view', view_id: view.id },
    trigger_id: triggerId,
    view: viewJson(ws, view),
    actions: [action],
  };
}

/** A `view_submission` payload. */
export function viewSubmission(ws: Workspace, u: UserRecord, view: ViewRecord, values: Record<string, Json>, triggerId: string): Json {
  return {
    ...base(ws, 'view_submission', u),
    trigger_id: triggerId,
    view: viewJson(ws, view, { values }),
    response_urls: [],
  };
}

/** A `view_closed` payload (sent when the modal asked for notify_on_close). */
export function viewClosed(ws: Workspace, u: UserRecord, view: ViewRecord): Json {
  return { ...base(ws, 'view_closed', u), view: viewJson(ws, view), is_cleared: false };
}

/** A `message_action` payload (message shortcut). */
export function messageAction(
  ws: Workspace,
  u: UserRecord,
  ch: ChannelRecord,
  m: MessageRecord,
  callbackId: string,
  triggerId: string,
  responseUrl: string,
): Json {
  return {
    ...base(ws, 'message_action', u),
    action_ts: ws.ids.ts(),
    channel: channelRef(ch),
    callback_id: callbackId,
    trigger_id: triggerId,
    response_url: responseUrl,
    message_ts: m.ts,
    message: messageJson(ws, m),
  };
}
