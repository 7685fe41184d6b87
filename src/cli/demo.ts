/** `kranz demo`: the offline story from page to report (embedded PostgreSQL, local Slack, PagerDuty, Statuspage and SMTP). */
import type { CliCommand } from './command.ts';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError, UsageError } from './command.ts';
import type { RunDemoOptions } from '../sandbox/demo/run-demo.ts';

/**
 * What the demo runs: Kranz's start and the extensions a real `kranz start`
 * uses. Handed in from here because the sandbox never imports the
 * composition root.
 */
export async function demoRuntime(): Promise<Pick<RunDemoOptions, 'start' | 'extensions'>> {
  const { startKranz } = await import('../main.ts');
  const { pagerDutyExtension, remindersExtension, webExtension } = await import('../extensions.ts');
  // The status page and customer email, as `kranz start` wires them when STATUSPAGE_API_KEY and SMTP_URL are set.
  const { customersExtension } = await import('../customers-extension.ts');
  const { DEMO_STATUSPAGE_INTERVAL_MS } = await import('../sandbox/demo/run-demo.ts');
  return { start: startKranz, extensions: [pagerDutyExtension, remindersExtension, webExtension(), customersExtension({ statusPageIntervalMs: DEMO_STATUSPAGE_INTERVAL_MS })] };
}

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'run the offline demo (embedded PostgreSQL, local Slack, PagerDuty, status page and email)',
  details: 'The demo\'s data directory is wiped at the start of every run (only one the demo made).',
  flags: {
    'data-dir': { type: 'string', value: 'DIR', description: 'where the demo keeps its database (default ./.kranz/demo)' },
    report: { type: 'string', value: 'FILE', description: 'where the drafted report is written (default ./kranz-report-INC-<n>.md)' },
    speed: { type: 'string', value: 'N', description: 'simulated minutes per real second in pauses (default 10; 0 = no pauses)' },
    exit: { type: 'boolean', description: 'stop after the story instead of keeping the web view open (the default without a terminal)' },
  },
  async run({ flags, io }) {
    const speed = flags['speed'] === undefined ? undefined : Number(flags['speed']);
    if (speed !== undefined && !(Number.isFinite(speed) && speed >= 0)) throw new UsageError(`kranz demo: --speed must be a number of 0 or more, not "${String(flags['speed'])}"`);
    const { runDemo, DEFAULT_DEMO_DATA_DIR } = await import('../sandbox/demo/run-demo.ts');
    const { checkDataDir } = await import('../adapters/data-dir.ts');
    const dataDir = resolve(typeof flags['data-dir'] === 'string' ? flags['data-dir'] : DEFAULT_DEMO_DATA_DIR);
    // The demo makes missing parents (./.kranz on a fresh checkout): check the first level it would create.
    let probe = dataDir;
    while (!existsSync(dirname(probe)) && dirname(probe) !== probe) probe = dirname(probe);
    const problem = await checkDataDir(probe, { name: '--data-dir' });
    if (problem) throw new CliError(`kranz demo: ${problem}`);
    const r = await runDemo({
      out: (l) => io.out(`${l}\n`),
      ...(await demoRuntime()),
      dataDir,
      ...(typeof flags['report'] === 'string' ? { reportPath: flags['report'] } : {}),
      ...(speed !== undefined ? { speed: speed === 0 ? Infinity : speed } : {}),
      // In a terminal the web view stays open until Ctrl-C; --exit (and any run without a terminal: scripts, CI) stops after the story.
      ...(flags['exit'] === true || !process.stdin.isTTY ? {} : { keepOpen: () => new Promise<void>((resolve) => process.once('SIGINT', () => resolve())) }),
    });
    return r.ok ? 0 : 1;
  },
};
