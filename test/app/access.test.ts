/**
 * The app side of permissions: asking the directory only what the rule
 * needs, turning a failed lookup into "unknown" (so the decision fails
 * closed), and admins by id or user group for who sees private incidents.
 */
import { describe, expect, it } from 'vitest';
import { gatherAccess, isPolicyAdmin, type AccessDirectory } from '../../src/app/access.ts';
import { DEFAULT_PERMISSIONS } from '../../src/domain/permissions.ts';
import { asSlackChannelId, asSlackUserGroupId, asSlackUserId } from '../../src/domain/ids.ts';
import { testPolicy } from '../helpers/domain.ts';

/** A directory over fixed answers that records what it was asked; `down` lookups throw as a Slack outage would. */
function directory(o: { channels?: Record<string, string[]>; groups?: Record<string, string[]>; down?: string[] } = {}): AccessDirectory & { asked: string[] } {
  const asked: string[] = [];
  const answer = async (key: string, table: Record<string, string[]> | undefined): Promise<ReadonlySet<string>> => {
    asked.push(key);
    if (o.down?.includes(key)) throw new Error('Slack is unavailable');
    return new Set(table?.[key] ?? []);
  };
  return { asked, channelMembers: (c) => answer(c, o.channels), userGroupMembers: (g) => answer(g, o.groups) };
}

const incident = { number: 3, roles: {}, members: [asSlackUserId('UREC')], channelId: asSlackChannelId('CINC') };
const policyWith = (admins: string[]) => ({ ...testPolicy, permissions: { admins: admins.map((a) => (a.startsWith('S') ? asSlackUserGroupId(a) : asSlackUserId(a))), allow: DEFAULT_PERMISSIONS.allow } });

describe('gatherAccess', () => {
  it('asks only what it is told to, and records the answers', async () => {
    const dir = directory({ channels: { CINC: ['UANA'] }, groups: { SMGR: ['UANA'] } });
    expect(await gatherAccess({ access: dir }, { channel: false, groups: [] }, 'UANA', incident)).toEqual({});
    expect(dir.asked).toEqual([]);
    expect(await gatherAccess({ access: dir }, { channel: true, groups: ['SMGR', 'SOTHER'] }, 'UANA', incident)).toEqual({ channelMember: true, groups: { SMGR: true, SOTHER: false } });
  });

  it('turns a lookup Slack could not answer into unknown, so the decision fails closed', async () => {
    const dir = directory({ down: ['CINC', 'SMGR'] });
    expect(await gatherAccess({ access: dir }, { channel: true, groups: ['SMGR'] }, 'UANA', incident)).toEqual({ channelMember: 'unknown', groups: { SMGR: 'unknown' } });
  });

  it('without a directory: groups are unknown, and the channel falls back to the members Kranz recorded', async () => {
    expect(await gatherAccess({}, { channel: true, groups: ['SMGR'] }, 'UREC', incident)).toEqual({ groups: { SMGR: 'unknown' } });
    // A channel not created yet is not asked about either.
    const dir = directory();
    expect(await gatherAccess({ access: dir }, { channel: true, groups: [] }, 'UREC', { ...incident, channelId: undefined })).toEqual({});
    expect(dir.asked).toEqual([]);
  });
});

describe('isPolicyAdmin', () => {
  it('knows an admin listed by id without asking Slack', async () => {
    const dir = directory();
    expect(await isPolicyAdmin({ policy: policyWith(['UIVO', 'SMGR']), access: dir }, 'UIVO')).toBe(true);
    expect(dir.asked).toEqual([]);
  });

  it('expands user groups, and a group Slack cannot list grants nothing', async () => {
    expect(await isPolicyAdmin({ policy: policyWith(['SMGR']), access: directory({ groups: { SMGR: ['UADA'] } }) }, 'UADA')).toBe(true);
    expect(await isPolicyAdmin({ policy: policyWith(['SMGR']), access: directory({ groups: { SMGR: ['UADA'] } }) }, 'USAM')).toBe(false);
    expect(await isPolicyAdmin({ policy: policyWith(['SMGR']), access: directory({ down: ['SMGR'] }) }, 'UADA')).toBe(false);
    expect(await isPolicyAdmin({ policy: policyWith(['SDOWN', 'SMGR']), access: directory({ groups: { SMGR: ['UADA'] }, down: ['SDOWN'] }) }, 'UADA')).toBe(true);
    expect(await isPolicyAdmin({ policy: policyWith(['SMGR']) }, 'UADA')).toBe(false);
  });
});
