/** `kranz report INC-7` (or `7`): print the drafted report of an incident. */
import type { CliCommand } from './command.ts';
import { CliError, UsageError } from './command.ts';
import { loadConfig } from './config.ts';

/** `INC-7`, `inc-7` or `7` → 7; undefined for anything else. */
export function parseIncidentRef(ref: string): number | undefined {
  const m = /^(?:INC-?)?(\d+)$/i.exec(ref.trim());
  const n = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'print the drafted report of an incident',
  args: '<INC-n | n>',
  positionals: { min: 1, max: 1 },
  details: 'The report is drafted from the incident\'s timeline with the current policy (KRANZ_CONFIG).',
  // Flags go here, one entry each; `run` reads them from `flags`.
  flags: {},
  async run({ positionals, io }) {
    const ref = positionals[0] ?? '';
    const number = parseIncidentRef(ref);
    if (number === undefined) throw new UsageError(`kranz report: "${ref}" is not an incident number; use INC-7 or 7`);
    const { env, policy } = await loadConfig();
    const { openCheckedDatabase } = await import('../main.ts');
    const { createLogger } = await import('../adapters/logging.ts');
    // Logs go to stderr: stdout carries the report alone.
    const log = createLogger({ level: env.logLevel === 'info' ? 'warn' : env.logLevel, to: 'stderr' });
    const { db } = await openCheckedDatabase(env, log);
    try {
      const { PostgresStore } = await import('../adapters/db/store.ts');
      const { draftReport } = await import('../domain/report/index.ts');
      const store = new PostgresStore(db.pool);
      const events = await store.transaction(async (u) => {
        const id = await u.findIncidentIdByNumber(number);
        return id ? u.loadEvents(id) : undefined;
      });
      if (!events) throw new CliError(`There is no INC-${number} in ${db.url} (KRANZ_DATA_DIR=${env.dataDir}${env.databaseUrl ? '' : ', embedded database'}). "kranz list --all" shows the incidents there.`);
      io.out(draftReport(events, policy));
      return 0;
    } finally {
      await db.close();
    }
  },
};
