/**
 * PagerDuty pieces the service benches share: the stand-in Kranz calls back
 * (on-call invites after an auto-open) and the env that points Kranz at it.
 */
import { startPagerDutyStandIn, STAND_IN_TOKEN, type PagerDutyStandIn } from '../../src/sandbox/pagerduty/stand-in.ts';
import { PD_WEBHOOK_SECRET } from './requests.ts';
import type { BenchContext } from './setup.ts';
import type { KranzEnv } from './procs.ts';

export async function pagerDutyStandIn(ctx: BenchContext): Promise<PagerDutyStandIn> {
  const pd = await startPagerDutyStandIn();
  ctx.defer(() => pd.close());
  return pd;
}

/** `KranzEnv.pagerduty` for a stand-in: its URL, its account token, a seeded user as From. */
export function pagerDutyEnv(pd: PagerDutyStandIn): NonNullable<KranzEnv['pagerduty']> {
  return { apiUrl: pd.url, token: STAND_IN_TOKEN, fromEmail: 'kranz-bot@example.com', webhookSecret: PD_WEBHOOK_SECRET };
}
