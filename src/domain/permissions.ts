/**
 * Who may do what to an incident: the policy's `permissions` section and the
 * one decision every surface goes through (`transition` calls `checkPermission`
 * for every command a person gives; what a person does that is no command, a
 * snooze, calls `checkAction`, which `checkPermission` is built on). Pure: what needs Slack (is the person in
 * the incident channel now, is she in a user group) comes in as `ActorAccess`,
 * gathered by the app layer before the transaction; what the incident knows
 * (its commander and role holders) is read from the locked state.
 */
import type { Command } from './commands.ts';
import type { PermissionRefusal } from './errors.ts';
import type { SlackUserId } from './ids.ts';
import type { IncidentState } from './incident.ts';
import { isUserGroupId, isUserId, type ActorAccess, type PermissionAction, type PermissionsPolicy, type RuleEntry, type WhoMay } from './permissions-policy.ts';

export * from './permissions-policy.ts';

/**
 * The action a command asks for; undefined for facts Kranz records on its own
 * (the channel it made, a member who joined, PagerDuty events, reminders,
 * reports it drafted, a flagged message's edit): those are not a person's choice.
 */
export function actionOf(c: Command): PermissionAction | undefined {
  switch (c.type) {
    case 'declare':
    case 'resolve':
    case 'close':
    case 'reopen':
    case 'change_severity':
    case 'page':
    case 'link_pagerduty':
    case 'send_customer_report':
      return c.type;
    // Undoing a link is the same decision as making one: who may route PagerDuty's events here may stop them.
    case 'unlink_pagerduty':
      return 'link_pagerduty';
    case 'assign_role':
      return c.role === 'commander' ? 'assign_commander' : 'assign_role';
    case 'add_note':
      return c.via === 'command' ? 'add_note' : 'add_timeline_entry';
    case 'record_root_cause':
    case 'add_action_item':
      return 'add_note';
    case 'post_status_update':
    case 'set_status':
      return 'post_status_update';
    case 'check_item':
    case 'record_customer_contact':
      return 'update_checklist';
    case 'attach_customer':
    case 'detach_customer':
    case 'edit_customer_report':
      return 'edit_customers';
    case 'acknowledge':
    case 'mark_mitigated':
    case 'correct_time':
      return 'record_times';
    case 'record_channel':
    case 'member_joined':
    case 'edit_message':
    case 'delete_message':
    case 'record_pagerduty_event':
    case 'record_reminder':
    case 'record_report':
    case 'record_publication':
    case 'record_publication_failure':
    case 'record_customer_report':
      return undefined;
  }
}

/** The incident as far as the decision needs it. */
export type PermissionSubject = Pick<IncidentState, 'number' | 'roles' | 'members' | 'channelId'>;

export type PermissionDecision =
  | { allowed: true; via: RuleEntry }
  | { allowed: false; unverified?: 'channel' | 'user_group' };

/** An incident that nobody commands may be claimed by anyone who may assign roles (else a paged incident would have nobody to steer it). */
function claimsUnowned(action: PermissionAction, incident: PermissionSubject | undefined): boolean {
  return action === 'assign_commander' && incident !== undefined && incident.roles.commander === undefined;
}

/** The rule in effect for an action on this incident. */
export function ruleFor(p: PermissionsPolicy, action: PermissionAction, incident: PermissionSubject | undefined): readonly RuleEntry[] {
  return claimsUnowned(action, incident) ? [...new Set([...p.allow[action], ...p.allow.assign_role])] : p.allow[action];
}

/** People and groups the rule names directly or through `admins`. */
function subjectsOf(p: PermissionsPolicy, rule: readonly RuleEntry[]): string[] {
  const out: string[] = [];
  for (const e of rule) {
    if (e === 'admins') out.push(...p.admins);
    else if (isUserId(e) || isUserGroupId(e)) out.push(e);
  }
  return [...new Set(out)];
}

/**
 * What the app layer must ask Slack before this rule can be decided for this
 * person: the user groups it names and whether channel membership counts.
 * Nothing when the rule is already met (everyone, her role, her id).
 */
