/** `kranz doctor`: check the configuration against Slack, PagerDuty and the database. */
import type { CliCommand } from './command.ts';
import { loadConfig } from './config.ts';

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'check configuration against Slack, PagerDuty and the database',
  async run({ io }) {
    const { env, policy } = await loadConfig();
    const { runDoctor } = await import('../doctor.ts');
    return (await runDoctor(env, policy, (line) => io.out(`${line}\n`))) ? 0 : 1;
  },
};
