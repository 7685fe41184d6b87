/**
 * Display names for Slack users, as Slack shows them (display name, else real
 * name), from `users.info`, cached. Reports and relayed messages show people
 * by name; the name is recorded on the event when it happens, so a report
 * drafted later says what the channel said then. A lookup that fails gives
 * no name rather than delaying the command: the id is still recorded.
 */
import type { WebClient } from '@slack/web-api';
import type { PeopleDirectory } from '../../app/ports.ts';

const TTL_MS = 6 * 3_600_000;
const MAX_ENTRIES = 5_000;

export function slackPeopleDirectory(client: WebClient, now: () => number = Date.now): PeopleDirectory {
  const cache = new Map<string, { name: string | undefined; at: number }>();
  const inflight = new Map<string, Promise<string | undefined>>();
  const lookup = async (userId: string): Promise<string | undefined> => {
    try {
      const r = await client.users.info({ user: userId });
      const u = r.user as { name?: string; real_name?: string; profile?: { display_name?: string; real_name?: string } } | undefined;
      const name = u?.profile?.display_name?.trim() || u?.profile?.real_name?.trim() || u?.real_name?.trim() || u?.name?.trim();
      return name || undefined;
    } catch {
      return undefined;
    }
  };
  return {
    async displayName(userId: string): Promise<string | undefined> {
      if (!/^[UW][A-Z0-9]+$/.test(userId)) return undefined;
      const hit = cache.get(userId);
      if (hit && now() - hit.at < TTL_MS) return hit.name;
      let p = inflight.get(userId);
      if (!p) {
        p = lookup(userId).then((name) => {
          if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
          // A failed lookup is remembered briefly only, so a Slack hiccup does not hide a name for hours.
          cache.set(userId, { name, at: name ? now() : now() - TTL_MS + 60_000 });
          inflight.delete(userId);
          return name;
        });
        inflight.set(userId, p);
      }
      return p;
    },
  };
}
