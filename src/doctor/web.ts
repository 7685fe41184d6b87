/**
 * Doctor checks for the web view: are its four variables set together, is
 * the public URL https (else the session cookie is not Secure), and do the
 * client id and secret work? The last asks Slack's `openid.connect.token`
 * with a code that cannot exist: good credentials get `invalid_code`, bad
 * ones `invalid_client_id` or `bad_client_secret`.
 */
import { LogLevel, WebClient, type Logger } from '@slack/web-api';
import { WEB_VIEW_ENV_KEYS, webViewSettings, type EnvConfig } from '../config/env.ts';
import { slackErrorCode } from '../adapters/slack/errors.ts';
import { CheckTimeout, fail, pass, withTimeout, type CheckResult } from './check.ts';

const quiet: Logger = {
  debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined,
  setLevel: () => undefined, getLevel: () => LogLevel.ERROR, setName: () => undefined,
};

const WHAT = 'web view (Sign in with Slack)';

export async function webChecks(env: EnvConfig, opts: { callMs: number }): Promise<CheckResult[]> {
  const w = webViewSettings(env);
  if (!w.ok) {
    if (w.missing.length === WEB_VIEW_ENV_KEYS.length) return [pass(`${WHAT}: off (set ${WEB_VIEW_ENV_KEYS.join(', ')} to turn it on)`)];
    return [fail(WHAT, `only partly configured: ${w.missing.join(', ')} ${w.missing.length === 1 ? 'is' : 'are'} not set, so the web pages answer 404`, `set ${w.missing.join(', ')} as well (see docs/configuration.md), or unset the others to keep the web view off`)];
  }
  const results: CheckResult[] = [];
  const url = new URL(w.settings.publicUrl);
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !local) {
    results.push(fail(`${WHAT}: public URL`, `KRANZ_PUBLIC_URL is ${w.settings.publicUrl}: over http the session cookie cannot be Secure and travels in clear text`, 'serve Kranz over https and set KRANZ_PUBLIC_URL to the https address'));
  } else {
    results.push(pass(`${WHAT}: public URL ${w.settings.publicUrl} (sign-in returns to ${w.settings.publicUrl}/auth/slack/callback)`));
  }
  const client = new WebClient(undefined, { slackApiUrl: env.slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: opts.callMs, logger: quiet, logLevel: LogLevel.ERROR });
  try {
    await withTimeout(client.openid.connect.token({ client_id: w.settings.clientId, client_secret: w.settings.clientSecret, code: 'kranz-doctor-probe', grant_type: 'authorization_code' }), opts.callMs);
    results.push(pass(`${WHAT}: client credentials`));
  } catch (e) {
    const code = e instanceof CheckTimeout ? 'timeout' : slackErrorCode(e);
    if (code === 'invalid_code') results.push(pass(`${WHAT}: Slack accepts SLACK_CLIENT_ID and SLACK_CLIENT_SECRET`));
    else if (code === 'invalid_client_id') results.push(fail(`${WHAT}: client id`, 'Slack does not know SLACK_CLIENT_ID (invalid_client_id)', 'copy the Client ID from your Slack app\'s "Basic Information" page into SLACK_CLIENT_ID'));
    else if (code === 'bad_client_secret') results.push(fail(`${WHAT}: client secret`, 'Slack refused SLACK_CLIENT_SECRET (bad_client_secret)', 'copy the Client Secret from your Slack app\'s "Basic Information" page into SLACK_CLIENT_SECRET'));
    else results.push(fail(`${WHAT}: client credentials`, `Slack could not be asked (${code})`, `check that ${env.slack.apiUrl} is reachable from here`));
  }
  return results;
}
