/**
 * Who is in an incident channel (`conversations.members`) and in a user group
 * (`usergroups.users.list`), for permissions and for who sees private
 * incidents. Answers are cached for a minute: a burst of clicks, or a page
 * listing many incidents, costs Slack one call per channel or group, well
 * inside their rate tiers (Tier 4 and Tier 2). Someone removed from a channel
 * or group loses what it granted within that minute. A failed lookup is not
 * cached and is thrown: callers fail closed.
 */
import type { WebClient } from '@slack/web-api';
import type { AccessDirectory } from '../../app/ports.ts';
import { slackErrorCode } from './errors.ts';

/** How long a member list is trusted. */
export const ACCESS_TTL_MS = 60_000;
const MAX_ENTRIES = 5_000;

/** A small TTL cache of in-flight or settled lookups; a rejected lookup leaves no entry. */
function cached(ttlMs: number, now: () => number, fetch: (key: string) => Promise<ReadonlySet<string>>): (key: string) => Promise<ReadonlySet<string>> {
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

export function slackAccessDirectory(client: WebClient, o: { ttlMs?: number; now?: () => number } = {}): AccessDirectory {
  const ttl = o.ttlMs ?? ACCESS_TTL_MS;
  const now = o.now ?? Date.now;
  const channelMembers = cached(ttl, now, async (channel) => {
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
  });
  const userGroupMembers = cached(ttl, now, async (usergroup) => {
    try {
      const r = await client.usergroups.users.list({ usergroup });
      return new Set(r.users ?? []);
    } catch (e) {
      // A group deleted since the policy named it grants nothing; anything else (rate limit, outage, missing scope) is unknown.
      if (slackErrorCode(e) === 'no_such_subteam') return new Set<string>();
      throw e;
    }
  });
  return { channelMembers, userGroupMembers };
}
