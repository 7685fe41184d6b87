import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { startSlackStandIn } from '../../src/sandbox/slack/index.ts';
import type { SlackStandIn } from '../../src/sandbox/slack/index.ts';

describe('Slack stand-in: fault injection', () => {
  let slack: SlackStandIn;
  let strict: WebClient;
  let clock = 1_700_000_000_000;

  beforeAll(async () => {
    slack = await startSlackStandIn({ now: () => clock });
    // No retries, so each injected fault surfaces as exactly one error.
    strict = new WebClient('xoxb-sandbox-token', {
      slackApiUrl: slack.apiUrl,
      logLevel: LogLevel.ERROR,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
  });
  afterEach(() => {
    slack.faults.clear();
  });
  afterAll(async () => {
    await slack.close();
  });

  it('answers 429 with Retry-After, which WebClient reports as a rate-limit error', async () => {
    slack.faults.rateLimit('chat.postMessage', { times: 1, retryAfterSec: 7 });
    const channel = (await strict.conversations.create({ name: 'inc-rl' })).channel?.id ?? '';
    const err = await strict.chat.postMessage({ channel, text: 'hi' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });

    const last = slack.workspace.callsTo('chat.postMessage').at(-1);
    expect(last).toMatchObject({ status: 429, fault: 'ratelimited', error: 'ratelimited', ok: false });
    // times: 1 — the next call goes through.
    expect((await strict.chat.postMessage({ channel, text: 'hi' })).ok).toBe(true);
  });

  it('shows the raw 429 exactly as Slack sends it', async () => {
    slack.faults.rateLimit('*', { retryAfterSec: 30 });
    const res = await fetch(`${slack.apiUrl}auth.test`, { method: 'POST', headers: { authorization: 'Bearer xoxb-sandbox-token' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(await res.json()).toEqual({ ok: false, error: 'ratelimited' });
  });

  it('lets a patient WebClient wait out Retry-After and retry', async () => {
    const patient = new WebClient('xoxb-sandbox-token', {
      slackApiUrl: slack.apiUrl,
      logLevel: LogLevel.ERROR,
      retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 },
    });
    slack.faults.rateLimit('auth.test', { times: 1, retryAfterSec: 1 });
    const started = Date.now();
    expect((await patient.auth.test()).ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(slack.workspace.callsTo('auth.test').slice(-2).map((c) => c.status)).toEqual([429, 200]);
  });

  it('injects outages as HTTP 503 for a number of calls', async () => {
    slack.faults.outage('users.list', { times: 2 });
    for (let i = 0; i < 2; i += 1) {
      const err = await strict.users.list({}).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: ErrorCode.HTTPError, statusCode: 503 });
    }
    expect((await strict.users.list({})).ok).toBe(true);
    expect(slack.workspace.callsTo('users.list').map((c) => c.fault ?? 'none')).toEqual(['outage', 'outage', 'none']);
    expect(slack.workspace.callCounts()['users.list']).toBe(3);
  });

  it('injects outages until a time on the stand-in clock', async () => {
    slack.faults.outage('*', { untilMs: clock + 60_000 });
    expect(await strict.auth.test().catch((e: { code: string }) => e.code)).toBe(ErrorCode.HTTPError);
    clock += 60_000;
    expect((await strict.auth.test()).ok).toBe(true);
  });

  it('can drop the connection instead of answering', async () => {
    slack.faults.outage('team.info', { times: 1, mode: 'close' });
    const err = await strict.team.info().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.RequestError });
    expect(slack.workspace.callsTo('team.info').at(-1)).toMatchObject({ fault: 'outage', status: 0 });
    expect((await strict.team.info()).ok).toBe(true);
  });

  it('answers slowly, with the real answer, for a number of calls', async () => {
    slack.faults.slow('auth.test', { delayMs: 150, times: 1 });
    let started = Date.now();
    expect((await strict.auth.test()).ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    started = Date.now();
    expect((await strict.auth.test()).ok).toBe(true);
    expect(Date.now() - started).toBeLessThan(145);
  });

  it('clears faults per method or all at once', async () => {
    slack.faults.outage('auth.test', { times: 5 });
    slack.faults.rateLimit('team.info', { times: 5 });
    slack.faults.clear('auth.test');
    expect((await strict.auth.test()).ok).toBe(true);
    expect(await strict.team.info().catch((e: { code: string }) => e.code)).toBe(ErrorCode.RateLimitedError);
    slack.faults.clear();
    expect((await strict.team.info()).ok).toBe(true);
  });
});
