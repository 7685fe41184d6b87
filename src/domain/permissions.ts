/**
 * Who may do what to an incident: the policy's `permissions` section and the
 * one decision every surface goes through (`transition` calls `checkPermission`
 * for every command a person gives). Pure: what needs Slack (is the person in
 * the incident channel now, is she in a user group) comes in as `ActorAccess`,
 * gathered by the app layer before the transaction; what the incident knows
 * (its commander and role holders) is read from the locked state.
 */
import type { Command } from './commands.ts';
import { domainError, type DomainError } from './errors.ts';
import type { SlackChannelId, SlackUserGroupId, SlackUserId } from './ids.ts';
import type { IncidentState } from './incident.ts';

/** What a person can be allowed to do, as the policy names it (`permissions.allow.<action>`). */
export const PERMISSION_ACTIONS = [
  'declare',
  'resolve',
  'close',
  'reopen',
  'change_severity',
  'assign_commander',
  'page',
  'send_customer_report',
  'assign_role',
  'add_note',
  'add_timeline_entry',
  'post_status_update',
  'update_checklist',
  'edit_customers',
  'record_times',
] as const;
export type PermissionAction = (typeof PERMISSION_ACTIONS)[number];

/** Who a rule can name besides people and user groups by id. */
export const AUDIENCES = ['everyone', 'channel_members', 'role_holders', 'commander', 'admins'] as const;
export type Audience = (typeof AUDIENCES)[number];

/** One entry of a rule: an audience, a person (`U…`, `W…`) or a Slack user group (`S…`). */
export type RuleEntry = Audience | SlackUserId | SlackUserGroupId;

export interface PermissionsPolicy {
  /** People and user groups who may do everything a rule grants `admins` (and who see private incidents). */
  admins: readonly (SlackUserId | SlackUserGroupId)[];
  /** Per action: who may. A person may when any entry matches. */
  allow: Readonly<Record<PermissionAction, readonly RuleEntry[]>>;
}

const STEERING: readonly RuleEntry[] = ['commander', 'role_holders', 'admins'];
const IN_THE_ROOM: readonly RuleEntry[] = ['channel_members', 'admins'];

/**
 * Safe defaults: the people running the incident steer it (resolve, close,
 * page, send to customers…); anyone in its channel may contribute (notes,
 * timeline, updates, checklist); everyone may declare.
 */
export const DEFAULT_PERMISSIONS: PermissionsPolicy = {
  admins: [],
  allow: {
    declare: ['everyone'],
    resolve: STEERING,
    close: STEERING,
    reopen: STEERING,
    change_severity: STEERING,
    assign_commander: STEERING,
    page: STEERING,
    send_customer_report: STEERING,
    assign_role: IN_THE_ROOM,
    add_note: IN_THE_ROOM,
    add_timeline_entry: IN_THE_ROOM,
    post_status_update: IN_THE_ROOM,
    update_checklist: IN_THE_ROOM,
    edit_customers: IN_THE_ROOM,
    record_times: IN_THE_ROOM,
  },
};

/** Before an incident exists there is no channel and no roles: only these make sense for `declare`. */
export const DECLARE_AUDIENCES: readonly Audience[] = ['everyone', 'admins'];

export const isUserId = (s: string): boolean => /^[UW][A-Z0-9]{2,}$/.test(s);
export const isUserGroupId = (s: string): boolean => /^S[A-Z0-9]{2,}$/.test(s);

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
    case 'send_customer_report':
      return c.type;
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
    case 'link_pagerduty':
    case 'record_pagerduty_event':
    case 'record_reminder':
    case 'record_report':
    case 'record_publication':
    case 'record_publication_failure':
    case 'record_customer_report':
      return undefined;
  }
}

/**
 * What Slack said about the person, as far as the rule needed to ask.
 * `unknown`: Slack could not answer just now (the decision fails closed).
 * Absent: not asked; the channel falls back to the members Kranz recorded.
 */
export interface ActorAccess {
  channelMember?: boolean | 'unknown';
  /** User group id → whether the person is in it. */
  groups?: Readonly<Record<string, boolean | 'unknown'>>;
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
        if (m === 'unknown') unverified ??= 'channel';
        if (m === true || (m === undefined && incident.members.includes(userId as SlackUserId))) return { allowed: true, via: e };
        break;
      }
      default:
        if (named([e])) return { allowed: true, via: e };
    }
  }
  return unverified ? { allowed: false, unverified } : { allowed: false };
}

/** Who may, for the refusal's words: the rule, and the people and groups it stands for on this incident. */
export interface WhoMay {
  rule: readonly RuleEntry[];
  commanderId?: SlackUserId;
  roleHolders: SlackUserId[];
  channelId?: SlackChannelId;
  /** The ids `admins` stands for. */
  admins: string[];
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
 * The check `transition` runs: undefined when the command may go ahead (or is
 * no person's choice), else the refusal naming who may.
 */
export function checkPermission(p: PermissionsPolicy, command: Command, actor: { kind: string; userId?: string }, incident: PermissionSubject | undefined, access: ActorAccess | undefined): DomainError | undefined {
  if (actor.kind !== 'user' || !actor.userId) return undefined;
  const action = actionOf(command);
  if (!action) return undefined;
  const d = decide(p, action, actor.userId, incident, access ?? {});
  if (d.allowed) return undefined;
  const number = incident?.number;
  if (d.unverified) return domainError('permission.unverified', { action, check: d.unverified, ...(number !== undefined ? { number } : {}) });
  return domainError('permission.denied', { action, ...(number !== undefined ? { number } : {}), who: whoMay(p, action, incident) });
}
