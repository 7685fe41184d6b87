/**
 * Maps @slack/web-api errors to outbox outcomes. Rate limits and outages are
 * retried (honouring Retry-After); errors that no retry can fix go to the
 * dead state. Token problems are retried too: fixing the token should deliver
 * what waited, not lose it.
 */
import type { DeliveryOutcome } from '../../app/deliver-outbox.ts';

const PERMANENT = new Set([
  'channel_not_found', 'not_in_channel', 'is_archived', 'invalid_blocks', 'invalid_blocks_format', 'msg_too_long',
  'no_text', 'too_many_attachments', 'invalid_arguments', 'invalid_name', 'invalid_name_specials', 'invalid_name_maxlength',
  'invalid_name_required', 'user_not_found', 'users_not_found', 'cant_invite', 'restricted_action', 'method_not_supported_for_channel_type',
  'message_not_found', 'cant_update_message', 'edit_window_closed', 'unknown_method', 'invalid_arg_name', 'invalid_array_arg',
]);

export interface SlackErrorLike {
  code?: string;
  data?: { error?: string };
  retryAfter?: number;
  statusCode?: number;
  message?: string;
}

/** The Slack error code (`channel_not_found`) or a transport description. */
export function slackErrorCode(e: unknown): string {
  const x = e as SlackErrorLike;
  if (x?.data?.error) return x.data.error;
  if (x?.code === 'slack_webapi_rate_limited_error') return 'ratelimited';
  return x?.message ?? String(e);
}

export function toDeliveryOutcome(e: unknown): Exclude<DeliveryOutcome, { ok: true }> {
  const x = e as SlackErrorLike;
  if (x?.code === 'slack_webapi_rate_limited_error') {
    return { ok: false, retryable: true, error: 'ratelimited', retryAfterMs: Math.max(1, x.retryAfter ?? 1) * 1000, rateLimited: true };
  }
  const code = slackErrorCode(e);
  if (x?.code === 'slack_webapi_platform_error' && PERMANENT.has(code)) return { ok: false, retryable: false, error: code };
  // The client could not even encode the request: no retry will change that.
  if (e instanceof URIError) return { ok: false, retryable: false, error: `unsendable: ${(e as Error).message}` };
  // Not from the Slack client (an answer, an HTTP status, a network failure): Kranz's own error.
  if (!String(x?.code ?? '').startsWith('slack_webapi_')) return { ok: false, retryable: true, error: code, unexpected: true };
  return { ok: false, retryable: true, error: code };
}

/**
 * A message a person can read, never a stack trace. Used where a listener
 * failed and nothing will retry for the user, so each one asks them to try
 * again; errors that are not Slack's (the database, a bug) are not blamed on it.
 */
export function humanSlackError(e: unknown): string {
  const x = e as SlackErrorLike;
  const code = slackErrorCode(e);
  const known: Record<string, string> = {
    expired_trigger_id: 'Slack took too long to open the form. Please try again.',
    channel_not_found: 'Slack could not find that channel.',
    not_in_channel: 'Kranz is not a member of that channel. Invite it with `/invite @Kranz`.',
    ratelimited: 'Slack is rate-limiting Kranz right now. Please try again in a minute.',
  };
  const again = 'Please try again in a moment.';
  const plain = Object.hasOwn(known, code) ? known[code] : undefined;
  if (plain) return plain;
  switch (x?.code) {
    case 'slack_webapi_platform_error':
      return `Slack refused the request (\`${code}\`). ${again}`;
    case 'slack_webapi_http_error':
      return `Slack is having trouble right now (HTTP ${x.statusCode ?? 'error'}). ${again}`;
    case 'slack_webapi_request_error':
      return `Kranz could not reach Slack just now. ${again}`;
    default:
      return `Kranz could not finish that just now. ${again}`;
  }
}

/** True for errors raised by @slack/web-api (platform, rate limit, HTTP, request). */
export function isSlackApiError(e: unknown): boolean {
  const code = (e as SlackErrorLike | undefined)?.code;
  return typeof code === 'string' && code.startsWith('slack_');
}
