/**
 * The permission decision, pure: who may do what given the incident's roles,
 * the channel's members and the policy's admins, and how `transition` refuses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/domain/commands.ts';
import { asSlackChannelId, asSlackUserGroupId, asSlackUserId } from '../../src/domain/ids.ts';
import {
  accessNeeded, actionOf, AUDIENCES, checkAction, checkPermission, decide, DEFAULT_PERMISSIONS, PERMISSION_ACTIONS,
  type ActorAccess, type PermissionAction, type PermissionsPolicy, type PermissionSubject, type RuleEntry,
} from '../../src/domain/permissions.ts';
import { transition } from '../../src/domain/transition.ts';
import { errorText } from '../../src/adapters/slack/strings/errors.ts';
import { T0, declare, envFor, run, testPolicy } from '../helpers/domain.ts';

const COMMANDER = asSlackUserId('UCOMMANDER');
const SCRIBE = asSlackUserId('USCRIBE');
const MEMBER = asSlackUserId('UMEMBER');
const STRANGER = asSlackUserId('USTRANGER');
const ADMIN = asSlackUserId('UADMIN');
const GROUP = asSlackUserGroupId('SINCMGRS');

const incident: PermissionSubject = {
  number: 7,
  roles: { commander: COMMANDER, scribe: SCRIBE },
  members: [COMMANDER, SCRIBE, MEMBER],
  channelId: asSlackChannelId('CINC7'),
};

const withAdmins = (admins: PermissionsPolicy['admins'], allow: Partial<Record<PermissionAction, RuleEntry[]>> = {}): PermissionsPolicy => ({
  admins,
  allow: { ...DEFAULT_PERMISSIONS.allow, ...allow },
});

const STEERING: PermissionAction[] = ['resolve', 'close', 'reopen', 'change_severity', 'assign_commander', 'page', 'link_pagerduty', 'send_customer_report'];
const CONTRIBUTING: PermissionAction[] = ['assign_role', 'add_note', 'add_timeline_entry', 'post_status_update', 'update_checklist', 'edit_customers', 'record_times', 'snooze_reminder'];

describe('permissions: the default policy', () => {
  const p = DEFAULT_PERMISSIONS;
  const inChannel: ActorAccess = { channelMember: true };
  const notInChannel: ActorAccess = { channelMember: false };

  it('lets the commander and any role holder steer: resolve, close, reopen, severity, commander, page, link PagerDuty, send', () => {
    for (const action of STEERING) {
      expect(decide(p, action, COMMANDER, incident, {}), action).toEqual({ allowed: true, via: 'commander' });
      expect(decide(p, action, SCRIBE, incident, {}), action).toEqual({ allowed: true, via: 'role_holders' });
    }
  });

  it('refuses steering to a channel member without a role, and to a stranger', () => {
    for (const action of STEERING) {
      expect(decide(p, action, MEMBER, incident, inChannel).allowed, `${action} by a member`).toBe(false);
      expect(decide(p, action, STRANGER, incident, notInChannel).allowed, `${action} by a stranger`).toBe(false);
    }
  });

  it('lets whoever is in the channel contribute (notes, timeline, updates, checklist, customers, times, other roles, snoozes), and nobody outside it', () => {
    for (const action of CONTRIBUTING) {
      expect(decide(p, action, MEMBER, incident, inChannel), action).toEqual({ allowed: true, via: 'channel_members' });
      expect(decide(p, action, STRANGER, incident, notInChannel).allowed, action).toBe(false);
    }
  });

  it('goes by who is in the channel now, not who once joined: someone who left may not add notes', () => {
    expect(decide(p, 'add_note', MEMBER, incident, notInChannel).allowed).toBe(false);
    // Not asked (no Slack yet, e.g. the channel is still being created): the members Kranz recorded decide.
    expect(decide(p, 'add_note', MEMBER, incident, {}).allowed).toBe(true);
    expect(decide(p, 'add_note', STRANGER, incident, {}).allowed).toBe(false);
  });

  it('lets everyone declare', () => {
    expect(decide(p, 'declare', STRANGER, undefined, {})).toEqual({ allowed: true, via: 'everyone' });
  });

  it('lets anyone who may assign roles claim an incident nobody commands', () => {
    const unowned = { ...incident, roles: {} };
    expect(decide(p, 'assign_commander', MEMBER, unowned, inChannel)).toEqual({ allowed: true, via: 'channel_members' });
    expect(decide(p, 'assign_commander', STRANGER, unowned, notInChannel).allowed).toBe(false);
    // Once someone commands it, handing over is hers (or a role holder's, or an admin's).
    expect(decide(p, 'assign_commander', MEMBER, incident, inChannel).allowed).toBe(false);
  });
});

describe('permissions: admins', () => {
  it('an admin by user id may steer any incident without being in it', () => {
    const p = withAdmins([ADMIN]);
    for (const action of STEERING) expect(decide(p, action, ADMIN, incident, { channelMember: false }), action).toEqual({ allowed: true, via: 'admins' });
  });

  it('an admin through a user group may, once Slack says she is in it', () => {
    const p = withAdmins([GROUP]);
    expect(decide(p, 'resolve', ADMIN, incident, { groups: { [GROUP]: true } })).toEqual({ allowed: true, via: 'admins' });
    expect(decide(p, 'resolve', ADMIN, incident, { groups: { [GROUP]: false } })).toEqual({ allowed: false });
  });

  it('fails closed, and says why, when Slack could not list the group or the channel', () => {
    const p = withAdmins([GROUP]);
    expect(decide(p, 'resolve', ADMIN, incident, { groups: { [GROUP]: 'unknown' } })).toEqual({ allowed: false, unverified: 'user_group' });
    expect(decide(p, 'add_note', STRANGER, incident, { channelMember: 'unknown' })).toEqual({ allowed: false, unverified: 'channel' });
    // While Slack cannot be asked, a member Kranz recorded (from Slack's own join events) is still a member: an outage delays nobody.
    expect(decide(p, 'add_note', MEMBER, incident, { channelMember: 'unknown' })).toEqual({ allowed: true, via: 'channel_members' });
    // A lookup that did not matter does not stand in the way.
    expect(decide(p, 'resolve', COMMANDER, incident, { groups: { [GROUP]: 'unknown' } }).allowed).toBe(true);
  });
});

describe('permissions: what Slack must be asked', () => {
  const p = withAdmins([ADMIN, GROUP]);

  it('nothing, when the incident or the policy already says yes', () => {
    expect(accessNeeded(p, 'resolve', COMMANDER, incident)).toEqual({ channel: false, groups: [] });
    expect(accessNeeded(p, 'resolve', ADMIN, incident)).toEqual({ channel: false, groups: [] });
    expect(accessNeeded(p, 'declare', STRANGER, undefined)).toEqual({ channel: false, groups: [] });
  });

  it('only the groups the rule names, and the channel only when the rule counts its members', () => {
    expect(accessNeeded(p, 'resolve', MEMBER, incident)).toEqual({ channel: false, groups: [GROUP] });
    expect(accessNeeded(p, 'add_note', STRANGER, incident)).toEqual({ channel: true, groups: [GROUP] });
    expect(accessNeeded(DEFAULT_PERMISSIONS, 'resolve', MEMBER, incident)).toEqual({ channel: false, groups: [] });
  });
});

describe('permissions: widening and narrowing', () => {
  it('a rule may name a user group directly (the on-call group may page)', () => {
    const oncall = asSlackUserGroupId('SONCALL');
    const p = withAdmins([], { page: ['commander', oncall] });
    expect(decide(p, 'page', MEMBER, incident, { groups: { [oncall]: true } })).toEqual({ allowed: true, via: oncall });
    expect(decide(p, 'page', SCRIBE, incident, { groups: { [oncall]: false } }).allowed).toBe(false);
  });

  it('a rule may be narrowed to the commander alone, or widened to everyone', () => {
    const p = withAdmins([], { close: ['commander'], add_note: ['everyone'] });
    expect(decide(p, 'close', SCRIBE, incident, {}).allowed).toBe(false);
    expect(decide(p, 'close', COMMANDER, incident, {}).allowed).toBe(true);
    expect(decide(p, 'add_note', STRANGER, incident, { channelMember: false }).allowed).toBe(true);
  });

  it('an empty rule lets nobody', () => {
    const p = withAdmins([ADMIN], { page: [] });
    expect(decide(p, 'page', COMMANDER, incident, {}).allowed).toBe(false);
    expect(decide(p, 'page', ADMIN, incident, {}).allowed).toBe(false);
  });

  it('adding an entry to a rule never takes a permission away (property)', () => {
    const people = [COMMANDER, SCRIBE, MEMBER, STRANGER, ADMIN];
    const entry = fc.constantFrom<RuleEntry>(...AUDIENCES, ADMIN, GROUP);
    const access = fc.record({ channelMember: fc.constantFrom<boolean | 'unknown' | undefined>(true, false, 'unknown', undefined), g: fc.constantFrom<boolean | 'unknown'>(true, false, 'unknown') });
    fc.assert(fc.property(fc.array(entry, { maxLength: 5 }), entry, fc.constantFrom(...PERMISSION_ACTIONS), fc.constantFrom(...people), access, (rule, extra, action, who, a) => {
      const acc: ActorAccess = { ...(a.channelMember === undefined ? {} : { channelMember: a.channelMember }), groups: { [GROUP]: a.g } };
      const before = decide(withAdmins([GROUP], { [action]: rule }), action, who, incident, acc).allowed;
      const after = decide(withAdmins([GROUP], { [action]: [...rule, extra] }), action, who, incident, acc).allowed;
      return !before || after;
    }));
  });
});

describe('permissions: which action a command is', () => {
  it('maps every person\'s command to its action and leaves recorded facts unchecked', () => {
    const c = (x: Partial<Command> & { type: Command['type'] }): Command => x as Command;
    expect(actionOf(c({ type: 'assign_role', role: 'commander', userId: MEMBER }))).toBe('assign_commander');
    expect(actionOf(c({ type: 'assign_role', role: 'scribe', userId: MEMBER }))).toBe('assign_role');
    expect(actionOf(c({ type: 'add_note', text: 'x', via: 'command' }))).toBe('add_note');
    expect(actionOf(c({ type: 'add_note', text: 'x', via: 'reaction' }))).toBe('add_timeline_entry');
    expect(actionOf(c({ type: 'add_note', text: 'x', via: 'shortcut' }))).toBe('add_timeline_entry');
    expect(actionOf(c({ type: 'set_status', status: 'monitoring' }))).toBe('post_status_update');
    expect(actionOf(c({ type: 'correct_time', key: 'restored' as never, at: '' }))).toBe('record_times');
    // Linking a PagerDuty incident is a person's choice (`/incident link`); PagerDuty's own events are facts.
    expect(actionOf(c({ type: 'link_pagerduty', pdIncidentId: 'PABC123' as never }))).toBe('link_pagerduty');
    for (const t of ['record_channel', 'member_joined', 'edit_message', 'delete_message', 'record_pagerduty_event', 'record_reminder', 'record_report', 'record_publication', 'record_customer_report'] as const) {
      expect(actionOf(c({ type: t })), t).toBeUndefined();
    }
  });

  it('checks people only: PagerDuty and Kranz itself record what happened', () => {
    const p = withAdmins([]);
    expect(checkPermission(p, { type: 'resolve' }, { kind: 'pagerduty' }, incident, undefined)).toBeUndefined();
    expect(checkPermission(p, { type: 'resolve' }, { kind: 'kranz' }, incident, undefined)).toBeUndefined();
    expect(checkPermission(p, { type: 'resolve' }, { kind: 'user', userId: MEMBER }, incident, {})?.code).toBe('permission.denied');
  });

  it('decides a command as the action it is: checkPermission answers what checkAction answers', () => {
    const p = withAdmins([GROUP]);
    const member = { kind: 'user', userId: MEMBER };
    expect(checkPermission(p, { type: 'resolve' }, member, incident, {})).toEqual(checkAction(p, 'resolve', member, incident, {}));
    expect(checkAction(p, 'resolve', member, incident, {})).toEqual({ code: 'permission.denied', params: { action: 'resolve', number: 7, who: expect.objectContaining({ commanderId: COMMANDER }) } });
    expect(checkAction(p, 'resolve', member, incident, { groups: { [GROUP]: 'unknown' } })).toEqual({ code: 'permission.unverified', params: { action: 'resolve', number: 7, check: 'user_group' } });
    expect(checkAction(p, 'add_note', member, incident, { channelMember: true })).toBeUndefined();
    expect(checkAction(p, 'resolve', { kind: 'kranz' }, incident, undefined)).toBeUndefined();
  });
});

describe('transition refuses in one place', () => {
  const started = run([declare(), { type: 'record_channel', channelId: asSlackChannelId('CINC'), channelName: 'inc-42' },
    { type: 'member_joined', userId: SCRIBE }, { type: 'member_joined', userId: MEMBER }, { type: 'assign_role', role: 'scribe', userId: SCRIBE }]);
  const as = (userId: string, access: ActorAccess = {}) => envFor({ actor: { kind: 'user', userId: asSlackUserId(userId) }, access });

  it('refuses a member without a role resolve, close, reopen, severity and page, naming who may', () => {
    const commands: Command[] = [
      { type: 'resolve' }, { type: 'close' }, { type: 'reopen' }, { type: 'change_severity', severity: 'SEV2' },
      { type: 'page', target: { kind: 'user', userId: SCRIBE }, message: 'help' },
    ];
    for (const command of commands) {
      const r = transition(started, command, T0, as('UMEMBER', { channelMember: true }));
      expect(r.ok, command.type).toBe(false);
      if (r.ok || r.error.code !== 'permission.denied') throw new Error(`${command.type}: expected a permission refusal`);
      expect(r.error.params.who.commanderId).toBe('UCOMMANDER');
      expect(r.error.params.who.roleHolders).toEqual(['UCOMMANDER', 'USCRIBE']);
    }
  });

  it('says who may in words: the commander and role holders by mention, and the key that sets it', () => {
    const r = transition(started, { type: 'resolve' }, T0, as('UMEMBER', { channelMember: true }));
    if (r.ok) throw new Error('expected a refusal');
    expect(errorText(r.error).text).toBe('You may not resolve INC-42. Only the commander (<@UCOMMANDER>) or people with a role on the incident (<@UCOMMANDER>, <@USCRIBE>) may do that. (Set in the Kranz policy, `permissions.allow.resolve`.)');
    const policy = { ...testPolicy, permissions: withAdmins([ADMIN, GROUP]) };
    const r2 = transition(started, { type: 'page', target: { kind: 'service', serviceId: 'PSVC' as never }, message: 'x' }, T0, { ...as('UMEMBER', { channelMember: true, groups: { [GROUP]: false } }), policy });
    if (r2.ok) throw new Error('expected a refusal');
    expect(errorText(r2.error).text).toContain('Kranz admins (<@UADMIN>, <!subteam^SINCMGRS>)');
  });

  it('tells someone who may not reopen a closed incident that, not that it is closed', () => {
    const closed = run([{ type: 'resolve' }, { type: 'close' }], started);
    const r = transition(closed, { type: 'reopen' }, T0, as('USTRANGER', { channelMember: false }));
    expect(!r.ok && r.error.code).toBe('permission.denied');
    expect(transition(closed, { type: 'reopen' }, T0, as('USCRIBE')).ok).toBe(true);
  });

  it('refuses when Slack could not say, and the words say to try again', () => {
    const r = transition(started, { type: 'add_note', text: 'x', via: 'command' }, T0, as('USTRANGER', { channelMember: 'unknown' }));
    if (r.ok) throw new Error('expected a refusal');
    expect(r.error.code).toBe('permission.unverified');
    expect(errorText(r.error).text).toContain('could not check with Slack whether you are in the incident channel');
    expect(errorText(r.error).text).toContain('try again');
  });

  it('records nothing about the check on the events', () => {
    const r = transition(started, { type: 'add_note', text: 'x', via: 'command' }, T0, as('UMEMBER', { channelMember: true }));
    expect(r.ok && JSON.stringify(r.value.events)).not.toContain('channelMember');
  });
});
