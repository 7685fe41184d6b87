/**
 * `kranz doctor` for customer publication, against the Statuspage stand-in
 * and the SMTP stand-in: all ✓ on a good setup; a refused key, a missing page,
 * an unmapped component and an unreachable mail server each named with a fix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv, type EnvConfig } from '../../src/config/env.ts';
import { formatCheck } from '../../src/doctor/check.ts';
import { emailChecks, statusPageChecks } from '../../src/doctor/statuspage.ts';
import type { Policy, StatusPagePolicy } from '../../src/domain/policy.ts';
import type { SmtpStandIn } from '../../src/sandbox/smtp/stand-in.ts';
import { STATUSPAGE_STAND_IN_KEY, type StatusPageStandIn } from '../../src/sandbox/statuspage/stand-in.ts';
import { startCustomerOutlets, type CustomerOutlets } from '../helpers/customer-outlets.ts';
import { testPolicy } from '../helpers/domain.ts';

let outlets: CustomerOutlets;
let sp: StatusPageStandIn;
let smtp: SmtpStandIn;
beforeAll(async () => {
  outlets = await startCustomerOutlets({ pageId: 'docpage00001', components: [{ id: 'checkout0001', name: 'Checkout' }], statusPage: { rateLimit: { max: 1, windowMs: 20 } } });
  ({ sp, smtp } = outlets);
});
afterAll(async () => {
  await outlets?.close();
});

const env = (over: Record<string, string> = {}): EnvConfig => {
  const r = loadEnv({ STATUSPAGE_API_KEY: STATUSPAGE_STAND_IN_KEY, STATUSPAGE_API_URL: sp.apiUrl, KRANZ_CONFIG: 'kranz.yml', ...over });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
};
const policy = (o: Partial<StatusPagePolicy>): Policy => ({
  ...testPolicy,
  statuspage: { pageId: 'docpage00001', publish: 'ask', publishPrivate: false, components: [{ service: 'checkout', componentId: 'checkout0001', pagerDutyServices: [] }], ...o },
});
const lines = async (e: EnvConfig, p: Policy): Promise<string[]> => (await statusPageChecks(e, p, { callMs: 2_000 })).flatMap(formatCheck);

describe('doctor: status page and email', () => {
  it('passes the key, the page and every mapped component', async () => {
    expect(await lines(env(), policy({}))).toEqual([
      `✓ Status page key accepted (${sp.apiUrl})`,
      '✓ Status page docpage00001 exists (Example Status)',
      '✓ Status page component checkout0001 exists (Checkout, for checkout)',
    ]);
  });

  it('names a refused key, a missing page and a missing component', async () => {
    expect(await lines(env({ STATUSPAGE_API_KEY: 'revoked' }), policy({}))).toEqual([expect.stringMatching(/^✗ Status page key: Statuspage refused STATUSPAGE_API_KEY \(HTTP 401\)\. Fix: create a new API key/)]);
    expect((await lines(env(), policy({ pageId: 'nosuchpage01' })))[1]).toMatch(/^✗ Status page nosuchpage01: Statuspage has no such page for this key\. Fix: check statuspage\.page_id in kranz\.yml/);
    const missing = await lines(env(), policy({ components: [{ service: 'search', componentId: 'gonecomp0001', pagerDutyServices: [] }] }));
    expect(missing[2]).toBe('✗ Status page component gonecomp0001: page docpage00001 has no such component. Fix: check statuspage.components.search.component_id in kranz.yml; the page has checkout0001 (Checkout)');
  });

  it('says what is missing when only half is configured, and skips when nothing is', async () => {
    expect(await lines(env({ STATUSPAGE_API_KEY: '' }), policy({}))).toEqual([expect.stringMatching(/^✗ Status page key: statuspage\.page_id is set but STATUSPAGE_API_KEY is not/)]);
    expect(await lines(env({ STATUSPAGE_API_KEY: '' }), testPolicy)).toEqual(['✓ Status page not configured (no STATUSPAGE_API_KEY or statuspage.page_id): skipped']);
  });

  it('logs in to the mail server, and names it when it is down', async () => {
    const e = env({ SMTP_URL: smtp.url, KRANZ_MAIL_FROM: 'status@example.com' });
    expect((await emailChecks(e, { callMs: 5_000 })).flatMap(formatCheck)).toEqual([`✓ Mail server 127.0.0.1:${smtp.port} accepts Kranz (customer emails from status@example.com)`]);
    await smtp.stop();
    const down = (await emailChecks(e, { callMs: 5_000 })).flatMap(formatCheck);
    await smtp.start();
    expect(down).toEqual([expect.stringMatching(new RegExp(`^✗ Mail server 127\\.0\\.0\\.1:${smtp.port}: .*ECONNREFUSED.*Fix: check SMTP_URL`))]);
  });
});
