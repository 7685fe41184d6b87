/**
 * The helpers around the permission ports (`AccessDirectory`: who is in a
 * channel or a user group now; `PermissionAudit`: where refusals are
 * reported; both in ports.ts): gathering an actor's access for the decision,
 * telling whether someone is a policy admin, and reporting a refusal.
 */
import type { ActorAccess, PermissionAction, PermissionSubject } from '../domain/permissions.ts';
import { isUserGroupId, isUserId } from '../domain/permissions.ts';
import { permissionsPolicy, type Policy } from '../domain/policy.ts';
import type { CommandMeta } from './command-meta.ts';
import type { AccessDirectory, AppDeps } from './ports.ts';

export type { AccessDirectory, PermissionAudit, PermissionDenial } from './ports.ts';

/** Asks Slack what the rule needs to know about `userId`; failures become `unknown`. */
export async function gatherAccess(deps: Pick<AppDeps, 'access'>, need: { channel: boolean; groups: readonly string[] }, userId: string, incident: PermissionSubject | undefined): Promise<ActorAccess> {
  const dir = deps.access;
  const access: { channelMember?: boolean | 'unknown'; groups?: Record<string, boolean | 'unknown'> } = {};
  const asks: Promise<void>[] = [];
  // No channel yet (its creation is still in the outbox): the members Kranz recorded decide.
  if (need.channel && incident?.channelId && dir) {
    asks.push(dir.channelMembers(incident.channelId).then((m) => void (access.channelMember = m.has(userId)), () => void (access.channelMember = 'unknown')));
  }
  if (need.groups.length) {
    const groups: Record<string, boolean | 'unknown'> = {};
    access.groups = groups;
    for (const g of need.groups) {
      if (!dir) groups[g] = 'unknown';
      else asks.push(dir.userGroupMembers(g).then((m) => void (groups[g] = m.has(userId)), () => void (groups[g] = 'unknown')));
    }
  }
  await Promise.all(asks);
  return access;
}

/** Reports a refusal to the operator, once, wherever it was decided. */
export function auditDenial(deps: Pick<AppDeps, 'audit'>, meta: CommandMeta, error: { code: string; params?: unknown }, incident?: { id?: string; number?: number }): void {
  if (meta.actor.kind !== 'user' || (error.code !== 'permission.denied' && error.code !== 'permission.unverified')) return;
  const p = error.params as { action: PermissionAction; number?: number };
  deps.audit?.denied({
    action: p.action,
    userId: meta.actor.userId,
    reason: error.code === 'permission.denied' ? 'denied' : 'unverified',
    ...(incident?.id ? { incidentId: incident.id } : {}),
    ...(p.number !== undefined ? { number: p.number } : incident?.number !== undefined ? { number: incident.number } : {}),
  });
}

/**
 * Whether `userId` is one of the policy's admins: listed by id, or in a
 * listed user group. A group Slack cannot list right now does not count
 * (fail closed: she sees what her channels show her).
 */
export async function isPolicyAdmin(deps: { policy: Policy; access?: Pick<AccessDirectory, 'userGroupMembers'> | undefined }, userId: string): Promise<boolean> {
  const admins = permissionsPolicy(deps.policy).admins;
  if (admins.some((a) => isUserId(a) && a === userId)) return true;
  const groups = admins.filter(isUserGroupId);
  if (!groups.length || !deps.access) return false;
  const found = await Promise.all(groups.map((g) => deps.access!.userGroupMembers(g).then((m) => m.has(userId), () => false)));
  return found.includes(true);
}
