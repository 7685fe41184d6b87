/**
 * Slack request signatures (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<raw body>">`
 * under the app's signing secret, with `X-Slack-Request-Timestamp` within
 * five minutes of now (an older one is a replay, or a clock that is off).
 *
 * The same check as Bolt's `verifySlackRequest`, with one HMAC per request:
 * Bolt compares through `tsscmp`, which hashes both sides again under a
 * random key, tripling the hashing and drawing random bytes on every
 * request; `timingSafeEqual` over the two digests is constant-time already.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a request's timestamp may be from this host's clock, either way. */
export const MAX_CLOCK_SKEW_S = 5 * 60;

const V0_SIGNATURE = /^v0=([0-9a-f]{64})$/;

export type SlackSignatureVerdict =
  | { ok: true }
  | { ok: false; reason: 'stale_timestamp' | 'future_timestamp'; skewSeconds: number; message: string }
  | { ok: false; reason: 'signature'; message: string };

/** Whether a request came from Slack: its timestamp is recent and its signature is the HMAC of that timestamp and the raw body. */
export function verifySlackSignature(o: { signingSecret: string; rawBody: string; signature: string | undefined; timestamp: string | undefined; nowMs: number }): SlackSignatureVerdict {
  const ts = Number(o.timestamp ?? '');
  if (!o.timestamp || !Number.isInteger(ts) || ts <= 0) {
    return { ok: false, reason: 'signature', message: 'X-Slack-Request-Timestamp is missing or not a number of seconds.' };
  }
  const nowS = Math.floor(o.nowMs / 1000);
  if (ts > nowS + MAX_CLOCK_SKEW_S) return { ok: false, reason: 'future_timestamp', skewSeconds: ts - nowS, message: 'X-Slack-Request-Timestamp is more than 5 minutes in the future.' };
  if (ts < nowS - MAX_CLOCK_SKEW_S) return { ok: false, reason: 'stale_timestamp', skewSeconds: ts - nowS, message: 'X-Slack-Request-Timestamp is more than 5 minutes old.' };
  const given = V0_SIGNATURE.exec(o.signature ?? '')?.[1];
  if (!given || !o.signingSecret) return { ok: false, reason: 'signature', message: 'X-Slack-Signature is missing or not a v0 signature.' };
  const expected = createHmac('sha256', o.signingSecret).update(`v0:${o.timestamp}:${o.rawBody}`).digest();
  // Both are 32 bytes (the pattern above fixes the length); timingSafeEqual throws otherwise.
  if (!timingSafeEqual(Buffer.from(given, 'hex'), expected)) return { ok: false, reason: 'signature', message: 'X-Slack-Signature does not match the signing secret (SLACK_SIGNING_SECRET).' };
  return { ok: true };
}
