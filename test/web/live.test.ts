/**
 * How long a live timeline (Server-Sent Events) keeps flowing: never past the
 * session it was opened with, and never longer than a few minutes without
 * the browser coming back with its cookie, so signing out in another tab
 * stops it too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webExtension } from '../../src/extensions.ts';
import { sealCookie, SESSION_COOKIE } from '../../src/web/session.ts';
import { USERS, outboxDrained } from '../helpers/kranz-harness.ts';
import { declare, SESSION_SECRET, signIn, startWebHarness, type WebHarness } from '../helpers/web.ts';

const MAX_STREAM_MS = 1_500;

let h: WebHarness;
let n: number;

beforeAll(async () => {
  h = await startWebHarness({ extensions: [webExtension({ live: { pollMs: 100, maxStreamMs: MAX_STREAM_MS } })] });
  n = await declare(h, { title: 'Checkout API returns 500s', severity: 'SEV1' });
  await outboxDrained(h);
}, 60_000);
afterAll(async () => h?.close());

/** Everything a stream sends until it ends (or `waitMs` passes), and whether it ended. */
async function readStream(cookie: string, waitMs: number): Promise<{ text: string; ended: boolean; ms: number }> {
  const ac = new AbortController();
  const started = Date.now();
  const res = await fetch(`${h.publicUrl}/incidents/${n}/live`, { headers: { cookie }, signal: ac.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const timer = setTimeout(() => ac.abort(), waitMs);
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { text, ended: true, ms: Date.now() - started };
      text += new TextDecoder().decode(value);
    }
  } catch {
    return { text, ended: false, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

describe('live timeline lifetime', () => {
  it('ends the stream, saying so, when the session it was opened with expires', async () => {
    const session = { userId: USERS.dana.id, teamId: 'T0KRANZ01', name: 'Dana Commander', exp: Date.now() + 600 };
    const cookie = `${SESSION_COOKIE}=${sealCookie(SESSION_SECRET, 'session', session)}`;
    const r = await readStream(cookie, 5_000);
    expect(r.ended).toBe(true);
    expect(r.ms).toBeLessThan(MAX_STREAM_MS);
    expect(r.text).toContain('event: closed\ndata: expired');
  });

  it('ends a stream after a few minutes (here 1.5 s) without a closing message, so the browser comes back with its cookie', async () => {
    const cookie = await signIn(h, USERS.dana.id);
    const r = await readStream(cookie, 5_000);
    expect(r.ended).toBe(true);
    expect(r.ms).toBeGreaterThanOrEqual(MAX_STREAM_MS - 100);
    expect(r.text).not.toContain('event: closed');
    // Signed out (no cookie), the reconnect gets no stream.
    const again = await fetch(`${h.publicUrl}/incidents/${n}/live`, { redirect: 'manual', headers: { 'last-event-id': '1' } });
    expect(again.status).toBe(401);
  });
});
