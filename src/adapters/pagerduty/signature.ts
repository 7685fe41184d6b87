/**
 * PagerDuty V3 webhook signatures. `X-PagerDuty-Signature` carries one or more
 * comma-separated `v1=<hex HMAC-SHA256 of the raw body>`, one per active
 * signing secret, so a secret can be rotated without downtime. Verification
 * must run on the raw bytes, before any JSON parsing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header name, lower-cased as Node presents it. */
export const PAGERDUTY_SIGNATURE_HEADER = 'x-pagerduty-signature';

const V1_PREFIX = 'v1=';
const SHA256_HEX = /^[0-9a-f]{64}$/i;
// A real header holds one signature per active secret (two while rotating);
// more than this is not PagerDuty, and each one costs a comparison.
const MAX_SIGNATURES = 16;

/**
 * True when any `v1` signature in `header` is the HMAC-SHA256 of `rawBody`
 * under any of `secrets`. Unknown versions are ignored; a missing header, an
 * empty or all-empty secrets list, or a malformed header gives false.
 * Comparisons are constant-time over equal-length digests.
 */
export function verifyPagerDutySignature(rawBody: Buffer, header: string | undefined, secrets: readonly string[]): boolean {
  // An empty secret is a configuration slip, never a key to accept.
  const keys = secrets.filter((s) => s.length > 0);
  if (header === undefined || keys.length === 0) return false;

  const provided: Buffer[] = [];
  for (const part of header.split(',').slice(0, MAX_SIGNATURES)) {
    const item = part.trim();
    if (!item.startsWith(V1_PREFIX)) continue;
    const hex = item.slice(V1_PREFIX.length);
    if (SHA256_HEX.test(hex)) provided.push(Buffer.from(hex, 'hex'));
  }
  if (provided.length === 0) return false;

  let matched = false;
  for (const key of keys) {
    const expected = createHmac('sha256', key).update(rawBody).digest();
    for (const candidate of provided) {
      // timingSafeEqual throws on unequal lengths; both are 32 bytes here, but
      // the check keeps that true if the parsing above ever changes.
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  return matched;
}

/**
 * The `X-PagerDuty-Signature` value PagerDuty would send for `rawBody` with
 * these secrets (one `v1=` entry per secret, comma-separated). For the
 * stand-in and tests.
 */
export function signPagerDutyBody(rawBody: Buffer | string, secrets: readonly string[]): string {
  return secrets.map((secret) => `${V1_PREFIX}${createHmac('sha256', secret).update(rawBody).digest('hex')}`).join(',');
}
