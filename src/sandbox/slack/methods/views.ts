/**
 * views.open/push/update/publish, with Slack's single-use, three-second
 * trigger ids and a modal stack (at most three views) per user.
 */
import { parseView } from '../blocks.ts';
import { viewJson } from '../serialize.ts';
import { SlackMethodError, invalidArguments, str } from '../validation.ts';
import type { MethodContext, MethodHandler } from './context.ts';
import type { ParsedView } from '../blocks.ts';
import type { ViewRecord } from '../types.ts';
import type { Args } from '../validation.ts';
import type { Workspace } from '../workspace.ts';

/** Most views a modal stack holds. */
const MAX_STACK = 3;

function newHash(ws: Workspace): string {
  return `${ws.nowSec()}.${ws.ids.next('h', 8)}`;
}

function checkExternalId(ctx: MethodContext, v: ParsedView, self?: ViewRecord): void {
  if (v.external_id === '') return;
  for (const other of ctx.ws.views.values()) {
    if (other !== self && other.external_id === v.external_id && other.open) {
      throw new SlackMethodError('duplicate_external_id');
    }
  }
}

/** Redeems the trigger (or interactivity pointer) and returns whose it was. */
function redeem(ctx: MethodContext, args: Args): string {
  const trigger = str(args, 'trigger_id') ?? str(args, 'interactivity_pointer');
  if (trigger === undefined) throw invalidArguments('[ERROR] must provide trigger_id or interactivity_pointer');
  const r = ctx.ws.redeemTrigger(trigger);
  if (!r.ok) throw new SlackMethodError(r.error);
  return r.userId;
}

/** Stores a new view; `previous` is the view it is pushed onto. */
export function createView(ws: Workspace, v: ParsedView, userId: string, previous: ViewRecord | undefined): ViewRecord {
  const id = ws.ids.next('V', 10);
  const rec: ViewRecord = {
    id,
    team_id: ws.config.teamId,
    type: v.type,
    user_id: userId,
    blocks: v.blocks,
    title: v.title,
    close: v.close,
    submit: v.submit,
    private_metadata: v.private_metadata,
    callback_id: v.callback_id,
    external_id: v.external_id,
    hash: newHash(ws),
    clear_on_close: v.clear_on_close,
    notify_on_close: v.notify_on_close,
    previous_view_id: previous?.id ?? null,
    root_view_id: previous?.root_view_id ?? id,
    open: true,
    errors: undefined,
  };
  ws.views.set(id, rec);
  return rec;
}

/** Replaces a view's content in place; it keeps its id and gets a new hash. */
export function replaceContent(ws: Workspace, rec: ViewRecord, v: ParsedView): void {
  Object.assign(rec, {
    type: v.type,
    blocks: v.blocks,
    title: v.title,
    close: v.close,
    submit: v.submit,
    private_metadata: v.private_metadata,
    callback_id: v.callback_id,
    external_id: v.external_id,
    clear_on_close: v.clear_on_close,
    notify_on_close: v.notify_on_close,
    hash: newHash(ws),
    errors: undefined,
  });
}

function modal(ctx: MethodContext, args: Args): ParsedView {
  const v = parseView(args, ctx.ws.ids);
  if (v.type !== 'modal') throw invalidArguments('[ERROR] must be modal [json-pointer:/view/type]');
  return v;
}

const open: MethodHandler = (ctx, args) => {
  // The view is checked before the trigger is spent, so a bad view leaves it usable.
  const v = modal(ctx, args);
  const userId = redeem(ctx, args);
  checkExternalId(ctx, v);
  for (const id of ctx.ws.modalStacks.get(userId) ?? []) {
    const old = ctx.ws.views.get(id);
    if (old) old.open = false;
  }
  const rec = createView(ctx.ws, v, userId, undefined);
  ctx.ws.modalStacks.set(userId, [rec.id]);
  return { view: viewJson(ctx.ws, rec) };
};

const push: MethodHandler = (ctx, args) => {
  const v = modal(ctx, args);
  const userId = redeem(ctx, args);
  const stack = ctx.ws.modalStacks.get(userId) ?? [];
  const top = ctx.ws.topModal(userId);
  if (!top) throw new SlackMethodError('not_found');
  if (stack.length >= MAX_STACK) throw new SlackMethodError('push_limit_reached');
  checkExternalId(ctx, v);
  const rec = createView(ctx.ws, v, userId, top);
  stack.push(rec.id);
  return { view: viewJson(ctx.ws, rec) };
};

const update: MethodHandler = (ctx, args) => {
  const viewId = str(args, 'view_id');
  const externalId = str(args, 'external_id');
  if (!viewId && !externalId) throw invalidArguments('[ERROR] must provide view_id or external_id');
  const rec = viewId
    ? ctx.ws.views.get(viewId)
    : [...ctx.ws.views.values()].find((x) => x.external_id === externalId && x.open);
  if (!rec || !rec.open) throw new SlackMethodError('not_found');
  const hash = str(args, 'hash');
  if (hash !== undefined && hash !== '' && hash !== rec.hash) throw new SlackMethodError('hash_conflict');
  const v = parseView(args, ctx.ws.ids);
  if (v.type !== rec.type) throw invalidArguments(`[ERROR] must be ${rec.type} [json-pointer:/view/type]`);
  checkExternalId(ctx, v, rec);
  replaceContent(ctx.ws, rec, v);
  return { view: viewJson(ctx.ws, rec) };
};

const publish: MethodHandler = (ctx, args) => {
  const userId = str(args, 'user_id') ?? '';
  const user = ctx.ws.users.get(userId);
  if (!user || user.is_bot) throw invalidArguments('[ERROR] invalid user_id [json-pointer:/user_id]');
  const v = parseView(args, ctx.ws.ids);
  if (v.type !== 'home') throw invalidArguments('[ERROR] must be home [json-pointer:/view/type]');
  const existingId = ctx.ws.homeViews.get(userId);
  const existing = existingId ? ctx.ws.views.get(existingId) : undefined;
  const hash = str(args, 'hash');
  if (existing && hash !== undefined && hash !== '' && hash !== existing.hash) throw new SlackMethodError('hash_conflict');
  checkExternalId(ctx, v, existing);
  if (existing) {
    replaceContent(ctx.ws, existing, v);
    return { view: viewJson(ctx.ws, existing) };
  }
  const rec = createView(ctx.ws, v, userId, undefined);
  ctx.ws.homeViews.set(userId, rec.id);
  return { view: viewJson(ctx.ws, rec) };
};

/** Handlers by method name. */
export const viewsMethods: Record<string, MethodHandler> = {
  'views.open': open,
  'views.push': push,
  'views.update': update,
  'views.publish': publish,
};
