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
import { cachedLookup, listChannelMembers } from './member-lists.ts';

/** How long a member list is trusted. */
export const ACCESS_TTL_MS = 60_000;

export function slackAccessDirectory(client: WebClient, o: { ttlMs?: number; now?: () => number } = {}): AccessDirectory {
  const ttl = o.ttlMs ?? ACCESS_TTL_MS;
  const now = o.now ?? Date.now;
  const channelMembers = cachedLookup(ttl, now, (channel) => listChannelMembers(client, channel));
  const userGroupMembers = cachedLookup(ttl, now, async (usergroup) => {
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