export function accessNeeded(p: PermissionsPolicy, action: PermissionAction, userId: string, incident: PermissionSubject | undefined): { channel: boolean; groups: string[] } {
  if (decide(p, action, userId, incident, {}, true).allowed) return { channel: false, groups: [] };
  const rule = ruleFor(p, action, incident);
  return {
    channel: rule.includes('channel_members') && incident !== undefined,
    groups: subjectsOf(p, rule).filter(isUserGroupId),
  };
}

/**
 * The decision. `withoutSlack`: decide only from what needs no lookup
 * (used to skip Slack calls when the answer is already yes).
 */
export function decide(p: PermissionsPolicy, action: PermissionAction, userId: string, incident: PermissionSubject | undefined, access: ActorAccess, withoutSlack = false): PermissionDecision {
  const rule = ruleFor(p, action, incident);
  let unverified: 'channel' | 'user_group' | undefined;
  const inGroup = (g: string): boolean => {
    const v = access.groups?.[g];
    if (v === 'unknown') unverified ??= 'user_group';
    return v === true;
  };
  const named = (ids: readonly string[]): boolean => ids.some((id) => id === userId || (isUserGroupId(id) && !withoutSlack && inGroup(id)));
  for (const e of rule) {
    switch (e) {
      case 'everyone':
        return { allowed: true, via: e };
      case 'commander':
        if (incident?.roles.commander === userId) return { allowed: true, via: e };
        break;
      case 'role_holders':
        if (incident && Object.values(incident.roles).includes(userId as SlackUserId)) return { allowed: true, via: e };
        break;
      case 'admins':
        if (named(p.admins)) return { allowed: true, via: e };
        break;
      case 'channel_members': {
        if (!incident || withoutSlack) break;
        const m = access.channelMember;
        // Slack not asked, or not answering (an outage): the members Kranz recorded from Slack's own events count,
        // so a Slack outage delays nobody who was already in the channel.
        if (m === true || ((m === undefined || m === 'unknown') && incident.members.includes(userId as SlackUserId))) return { allowed: true, via: e };
        if (m === 'unknown') unverified ??= 'channel';
        break;
      }
      default:
        if (named([e])) return { allowed: true, via: e };
    }
  }
  return unverified ? { allowed: false, unverified } : { allowed: false };
}

export function whoMay(p: PermissionsPolicy, action: PermissionAction, incident: PermissionSubject | undefined): WhoMay {
  const rule = ruleFor(p, action, incident);
  const roleHolders = incident ? [...new Set(Object.values(incident.roles))].filter((x): x is SlackUserId => x !== undefined) : [];
  return {
    rule,
    ...(incident?.roles.commander ? { commanderId: incident.roles.commander } : {}),
    roleHolders,
    ...(incident?.channelId ? { channelId: incident.channelId } : {}),
    admins: [...p.admins],
  };
}

/**
 * The check for one action by one actor: undefined when she may (or the actor
 * is not a person: PagerDuty and Kranz record what happened), else the refusal
 * naming who may. Actions that are not commands (snoozing a reminder) are
 * checked here directly; commands through `checkPermission`.
 */
export function checkAction(p: PermissionsPolicy, action: PermissionAction, actor: { kind: string; userId?: string }, incident: PermissionSubject | undefined, access: ActorAccess | undefined): PermissionRefusal | undefined {
  if (actor.kind !== 'user' || !actor.userId) return undefined;
  const d = decide(p, action, actor.userId, incident, access ?? {});
  if (d.allowed) return undefined;
  const number = incident?.number === undefined ? {} : { number: incident.number };
  if (d.unverified) return { code: 'permission.unverified', params: { action, check: d.unverified, ...number } };
  return { code: 'permission.denied', params: { action, ...number, who: whoMay(p, action, incident) } };
}

/**
 * The check `transition` runs: undefined when the command may go ahead (or is
 * no person's choice), else the refusal naming who may.
 */
export function checkPermission(p: PermissionsPolicy, command: Command, actor: { kind: string; userId?: string }, incident: PermissionSubject | undefined, access: ActorAccess | undefined): PermissionRefusal | undefined {
  const action = actionOf(command);
  return action ? checkAction(p, action, actor, incident, access) : undefined;
}
