/** `kranz migrate`: apply database migrations (start does this too). */
import type { CliCommand } from './command.ts';
import { loadConfig } from './config.ts';

export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'apply database migrations (start migrates too)',
  async run({ io }) {
    const { env } = await loadConfig();
    const { openCheckedDatabase } = await import('../main.ts');
    const { createLogger } = await import('../adapters/logging.ts');
    // Logs go to stderr: stdout carries the result alone.
    const log = createLogger({ level: env.logLevel, to: 'stderr' });
    const { db, applied, installationId } = await openCheckedDatabase(env, log);
    await db.close();
    io.out(`Migrated ${db.url} (installation ${installationId}): ${applied.length ? `applied ${applied.join(', ')}` : 'already up to date'}.\n`);
    return 0;
  },
};
