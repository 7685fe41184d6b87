/**
 * Puts the full Markdown report where the workspace allows: a channel canvas,
 * else a file through the external-upload flow, else chunked messages (the
 * caller posts those through the outbox).
 */
import type { WebClient } from '@slack/web-api';
import { slackErrorCode } from './errors.ts';

export type PublishedDocument = { kind: 'canvas'; canvasId: string } | { kind: 'file'; fileId: string } | { kind: 'messages'; reasons: string[] };

/**
 * Errors that mean "this workspace cannot do that", as opposed to "try again
 * later". `canvas_disabled_user_team` is what Slack answers on a plan or
 * workspace without canvases; treating it as transient retried the report
 * forever and nothing was ever posted.
 */
const UNSUPPORTED = new Set([
  'not_allowed', 'not_supported', 'free_team_not_allowed', 'team_tier_cannot_create_channel_canvases', 'canvas_disabled',
  'canvas_disabled_user_team', 'canvas_globally_disabled', 'free_teams_cannot_create_non_tabbed_canvases',
  'free_team_canvas_tab_already_exists', 'canvas_creation_failed', 'channel_canvas_creation_failed', 'canvas_tab_creation_failed',
  'not_allowed_token_type', 'missing_scope', 'feature_not_enabled', 'channel_canvas_already_exists',
  'restricted_action', 'invalid_arguments', 'file_upload_disabled', 'file_uploads_disabled', 'file_uploads_except_images_disabled',
  'file_type_not_allowed', 'storage_limit_reached', 'posting_to_channel_denied', 'not_in_channel', 'unknown_method',
]);

export async function publishDocument(client: WebClient, o: { channel: string; title: string; markdown: string; filename: string }): Promise<PublishedDocument> {
  const reasons: string[] = [];
  try {
    const r = await client.apiCall('conversations.canvases.create', { channel_id: o.channel, title: o.title, document_content: { type: 'markdown', markdown: o.markdown } });
    const id = (r as { canvas_id?: string }).canvas_id;
    if (id) return { kind: 'canvas', canvasId: id };
  } catch (e) {
    if (!UNSUPPORTED.has(slackErrorCode(e))) throw e;
    reasons.push(`canvas: ${slackErrorCode(e)}`);
  }
  try {
    const bytes = Buffer.from(o.markdown, 'utf8');
    const up = await client.files.getUploadURLExternal({ filename: o.filename, length: bytes.length });
    if (!up.upload_url || !up.file_id) throw Object.assign(new Error('no upload url'), { data: { error: 'invalid_arguments' } });
    const res = await fetch(up.upload_url, { method: 'POST', body: bytes, headers: { 'content-type': 'application/octet-stream' }, signal: AbortSignal.timeout(15_000) });
    if (!res.ok) throw Object.assign(new Error(`upload failed with HTTP ${res.status}`), { code: 'upload_http_error' });
    await client.files.completeUploadExternal({ files: [{ id: up.file_id, title: o.title }], channel_id: o.channel, initial_comment: `${o.title} (Markdown)` });
    return { kind: 'file', fileId: up.file_id };
  } catch (e) {
    if (!UNSUPPORTED.has(slackErrorCode(e))) throw e;
    reasons.push(`file: ${slackErrorCode(e)}`);
  }
  return { kind: 'messages', reasons };
}
