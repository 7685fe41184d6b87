import { createHmac } from 'node:crypto';
import { verifySlackRequest } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { verifySlackSignature } from '../../src/adapters/slack/signature.ts';
import { signSlackRequest } from '../../src/sandbox/slack/signing.ts';

const SECRET = 'test-signing-secret';
const NOW_MS = Date.parse('2026-12-08T02:00:00Z');
const nowS = Math.floor(NOW_MS / 1000);

const check = (rawBody: string, signature: string | undefined, timestamp: string | undefined, signingSecret = SECRET) =>
  verifySlackSignature({ signingSecret, rawBody, signature, timestamp, nowMs: NOW_MS });

/** Bolt's own check on the same input: true when it accepts. */
function boltAccepts(rawBody: string, signature: string, timestamp: number): boolean {
  try {
    verifySlackRequest({ signingSecret: SECRET, body: rawBody, headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp }, nowMilliseconds: NOW_MS });
    return true;
  } catch {
    return false;
  }
}

describe('verifySlackSignature', () => {
  const body = 'token=x&team_id=T0KRANZ01&command=%2Fincident&text=note+%E2%9C%93+rolled+back';

  it('accepts what Slack signs (the stand-in signs as Slack does) and agrees with Bolt', () => {
    const sig = signSlackRequest(SECRET, nowS, body);
    expect(check(body, sig, String(nowS))).toEqual({ ok: true });
    expect(boltAccepts(body, sig, nowS)).toBe(true);
  });

  it('refuses a changed body, a wrong secret, a malformed or missing signature, and agrees with Bolt', () => {
    const sig = signSlackRequest(SECRET, nowS, body);
    const cases: [string, string][] = [
      [`${body}x`, sig],
      [body, signSlackRequest('another-secret', nowS, body)],
      [body, sig.replace('v0=', 'v1=')],
      [body, sig.slice(0, -2)],
      [body, `${sig}00`],
      [body, sig.toUpperCase()],
      [body, ''],
    ];
    for (const [b, s] of cases) {
      expect(check(b, s, String(nowS))).toMatchObject({ ok: false, reason: 'signature' });
      expect(boltAccepts(b, s, nowS)).toBe(false);
    }
    expect(check(body, undefined, String(nowS))).toMatchObject({ ok: false, reason: 'signature' });
    expect(check(body, sig, String(nowS), '')).toMatchObject({ ok: false, reason: 'signature' });
  });

  it('signs the timestamp too: a signature moved to another timestamp is refused', () => {
    const sig = signSlackRequest(SECRET, nowS - 10, body);
    expect(check(body, sig, String(nowS))).toMatchObject({ ok: false, reason: 'signature' });
  });

  it('refuses timestamps over five minutes old or ahead, naming which, with the skew', () => {
    const old = nowS - 301;
    expect(check(body, signSlackRequest(SECRET, old, body), String(old))).toEqual({ ok: false, reason: 'stale_timestamp', skewSeconds: -301, message: 'X-Slack-Request-Timestamp is more than 5 minutes old.' });
    expect(boltAccepts(body, signSlackRequest(SECRET, old, body), old)).toBe(false);
    const ahead = nowS + 301;
    expect(check(body, signSlackRequest(SECRET, ahead, body), String(ahead))).toMatchObject({ ok: false, reason: 'future_timestamp', skewSeconds: 301 });
    // Just inside the window either way is fine.
    for (const ts of [nowS - 299, nowS + 299]) expect(check(body, signSlackRequest(SECRET, ts, body), String(ts))).toEqual({ ok: true });
  });

  it('refuses a missing or non-numeric timestamp', () => {
    for (const ts of [undefined, '', 'abc', '1.5', '-5']) expect(check(body, signSlackRequest(SECRET, nowS, body), ts)).toMatchObject({ ok: false, reason: 'signature' });
  });

  it('hashes the raw text as sent (unicode included), per Slack\'s basestring v0:<ts>:<body>', () => {
    const raw = '{"type":"event_callback","event":{"text":"naïve — ✓ 🚒"}}';
    const hex = createHmac('sha256', SECRET).update(`v0:${nowS}:${raw}`).digest('hex');
    expect(check(raw, `v0=${hex}`, String(nowS))).toEqual({ ok: true });
  });
});
