/** Loading the environment and policy for a command: every problem at once, each naming its key. */
import { loadEnv, type EnvConfig } from '../config/env.ts';
import { formatConfigIssues } from '../config/issues.ts';
import { loadPolicy } from '../config/load-policy.ts';
import type { Policy } from '../domain/policy.ts';
import { CliError } from './command.ts';

export async function loadConfig(): Promise<{ env: EnvConfig; policy: Policy }> {
  const env = loadEnv();
  const problems: string[] = [];
  if (!env.ok) problems.push(...env.errors);
  const configPath = env.ok ? env.value.configPath : process.env['KRANZ_CONFIG'];
  const policy = await loadPolicy(configPath);
  if (!policy.ok) problems.push(formatConfigIssues(policy.errors, configPath ?? 'config'));
  if (!env.ok || !policy.ok) throw new CliError(`Kranz cannot start: the configuration has problems.\n${problems.join('\n')}`);
  return { env: env.value, policy: policy.policy };
}
