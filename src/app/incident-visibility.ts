/**
 * Who may see what outside Slack. A private incident (its title, timeline,
 * reports and its share of analytics) is visible only to members of its
 * Slack channel and to policy admins; everyone else gets no trace of it.
 * Public incidents are visible to everyone in the bot's workspace.
 */
import type { IncidentState } from '../domain/incident.ts';
import type { Policy } from '../domain/policy.ts';
import type { IncidentReads, SlackDirectory, VisibleScope } from './web-ports.ts';

/** A signed-in reader of the bot's workspace. */
export interface Viewer {
  userId: string;
  teamId: string;
  name: string;
}

/**
 * Slack user ids who see every incident. The permissions work (a
 * `permissions.admins` policy key, user groups expanded) is not on this
 * branch yet: until it is, nobody is an admin unless the policy object
 * carries `permissions.admins`. Point this at that key when it lands.
 */
export function policyAdmins(policy: Policy): readonly string[] {
  const admins = (policy as Policy & { permissions?: { admins?: unknown } }).permissions?.admins;
  return Array.isArray(admins) ? admins.filter((a): a is string => typeof a === 'string') : [];
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
export async function viewerScope(viewer: Viewer, deps: { reads: IncidentReads; slack: SlackDirectory; policy: Policy }): Promise<ViewerScope> {
  if (policyAdmins(deps.policy).includes(viewer.userId)) return { scope: { all: true, privateChannels: [] }, unchecked: 0 };
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

/** Whether one incident is visible to the viewer (same rule as the scope, for a single incident). */
export async function canSee(viewer: Viewer, incident: IncidentState, deps: { slack: SlackDirectory; policy: Policy }): Promise<boolean> {
  if (!incident.private) return true;
  if (policyAdmins(deps.policy).includes(viewer.userId)) return true;
  if (!incident.channelId) return false;
  return (await deps.slack.channelMembers(incident.channelId)).has(viewer.userId);
}
