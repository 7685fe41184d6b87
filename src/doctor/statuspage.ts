/**
 * Doctor checks for customer publication: the Statuspage key, the page and
 * every mapped component (one call each, spaced like every Statuspage call),
 * and the mail server (an SMTP login without sending anything).
 */
import type { EnvConfig } from '../config/env.ts';
import { statusPagePolicy, type Policy } from '../domain/policy.ts';
import { StatusPageClient, describeSpError } from '../adapters/statuspage/client.ts';
import { smtpTransport } from '../adapters/email/deliverer.ts';
import { CheckTimeout, fail, pass, withTimeout, type CheckResult } from './check.ts';

export async function statusPageChecks(env: EnvConfig, policy: Policy, opts: { callMs: number }): Promise<CheckResult[]> {
  const sp = statusPagePolicy(policy);
  const { apiKey, apiUrl } = env.statuspage;
  const where = env.configPath ?? 'the policy file (KRANZ_CONFIG)';
  if (!sp.pageId && !apiKey) return [pass('Status page not configured (no STATUSPAGE_API_KEY or statuspage.page_id): skipped')];
  if (!sp.pageId) return [fail('Status page', 'STATUSPAGE_API_KEY is set but statuspage.page_id is not, so nothing is published', `set statuspage.page_id in ${where} (Statuspage → your page → API info)`)];
  if (!apiKey) return [fail('Status page key', `statuspage.page_id is set but STATUSPAGE_API_KEY is not, so customer updates cannot reach the status page`, 'create an API key (Statuspage → your avatar → API info) and set STATUSPAGE_API_KEY')];
  // Each call waits its turn (about one per second), so the deadline grows with the number of calls.
  const client = new StatusPageClient({ apiKey, apiUrl, timeoutMs: opts.callMs });
  const deadline = (calls: number): number => opts.callMs + calls * 1_100;
  try {
    const page = await withTimeout(client.getPage(sp.pageId), deadline(1));
    if (!page.ok) {
      if (page.error.kind === 'rejected' && (page.error.status === 401 || page.error.status === 403)) {
        return [fail('Status page key', `Statuspage refused STATUSPAGE_API_KEY (HTTP ${page.error.status})`, 'create a new API key (Statuspage → your avatar → API info) and set STATUSPAGE_API_KEY')];
      }
      if (page.error.kind === 'rejected' && page.error.status === 404) {
        return [pass(`Status page key accepted (${apiUrl})`), fail(`Status page ${sp.pageId}`, 'Statuspage has no such page for this key', `check statuspage.page_id in ${where} (Statuspage → your page → API info)`)];
      }
      return [fail('Status page', `${describeSpError(page.error)} (${apiUrl})`, 'check STATUSPAGE_API_URL and that this host can reach Statuspage; run kranz doctor again')];
    }
    const results = [pass(`Status page key accepted (${apiUrl})`), pass(`Status page ${sp.pageId} exists (${page.value.name})`)];
    if (sp.components.length === 0) return results;
    const components = await withTimeout(client.listComponents(sp.pageId), deadline(1));
    if (!components.ok) return [...results, fail('Status page components', describeSpError(components.error), 'run kranz doctor again')];
    for (const c of sp.components) {
      const found = components.value.find((x) => x.id === c.componentId);
      results.push(found
        ? pass(`Status page component ${c.componentId} exists (${found.name}, for ${c.service})`)
        : fail(`Status page component ${c.componentId}`, `page ${sp.pageId} has no such component`, `check statuspage.components.${c.service}.component_id in ${where}; the page has ${components.value.map((x) => `${x.id} (${x.name})`).join(', ') || 'no components'}`));
    }
    return results;
  } catch (e) {
    const why = e instanceof CheckTimeout ? e.message : e instanceof Error ? e.message : String(e);
    return [fail('Status page', `Statuspage at ${apiUrl}: ${why}`, 'check STATUSPAGE_API_URL and that this host can reach Statuspage; run kranz doctor again')];
  }
}

export async function emailChecks(env: EnvConfig, opts: { callMs: number }): Promise<CheckResult[]> {
  const { smtpUrl, from } = env.email;
  if (!smtpUrl) return [pass('Customer email not configured (no SMTP_URL): skipped')];
  const transport = smtpTransport(smtpUrl);
  const host = new URL(smtpUrl).host;
  try {
    await withTimeout(transport.verify(), opts.callMs);
    return [pass(`Mail server ${host} accepts Kranz (customer emails from ${from ?? '?'})`)];
  } catch (e) {
    const why = e instanceof CheckTimeout ? e.message : e instanceof Error ? e.message : String(e);
    return [fail(`Mail server ${host}`, why, 'check SMTP_URL (host, port, smtp:// or smtps://, user and password) and that this host can reach it; customer emails wait in the outbox meanwhile')];
  } finally {
    transport.close();
  }
}
