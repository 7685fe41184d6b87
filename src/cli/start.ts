/** `kranz start`: run the bot (migrates first); stops gracefully on SIGTERM/SIGINT, at once on a second. */
import type { CliCommand } from './command.ts';
import { CliError } from './command.ts';
import { loadConfig } from './config.ts';
import { requireForStart } from '../config/env.ts';

export const startCommand: CliCommand = {
  name: 'start',
  summary: 'start the bot (migrates first)',
  async run() {
    const { env, policy } = await loadConfig();
    const missing = requireForStart(env);
    if (missing.length) throw new CliError(`Kranz cannot start:\n${missing.join('\n')}`);
    const { portProblem, describeListenError } = await import('../adapters/http/port-check.ts');
    const busy = await portProblem(env.port);
    if (busy) throw new CliError(`Kranz cannot start: ${busy}`);
    const { createLogger, startKranz } = await import('../main.ts');
    const log = createLogger(env.logLevel);
    // The same checks as `kranz doctor`: refuse on a fatal one, warn about the rest.
    const { doctorChecks, formatCheck } = await import('../doctor.ts');
    const failed = (await doctorChecks(env, policy, { mode: 'start' })).filter((c) => !c.ok);
    if (failed.some((c) => c.fatal)) throw new CliError(`Kranz cannot start:\n${failed.flatMap(formatCheck).join('\n')}`);
    for (const c of failed) log.warn({ check: c.what, problem: c.problem, fix: c.fix, details: c.details }, `doctor: ${c.what}: ${c.problem}`);
    const { defaultExtensions } = await import('../extensions.ts');
    const kranz = await startKranz({ env, policy, log, extensions: defaultExtensions() }).catch(async (e: NodeJS.ErrnoException) => {
      // Taken between the probe and the listen.
      if (e.syscall === 'listen') throw new CliError(`Kranz cannot start: ${await describeListenError(env.port, e)}`);
      throw e;
    });
    let stopping = false;
    const onSignal = (sig: string): void => {
      if (stopping) {
        // A second signal means "now".
        process.stderr.write(`${sig} again: exiting at once.\n`);
        process.exit(1);
      }
      stopping = true;
      kranz.log.info({ sig }, 'shutting down');
      kranz.stop().then(() => process.exit(0), () => process.exit(1));
    };
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    return -1;
  },
};
