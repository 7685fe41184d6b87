/** `kranz doctor` on the web view: its four variables together, https, and client credentials Slack accepts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv, type EnvConfig } from '../../src/config/env.ts';
import { formatCheck } from '../../src/doctor/check.ts';
import { webChecks } from '../../src/doctor/web.ts';
import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/index.ts';

let slack: SlackStandIn;
beforeAll(async () => {
  slack = await startSlackStandIn();
});
afterAll(async () => slack?.close());

function env(vars: Record<string, string>): EnvConfig {
  const r = loadEnv({ SLACK_API_URL: slack.apiUrl, ...vars });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}
const ON = { SLACK_CLIENT_ID: 'sandbox-client-id', SLACK_CLIENT_SECRET: 'sandbox-client-secret', KRANZ_PUBLIC_URL: 'https://kranz.acme.io', KRANZ_SESSION_SECRET: 'x'.repeat(32) };
const lines = async (vars: Record<string, string>): Promise<string[]> => (await webChecks(env(vars), { callMs: 5_000 })).flatMap(formatCheck);

describe('doctor: web view', () => {
  it('says the web view is off, and which variables turn it on', async () => {
    expect(await lines({})).toEqual(['✓ web view (Sign in with Slack): off (set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, KRANZ_PUBLIC_URL, KRANZ_SESSION_SECRET to turn it on)']);
  });

  it('flags a half-configured web view, naming the missing variables', async () => {
    const out = (await lines({ SLACK_CLIENT_ID: 'x', KRANZ_PUBLIC_URL: 'https://k.test' })).join('\n');
    expect(out).toContain('✗ web view (Sign in with Slack): only partly configured: SLACK_CLIENT_SECRET, KRANZ_SESSION_SECRET are not set');
  });

  it('passes good credentials over https, and names a wrong client id, a wrong secret and a plain-http public URL', async () => {
    const good = (await lines(ON)).join('\n');
    expect(good).toContain('✓ web view (Sign in with Slack): public URL https://kranz.acme.io');
    expect(good).toContain('✓ web view (Sign in with Slack): Slack accepts SLACK_CLIENT_ID and SLACK_CLIENT_SECRET');
    expect((await lines({ ...ON, SLACK_CLIENT_ID: 'nope' })).join('\n')).toContain('Slack does not know SLACK_CLIENT_ID (invalid_client_id)');
    expect((await lines({ ...ON, SLACK_CLIENT_SECRET: 'nope' })).join('\n')).toContain('Slack refused SLACK_CLIENT_SECRET (bad_client_secret)');
    expect((await lines({ ...ON, KRANZ_PUBLIC_URL: 'http://kranz.acme.io' })).join('\n')).toContain('session cookie cannot be Secure');
  });
});
