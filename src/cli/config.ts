/** Loading the environment and policy for a command: every problem at once, each naming its key. */
import { loadEnv, type EnvConfig } from '../config/env.ts';
import { formatConfigIssues } from '../config/issues.ts';
import { loadPolicy } from '../config/load-policy.ts';
import type { Policy } from '../domain/policy.ts';
import { CliError } from './command.ts';
import { checkDataDir } from '../adapters/data-dir.ts';

/**
 * The validated environment and policy. KRANZ_DATA_DIR is checked on disk too
 * (before anything creates it): a file, a missing parent, no write access or a
 * kernel filesystem is named here instead of failing deep inside start-up.
 */
export async function loadConfig(): Promise<{ env: EnvConfig; policy: Policy }> {
  const env = loadEnv();
  const problems: string[] = [];
  if (!env.ok) problems.push(...env.errors);
  const dataDirProblem = env.ok ? await checkDataDir(env.value.dataDir) : undefined;
  if (dataDirProblem) problems.push(dataDirProblem);
  const configPath = env.ok ? env.value.configPath : process.env['KRANZ_CONFIG'];
  const policy = await loadPolicy(configPath);
  if (!policy.ok) problems.push(formatConfigIssues(policy.errors, configPath ?? 'config'));
  if (!env.ok || !policy.ok || dataDirProblem) throw new CliError(problems.join('\n'));
  return { env: env.value, policy: policy.policy };
}
