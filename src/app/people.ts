/**
 * Puts display names on a command before it applies: the actor's, and those
 * of the people the command names (commander, role holder, member, author).
 * The transition records them on the events, so reports never need to ask
 * Slack again and old reports stay as they were written.
 */
import type { Command } from '../domain/commands.ts';
import type { CommandMeta } from './command-meta.ts';
import type { AppDeps } from './ports.ts';

function namedIn(command: Command | { commanderId?: string }): string[] {
  const c = command as { commanderId?: string; userId?: string; authorId?: string; recipient?: string };
  return [c.commanderId, c.userId, c.authorId, c.recipient].filter((x): x is string => typeof x === 'string' && /^[UW][A-Z0-9]+$/.test(x));
}

/** `meta` with the actor's display name and `names` for everyone the command mentions; unchanged without a directory. */
export async function withNames(deps: AppDeps, command: Command | { commanderId?: string }, meta: CommandMeta): Promise<CommandMeta> {
  const dir = deps.people;
  if (!dir) return meta;
  const ids = new Set(namedIn(command));
  if (meta.actor.kind === 'user') ids.add(meta.actor.userId);
  if (ids.size === 0) return meta;
  const names: Record<string, string> = { ...meta.names };
  await Promise.all([...ids].map(async (id) => {
    if (names[id]) return;
    const n = await dir.displayName(id);
    if (n) names[id] = n;
  }));
  const actor = meta.actor.kind === 'user' && names[meta.actor.userId] ? { ...meta.actor, name: names[meta.actor.userId] as string } : meta.actor;
  return { ...meta, actor, names };
}
