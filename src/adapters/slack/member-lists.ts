/**
 * Who is in a Slack channel, and a cache for such lookups: shared by the web
 * view (who may see a private incident) and permissions (who may act on one).
 */
import type { WebClient } from '@slack/web-api';
import { slackErrorCode } from './errors.ts';

const MAX_ENTRIES = 5_000;

/** Every member of `channel` (`conversations.members`, all pages); none when the channel is gone or private without the bot. */
export async function listChannelMembers(client: WebClient, channel: string): Promise<ReadonlySet<string>> {
  const members = new Set<string>();
  let cursor: string | undefined;
  try {
    do {
      const r = await client.conversations.members({ channel, limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const m of r.members ?? []) members.add(m);
      cursor = r.response_metadata?.next_cursor || undefined;
    } while (cursor);
  } catch (e) {
    // A channel that is gone (or private without the bot) has no members anyone can be counted among.
    if (slackErrorCode(e) === 'channel_not_found') return members;
    throw e;
  }
  return members;
}

/** A small TTL cache of in-flight or settled lookups; a rejected lookup leaves no entry, so the next call asks again. */
export function cachedLookup(ttlMs: number, now: () => number, fetch: (key: string) => Promise<ReadonlySet<string>>): (key: string) => Promise<ReadonlySet<string>> {
  const cache = new Map<string, { at: number; members: Promise<ReadonlySet<string>> }>();
  return (key) => {
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttlMs) return hit.members;
    const members = fetch(key);
    cache.set(key, { at: now(), members });
    members.catch(() => {
      if (cache.get(key)?.members === members) cache.delete(key);
    });
    if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    return members;
  };
}
