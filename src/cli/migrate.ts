/** `kranz migrate`: apply database migrations (start does this too). */
import type { CliCommand } from './command.ts';
import { loadConfig } from './config.ts';

export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'apply database migrations (start migrates too)',
  async run({ io }) {
    const { env } = await loadConfig();
    const { createLogger, openCheckedDatabase } = await import('../main.ts');
    const log = createLogger(env.logLevel);
    const { db, applied, installationId } = await openCheckedDatabase(env, log);
    await db.close();
    io.out(`Migrated ${db.url} (installation ${installationId}): ${applied.length ? `applied ${applied.join(', ')}` : 'already up to date'}.\n`);
    return 0;
  },
};
