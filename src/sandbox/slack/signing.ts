import { createHmac } from 'node:crypto';

/**
 * Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:<ts>:<raw body>`
 * keyed with the app's signing secret.
 */
export function signSlackRequest(signingSecret: string, timestampSec: number, rawBody: string): string {
  const mac = createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex');
  return `v0=${mac}`;
}

/** Headers Slack puts on every request to an app. */
export function slackRequestHeaders(
  signingSecret: string,
  timestampSec: number,
  rawBody: string,
  contentType: 'application/json' | 'application/x-www-form-urlencoded',
): Record<string, string> {
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestampSec),
    'x-slack-signature': signSlackRequest(signingSecret, timestampSec, rawBody),
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
  };
}

/** Form encoding as Slack writes it: `%20` for spaces, every reserved character escaped. */
export function formEncode(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}
