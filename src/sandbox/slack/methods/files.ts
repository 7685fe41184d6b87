/**
 * The external upload flow (files.getUploadURLExternal, POST to the upload
 * URL, files.completeUploadExternal) and files.info.
 */
import { fileJson } from '../serialize.ts';
import { SlackMethodError, int, json, list, str } from '../validation.ts';
import { canvasMarkdown } from './canvases.ts';
import { channelArg, requireActive, requireMember } from './context.ts';
import type { MethodHandler } from './context.ts';
import type { ChannelRecord, FileRecord } from '../types.ts';
import type { Workspace } from '../workspace.ts';

/** Slack's cap on one upload. */
const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;

/** Path prefix of upload URLs on the stand-in. */
export const UPLOAD_PATH = '/upload/v1/';

const getUploadUrl: MethodHandler = (ctx, args) => {
  const filename = str(args, 'filename') ?? '';
  if (filename === '') throw new SlackMethodError('missing_argument');
  const length = int(args, 'length', 'invalid_arguments') ?? 0;
  if (length < 0) throw new SlackMethodError('invalid_arguments');
  if (length > MAX_UPLOAD_BYTES) throw new SlackMethodError('file_upload_size_restricted');
  const rec: FileRecord = {
    id: ctx.ws.ids.next('F', 10),
    name: filename,
    title: filename,
    length,
    content: undefined,
    created: ctx.ws.nowSec(),
    user: ctx.config.botUserId,
    completed: false,
    shares: [],
  };
  ctx.ws.files.set(rec.id, rec);
  return { upload_url: `${ctx.config.baseUrl}${UPLOAD_PATH}${rec.id}`, file_id: rec.id };
};

/** Stores bytes POSTed to an upload URL; false when the URL names no pending upload. */
export function receiveUpload(ws: Workspace, fileId: string, content: Buffer): boolean {
  const f = ws.files.get(fileId);
  if (!f || f.completed) return false;
  f.content = content;
  return true;
}

const complete: MethodHandler = (ctx, args) => {
  const raw = json(args, 'files', 'invalid_arguments');
  if (!Array.isArray(raw) || raw.length === 0) throw new SlackMethodError('invalid_arguments');
  const files: FileRecord[] = raw.map((entry: unknown) => {
    const e = entry as { id?: unknown; title?: unknown };
    const f = typeof e?.id === 'string' ? ctx.ws.files.get(e.id) : undefined;
    // A file id whose bytes never arrived is as unknown to Slack as a made-up one.
    if (!f || f.content === undefined || f.completed) throw new SlackMethodError('file_not_found');
    if (typeof e.title === 'string' && e.title !== '') f.title = e.title;
    return f;
  });
  const targets: ChannelRecord[] = [];
  const channelIds = [...(str(args, 'channel_id') ? [str(args, 'channel_id') ?? ''] : []), ...(list(args, 'channels') ?? [])];
  for (const id of new Set(channelIds)) {
    const ch = channelArg(ctx, { channel: id });
    requireActive(ch);
    requireMember(ctx, ch);
    targets.push(ch);
  }
  for (const f of files) f.completed = true;
  for (const ch of targets) {
    const m = ctx.ws.addMessage({
      channel: ch.id,
      user: ctx.config.botUserId,
      bot_id: ctx.config.botId,
      subtype: 'file_share',
      text: str(args, 'initial_comment') ?? '',
      files: files.map((f) => f.id),
      thread_ts: str(args, 'thread_ts') || undefined,
    });
    for (const f of files) f.shares.push({ channel: ch.id, ts: m.ts });
    ctx.events.emitMessage(m);
  }
  return { files: files.map((f) => ({ id: f.id, title: f.title })) };
};

const info: MethodHandler = (ctx, args) => {
  const id = str(args, 'file') ?? '';
  const f = ctx.ws.files.get(id);
  if (f?.completed) return { file: fileJson(ctx.ws, f), comments: [], response_metadata: { next_cursor: '' } };
  const canvas = ctx.ws.canvases.get(id);
  if (!canvas) throw new SlackMethodError('file_not_found');
  if (!ctx.config.canvasesEnabled) throw new SlackMethodError('canvas_disabled_user_team');
  const markdown = canvasMarkdown(canvas);
  return {
    file: {
      id: canvas.id,
      created: canvas.created,
      timestamp: canvas.created,
      name: canvas.title,
      title: canvas.title,
      mimetype: 'application/vnd.slack-docs',
      filetype: 'quip',
      pretty_type: 'Canvas',
      user: ctx.config.botUserId,
      size: Buffer.byteLength(markdown),
      mode: 'quip',
      is_external: false,
      editable: true,
      is_public: false,
      linked_channel_id: canvas.isChannelCanvas ? canvas.channelId : undefined,
      permalink: `https://${ctx.config.teamDomain}.slack.com/docs/${ctx.config.teamId}/${canvas.id}`,
    },
    comments: [],
    response_metadata: { next_cursor: '' },
  };
};

/** Handlers by method name. */
export const filesMethods: Record<string, MethodHandler> = {
  'files.getUploadURLExternal': getUploadUrl,
  'files.completeUploadExternal': complete,
  'files.info': info,
};
