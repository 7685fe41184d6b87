/** `kranz migrate`: apply database migrations (start does this too). */
import type { CliCommand } from './command.ts';
import { loadConfig } from './config.ts';

export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'apply database migrations (start migrates too)',
  async run({ io }) {
    const { env } = await loadConfig();
    const { openCheckedDatabase } = await import('../main.ts');
    const { createCommandLogger } = await import('../adapters/logging.ts');
    // Logs go to stderr, as sentences: stdout carries the result alone. Migrations are worth telling at info.
    const log = createCommandLogger(env.logLevel, false);
    const { db, applied, installationId } = await openCheckedDatabase(env, log);
    await db.close();
    io.out(`Migrated ${db.url} (installation ${installationId}): ${applied.length ? `applied ${applied.join(', ')}` : 'already up to date'}.\n`);
    return 0;
  },
};
