/**
 * Who may see what outside Slack. A private incident (its title, timeline,
 * reports and its share of analytics) is visible only to members of its
 * Slack channel and to policy admins; everyone else gets no trace of it.
 * Public incidents are visible to everyone in the bot's workspace.
 */
import type { IncidentState } from '../domain/incident.ts';
import type { Policy } from '../domain/policy.ts';
import { isPolicyAdmin, type AccessDirectory } from './access.ts';
import type { IncidentReads, SlackDirectory, VisibleScope } from './web-ports.ts';

/** A signed-in reader of the bot's workspace. */
export interface Viewer {
  userId: string;
  teamId: string;
  name: string;
}

/** What deciding visibility reads: channel members, and user groups for `permissions.admins` (absent → listed user ids only). */
export interface VisibilityDeps {
  slack: SlackDirectory;
  policy: Policy;
  access?: Pick<AccessDirectory, 'userGroupMembers'> | undefined;
}

/**
 * Whether the viewer sees every incident: one of `permissions.admins`, by id
 * or through a user group. A group Slack cannot list right now does not count.
 */
export function policyAdmin(viewer: Viewer, deps: VisibilityDeps): Promise<boolean> {
  return isPolicyAdmin(deps, viewer.userId);
}

/** The scope a viewer reads with, and whether every membership could be checked. */
export interface ViewerScope {
  scope: VisibleScope;
  /** Private channels whose members Slack could not list just now: their incidents are hidden. */
  unchecked: number;
}

/** Most membership checks at once: a first page view with many private incidents must not burst Slack. */
const CONCURRENCY = 4;

/** Works out which private incidents the viewer may see. Fails closed: a channel Slack cannot answer for stays hidden. */
export async function viewerScope(viewer: Viewer, deps: VisibilityDeps & { reads: IncidentReads }): Promise<ViewerScope> {
  if (await policyAdmin(viewer, deps)) return { scope: { all: true, privateChannels: [] }, unchecked: 0 };
  const channels = await deps.reads.privateChannels();
  const allowed: string[] = [];
  let unchecked = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < channels.length) {
      const channel = channels[next++] as string;
      try {
        if ((await deps.slack.channelMembers(channel)).has(viewer.userId)) allowed.push(channel);
      } catch {
        unchecked++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, channels.length) }, worker));
  return { scope: { all: false, privateChannels: allowed }, unchecked };
}

/**
 * Whether one incident is visible to the viewer (same rule as the scope, for
 * a single incident): `unchecked` when it is private and Slack cannot say
 * right now who is in its channel. Callers show `unchecked` as they show
 * `hidden` (or wait and ask again), never as an error of its own: a
 * different answer would tell anyone that a private incident has that number.
 */
export type Visibility = 'visible' | 'hidden' | 'unchecked';

export async function visibilityOf(viewer: Viewer, incident: IncidentState, deps: VisibilityDeps): Promise<Visibility> {
  if (!incident.private) return 'visible';
  if (await policyAdmin(viewer, deps)) return 'visible';
  if (!incident.channelId) return 'hidden';
  try {
    return (await deps.slack.channelMembers(incident.channelId)).has(viewer.userId) ? 'visible' : 'hidden';
  } catch {
    return 'unchecked';
  }
}
