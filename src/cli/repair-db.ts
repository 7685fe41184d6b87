/** Opens the checked database for the repair commands (`kranz outbox`, `kranz inbound`) and closes it after. */
import type { Queryable } from '../adapters/db/pool.ts';
import { loadConfig } from './config.ts';
import { UsageError } from './command.ts';

export async function withDatabase<T>(fn: (db: Queryable, where: string) => Promise<T>): Promise<T> {
  const { env } = await loadConfig();
  const { openCheckedDatabase } = await import('../main.ts');
  const { createCommandLogger } = await import('../adapters/logging.ts');
  // On stderr, as sentences: stdout carries the listing alone.
  const log = createCommandLogger(env.logLevel);
  const { db } = await openCheckedDatabase(env, log);
  try {
    return await fn(db.pool, db.url);
  } finally {
    await db.close();
  }
}

/** `42` → 42; a usage mistake for anything else. */
export function rowId(ref: string | undefined): number | undefined {
  const n = Number(ref);
  return ref !== undefined && /^\d+$/.test(ref) && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** The row id a repair command was given, or a usage error naming the command and where ids are listed. */
export function requireRowId(command: string, ref: string | undefined, what: string, listCommand: string): number {
  const id = rowId(ref);
  if (id === undefined) throw new UsageError(`${command}: "${ref ?? ''}" is not ${what} (see "${listCommand}")`);
  return id;
}

export const oneLine = (s: string | null, max = 160): string => {
  const flat = (s ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
