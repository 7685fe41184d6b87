/**
 * The shape of the policy's `permissions` section and its safe defaults: the
 * actions, who a rule can name, and what the decision is told about a person
 * (`ActorAccess`) and tells back (`WhoMay`). A leaf module (ids only), so the
 * policy and the error codes can name these types without a cycle; the
 * decision itself is `permissions.ts`.
 */
import type { SlackChannelId, SlackUserGroupId, SlackUserId } from './ids.ts';

/** What a person can be allowed to do, as the policy names it (`permissions.allow.<action>`). */
export const PERMISSION_ACTIONS = [
  'declare',
  'resolve',
  'close',
  'reopen',
  'change_severity',
  'assign_commander',
  'page',
  'link_pagerduty',
  'send_customer_report',
  'assign_role',
  'add_note',
  'add_timeline_entry',
  'post_status_update',
  'update_checklist',
  'edit_customers',
  'record_times',
  'snooze_reminder',
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
// Those running the incident are in the room by their role, whether or not Slack can be asked about the channel right now.
const IN_THE_ROOM: readonly RuleEntry[] = ['channel_members', 'commander', 'role_holders', 'admins'];

/**
 * Safe defaults: the people running the incident steer it (resolve, close,
 * page, send to customers…); anyone in its channel may contribute (notes,
 * timeline, updates, checklist, snoozing its reminders); everyone may declare.
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
    // A link routes the PagerDuty incident's events here, and resolving here resolves it in PagerDuty.
    link_pagerduty: STEERING,
    send_customer_report: STEERING,
    assign_role: IN_THE_ROOM,
    add_note: IN_THE_ROOM,
    add_timeline_entry: IN_THE_ROOM,
    post_status_update: IN_THE_ROOM,
    update_checklist: IN_THE_ROOM,
    edit_customers: IN_THE_ROOM,
    record_times: IN_THE_ROOM,
    // A snooze silences a reminder the policy means to nag with: no more open than contributing.
    snooze_reminder: IN_THE_ROOM,
  },
};

/** Before an incident exists there is no channel and no roles: only these make sense for `declare`. */
export const DECLARE_AUDIENCES: readonly Audience[] = ['everyone', 'admins'];

export const isUserId = (s: string): boolean => /^[UW][A-Z0-9]{2,}$/.test(s);
export const isUserGroupId = (s: string): boolean => /^S[A-Z0-9]{2,}$/.test(s);

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

/** Who may, for the refusal's words: the rule, and the people and groups it stands for on this incident. */
export interface WhoMay {
  rule: readonly RuleEntry[];
  commanderId?: SlackUserId;
  roleHolders: SlackUserId[];
  channelId?: SlackChannelId;
  /** The ids `admins` stands for. */
  admins: string[];
}
