/**
 * Doctor checks against PagerDuty: the REST token, every service the policy
 * names, and the two settings PagerDuty rejects Kranz without (webhook
 * signing secret, `From` email).
 */
import type { EnvConfig } from '../config/env.ts';
import type { Policy } from '../domain/policy.ts';
import { PagerDutyClient } from '../adapters/pagerduty/client.ts';
import { describePdError, type PdError } from '../adapters/pagerduty/errors.ts';
import { CheckTimeout, fail, pass, withTimeout, type CheckResult } from './check.ts';

/** True when any PagerDuty setting is present; otherwise Kranz runs without PagerDuty and there is nothing to check. */
export function pagerDutyInUse(env: EnvConfig, policy: Policy): boolean {
  return Boolean(env.pagerduty.token) || env.pagerduty.webhookSecrets.length > 0 || policy.pagerduty.services.length > 0 || policy.pagerduty.legacyV2.enabled;
}

/** Runs the PagerDuty checks (one ✓ line when PagerDuty is not configured at all). */
export async function pagerDutyChecks(env: EnvConfig, policy: Policy, opts: { callMs: number }): Promise<CheckResult[]> {
  if (!pagerDutyInUse(env, policy)) {
    return [pass('PagerDuty not configured (no PAGERDUTY_TOKEN, webhook secrets or services): skipped')];
  }
  const results: CheckResult[] = [];
  const { token, apiUrl, webhookSecrets, fromEmail } = env.pagerduty;
  if (!token) {
    results.push(fail('PagerDuty token', 'PAGERDUTY_TOKEN is not set, so Kranz cannot write notes, resolve or page', 'create a REST API key (PagerDuty → Integrations → API Access Keys) and set PAGERDUTY_TOKEN'));
  } else {
    const client = new PagerDutyClient({ token, from: fromEmail ?? '', apiUrl, timeoutMs: opts.callMs });
    try {
      results.push(await tokenCheck(client, apiUrl, opts.callMs));
      // Services are only worth asking about with a token PagerDuty accepts.
      if (results[0]?.ok) {
        const where = env.configPath ?? 'the policy file (KRANZ_CONFIG)';
        results.push(...(await Promise.all(policy.pagerduty.services.map((s, i) => serviceCheck(client, s.serviceId, `pagerduty.services[${i}].id in ${where}`, opts.callMs)))));
      }
    } finally {
      client.close();
    }
  }
  results.push(
    webhookSecrets.length > 0
      ? pass(`PagerDuty webhook signing secret set (${webhookSecrets.length})`)
      : fail(
          'PagerDuty webhook signing secret',
          'PAGERDUTY_WEBHOOK_SECRETS is empty, so every PagerDuty webhook is refused as unsigned',
          'in PagerDuty, add a Generic Webhook (v3) subscription pointing at https://<your host>/pagerduty/webhook and put its signing secret in PAGERDUTY_WEBHOOK_SECRETS',
        ),
  );
  results.push(
    fromEmail
      ? pass(`PagerDuty From email set (${fromEmail})`)
      : fail(
          'PagerDuty From email',
          'PAGERDUTY_FROM_EMAIL is not set; PagerDuty refuses notes, resolves and status updates made with an account-level token without it',
          'set PAGERDUTY_FROM_EMAIL to the login email of the PagerDuty user Kranz acts as',
        ),
  );
  return results;
}

async function tokenCheck(client: PagerDutyClient, apiUrl: string, callMs: number): Promise<CheckResult> {
  const what = 'PagerDuty token';
  try {
    const r = await withTimeout(client.checkToken(), callMs);
    if (r.ok) return pass(`PagerDuty token valid (${apiUrl})`);
    return tokenProblem(what, r.error, apiUrl);
  } catch (e) {
    return unreachable(what, e, apiUrl);
  }
}

function tokenProblem(what: string, error: PdError, apiUrl: string): CheckResult {
  if (error.kind === 'rejected' && (error.status === 401 || error.status === 403)) {
    return fail(what, `PagerDuty refused the token (HTTP ${error.status})`, 'create a new REST API key (PagerDuty → Integrations → API Access Keys) and set PAGERDUTY_TOKEN');
  }
  return fail(what, `${describePdError(error)} (${apiUrl})`, 'check PAGERDUTY_API_URL and that this host can reach PagerDuty; run kranz doctor again');
}

async function serviceCheck(client: PagerDutyClient, serviceId: string, key: string, callMs: number): Promise<CheckResult> {
  const what = `PagerDuty service ${serviceId}`;
  try {
    const r = await withTimeout(client.getService(serviceId), callMs);
    if (r.ok) return pass(`${what} exists (${r.value.name})`);
    if (r.error.kind === 'rejected' && r.error.status === 404) {
      return fail(what, 'PagerDuty has no such service (or the token may not see it)', `check ${key}: the id is the last part of the service's URL in PagerDuty (…/service-directory/PABC123)`);
    }
    return fail(what, describePdError(r.error), 'check the token\'s access to this service, then run kranz doctor again');
  } catch (e) {
    return unreachable(what, e, client.apiUrl);
  }
}

function unreachable(what: string, e: unknown, apiUrl: string): CheckResult {
  const why = e instanceof CheckTimeout ? e.message : e instanceof Error ? e.message : String(e);
  return fail(what, `PagerDuty at ${apiUrl}: ${why}`, 'check PAGERDUTY_API_URL and that this host can reach PagerDuty; run kranz doctor again');
}
