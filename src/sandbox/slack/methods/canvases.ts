/**
 * canvases.create, canvases.edit and conversations.canvases.create. A
 * canvas is kept as a list of markdown sections so section edits work.
 */
import { SlackMethodError, invalidArguments, json, str } from '../validation.ts';
import { channelArg } from './context.ts';
import type { MethodContext, MethodHandler } from './context.ts';
import type { CanvasRecord } from '../types.ts';
import type { Args } from '../validation.ts';

type Json = Record<string, unknown>;

/** Canvas text from `{ type: 'markdown', markdown }`. */
function markdownOf(v: unknown, at: string): string {
  const o = v as Json | undefined;
  if (typeof o !== 'object' || o === null || o.type !== 'markdown' || typeof o.markdown !== 'string') {
    throw invalidArguments(`[ERROR] must provide a markdown document [json-pointer:${at}]`);
  }
  return o.markdown;
}

function requireCanvases(ctx: MethodContext): void {
  // Workspaces without canvases (plan or admin setting) answer this on every canvas method.
  if (!ctx.config.canvasesEnabled) throw new SlackMethodError('canvas_disabled_user_team');
}

function newCanvas(ctx: MethodContext, args: Args, channelId: string | undefined, isChannelCanvas: boolean): CanvasRecord {
  const doc = json(args, 'document_content', 'invalid_arguments');
  const rec: CanvasRecord = {
    id: ctx.ws.ids.next('F', 10),
    title: str(args, 'title') ?? '',
    channelId,
    isChannelCanvas,
    created: ctx.ws.nowSec(),
    sections: doc === undefined ? [] : [{ id: sectionId(ctx), markdown: markdownOf(doc, '/document_content') }],
  };
  ctx.ws.canvases.set(rec.id, rec);
  return rec;
}

function sectionId(ctx: MethodContext): string {
  return `temp:C:${ctx.ws.ids.short()}`;
}

const create: MethodHandler = (ctx, args) => {
  requireCanvases(ctx);
  const channelId = str(args, 'channel_id');
  const ch = channelId ? channelArg(ctx, args, 'channel_id') : undefined;
  const rec = newCanvas(ctx, args, ch?.id, false);
  return { canvas_id: rec.id };
};

const channelCanvas: MethodHandler = (ctx, args) => {
  requireCanvases(ctx);
  const ch = channelArg(ctx, args, 'channel_id');
  if (ch.canvasId) throw new SlackMethodError('channel_canvas_already_exists');
  const rec = newCanvas(ctx, args, ch.id, true);
  ch.canvasId = rec.id;
  return { canvas_id: rec.id };
};

function applyChange(ctx: MethodContext, canvas: CanvasRecord, change: unknown, at: string): void {
  const c = change as Json;
  if (typeof change !== 'object' || change === null) throw invalidArguments(`[ERROR] must provide an object [json-pointer:${at}]`);
  const find = (): number => {
    if (typeof c.section_id !== 'string') throw invalidArguments(`[ERROR] missing required field: section_id [json-pointer:${at}]`);
    const i = canvas.sections.findIndex((s) => s.id === c.section_id);
    if (i < 0) throw new SlackMethodError('canvas_editing_failed');
    return i;
  };
  const section = (): { id: string; markdown: string } => ({
    id: sectionId(ctx),
    markdown: markdownOf(c.document_content, `${at}/document_content`),
  });
  switch (c.operation) {
    case 'insert_at_end':
      canvas.sections.push(section());
      return;
    case 'insert_at_start':
      canvas.sections.unshift(section());
      return;
    case 'insert_after':
      canvas.sections.splice(find() + 1, 0, section());
      return;
    case 'insert_before':
      canvas.sections.splice(find(), 0, section());
      return;
    case 'replace':
      if (c.section_id === undefined) canvas.sections = [section()];
      else canvas.sections.splice(find(), 1, section());
      return;
    case 'delete':
      canvas.sections.splice(find(), 1);
      return;
    case 'rename':
      canvas.title = markdownOf(c.title_content, `${at}/title_content`);
      return;
    default:
      throw invalidArguments(`[ERROR] unsupported operation [json-pointer:${at}/operation]`);
  }
}

const edit: MethodHandler = (ctx, args) => {
  requireCanvases(ctx);
  const canvas = ctx.ws.canvases.get(str(args, 'canvas_id') ?? '');
  if (!canvas) throw new SlackMethodError('canvas_not_found');
  const changes = json(args, 'changes', 'invalid_arguments');
  if (!Array.isArray(changes) || changes.length === 0) throw invalidArguments('[ERROR] must provide changes [json-pointer:/changes]');
  // Edits apply all-or-nothing: work on a draft, keep it only if every change applied.
  const draft: CanvasRecord = { ...canvas, sections: [...canvas.sections] };
  changes.forEach((change, i) => applyChange(ctx, draft, change, `/changes/${i}`));
  canvas.title = draft.title;
  canvas.sections = draft.sections;
  return {};
};

/** The markdown of a canvas, sections joined, for assertions. */
export function canvasMarkdown(canvas: CanvasRecord): string {
  return canvas.sections.map((s) => s.markdown).join('\n');
}

/** Handlers by method name. */
export const canvasesMethods: Record<string, MethodHandler> = {
  'canvases.create': create,
  'canvases.edit': edit,
  'conversations.canvases.create': channelCanvas,
};
