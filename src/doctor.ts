/**
 * `kranz doctor`: checks the configuration against the live world (Slack,
 * PagerDuty, the database) and says, per check, what is wrong and how to fix
 * it. `kranz start` runs the same checks first and refuses to start on a
 * fatal one. The check families live in `src/doctor/`.
 */
import type { EnvConfig } from './config/env.ts';
import type { Policy } from './domain/policy.ts';
import type { DbLogger } from './adapters/db/logger.ts';
import { DEFAULT_TIMEOUTS, fail, formatCheck, pass, type CheckResult, type DoctorTimeouts } from './doctor/check.ts';
import { slackChecks } from './doctor/slack.ts';
import { pagerDutyChecks } from './doctor/pagerduty.ts';
import { databaseChecks } from './doctor/database.ts';
import { webChecks } from './doctor/web.ts';
import { emailChecks, statusPageChecks } from './doctor/statuspage.ts';

export type { CheckResult, DoctorTimeouts } from './doctor/check.ts';
export { formatCheck } from './doctor/check.ts';

/** Options for {@link doctorChecks} and {@link runDoctor}. */
export interface DoctorOptions {
  /** `start` accepts pending migrations (start applies them). Default `doctor`. */
  mode?: 'doctor' | 'start';
  timeouts?: Partial<DoctorTimeouts>;
  /** Where the database adapter logs (embedded server start/stop). Default: nowhere. */
  log?: DbLogger;
  /** Bot scopes the Slack token must hold. Default: manifest.yml's. */
  requiredSlackScopes?: readonly string[];
}

const silent: DbLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Runs every check and returns the results in print order: configuration,
 * Slack, PagerDuty, status page, email, database. The families run side by side (each has its
 * own deadlines), so a slow one does not hold the others up.
 */
export async function doctorChecks(env: EnvConfig, policy: Policy, opts: DoctorOptions = {}): Promise<CheckResult[]> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  const [slack, pagerDuty, database, statusPage, email, web] = await Promise.all([
    slackChecks(env, policy, { callMs: timeouts.callMs, ...(opts.requiredSlackScopes ? { requiredScopes: opts.requiredSlackScopes } : {}) }),
    pagerDutyChecks(env, policy, { callMs: timeouts.callMs }),
    databaseChecks(env, { mode: opts.mode ?? 'doctor', timeouts, log: opts.log ?? silent }),
    statusPageChecks(env, policy, { callMs: timeouts.callMs }),
    emailChecks(env, { callMs: timeouts.callMs }),
    webChecks(env, { callMs: timeouts.callMs }),
  ]);
  return [...configurationChecks(env), ...slack, ...pagerDuty, ...statusPage, ...email, ...database, ...web];
}

/**
 * The environment and policy were validated by `loadConfig` before doctor
 * runs; what is left is what start needs beyond a valid shape.
 */
function configurationChecks(env: EnvConfig): CheckResult[] {
  const results = [pass(`configuration valid (environment and ${env.configPath ?? 'the built-in default policy'})`)];
  if (!env.slack.socketMode && !env.slack.signingSecret) {
    results.push(
      fail(
        'Slack signing secret',
        'SLACK_SIGNING_SECRET is not set, so requests from Slack cannot be verified',
        'copy the Signing Secret from your Slack app\'s "Basic Information" page into SLACK_SIGNING_SECRET, or set SLACK_APP_TOKEN (xapp-…) to use Socket Mode',
        { fatal: true },
      ),
    );
  }
  return results;
}

/**
 * `kranz doctor`: prints `✓ what` or `✗ what: problem. Fix: how` per check,
 * then a summary line. Resolves true when every check passed.
 */
export async function runDoctor(env: EnvConfig, policy: Policy, print: (line: string) => void, opts: DoctorOptions = {}): Promise<boolean> {
  const results = await doctorChecks(env, policy, opts);
  for (const r of results) for (const line of formatCheck(r)) print(line);
  const failed = results.filter((r) => !r.ok).length;
  print(failed === 0 ? `All ${results.length} checks passed.` : `${failed} of ${results.length} checks failed.`);
  return failed === 0;
}
