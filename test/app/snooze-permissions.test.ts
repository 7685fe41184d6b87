/**
 * Snoozing a reminder is a person's choice like any command: the policy's
 * `permissions.allow.snooze_reminder` decides who may, on real PostgreSQL.
 * A refusal snoozes nothing and records nothing (not even its key), is
 * reported like other refusals, and is decided again under the incident's
 * lock, so a commander who handed over between the check and the lock is
 * refused too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/app/apply-command.ts';
import { declareIncident } from '../../src/app/declare-incident.ts';
import type { AccessDirectory, AppDeps, PermissionDenial, Store } from '../../src/app/ports.ts';
import { snoozeReminder } from '../../src/app/snooze-reminder.ts';
import { errorText } from '../../src/adapters/slack/strings/errors.ts';
import { asSlackChannelId, asSlackUserId, type IncidentId } from '../../src/domain/ids.ts';
import { DEFAULT_PERMISSIONS, type RuleEntry } from '../../src/domain/permissions.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';
import { testPolicy } from '../helpers/domain.ts';

const DANA = asSlackUserId('UDANA'); // declares and commands
const SAM = asSlackUserId('USAM'); // in the channel, no role
const EVE = asSlackUserId('UEVE'); // sees the channel (it is public) but is not in it
const MIN = 60_000;

let h: AppHarness;
/** Run once, just before the next transaction a use case opens: a change that lands between its permission check and its lock. */
let beforeNextTransaction: (() => Promise<void>) | undefined;
let denials: PermissionDenial[] = [];
let channelDown = false;

beforeAll(async () => {
  h = await appHarness();
});
afterAll(async () => h?.close());

/** App deps on the harness's database with `snooze_reminder` set to `rule`, Slack's channel members, and an audit that records. */
function depsWith(rule: readonly RuleEntry[] = DEFAULT_PERMISSIONS.allow.snooze_reminder): AppDeps {
  const policy: Policy = { ...testPolicy, permissions: { admins: [], allow: { ...DEFAULT_PERMISSIONS.allow, snooze_reminder: rule } } };
  const access: AccessDirectory = {
    channelMembers: async () => {
      if (channelDown) throw new Error('Slack is unavailable');
      return new Set<string>([DANA, SAM]);
    },
    userGroupMembers: async () => new Set<string>(),
  };
  const store: Store = {
    async transaction(fn, o) {
      const run = beforeNextTransaction;
      beforeNextTransaction = undefined;
      await run?.();
      return h.deps.store.transaction(fn, o);
    },
    reads: h.deps.store.reads,
  };
  return { ...h.deps, policy, store, access, audit: { denied: (d) => void denials.push(d) } };
}

let keys = 0;
const metaOf = (userId: string) => ({
  actor: { kind: 'user' as const, userId: asSlackUserId(userId) },
  source: { kind: 'slack' as const, channelId: asSlackChannelId('CGEN') },
  idempotencyKey: `snooze-test:${++keys}`,
});
const kranz = (key: string) => ({ actor: { kind: 'kranz' as const }, source: { kind: 'slack' as const, channelId: asSlackChannelId('CGEN') }, idempotencyKey: key });

/** An incident Dana commands, with its channel recorded and Sam in it; returns its id, number and channel. */
async function incident(): Promise<{ id: IncidentId; number: number; channelId: string }> {
  const d = await declareIncident(h.deps, { title: 'Checkout errors', severity: 'SEV2' }, metaOf(DANA));
  if (!d.ok) throw new Error(JSON.stringify(d.error));
  const channelId = asSlackChannelId(`CINC${d.state.number}`);
  await applyCommand(h.deps, { id: d.incidentId }, { type: 'record_channel', channelId, channelName: `inc-${d.state.number}` }, kranz(`chan:${d.incidentId}`));
  await applyCommand(h.deps, { id: d.incidentId }, { type: 'member_joined', userId: SAM }, kranz(`join:${d.incidentId}`));
  return { id: d.incidentId, number: d.state.number, channelId };
}

async function snoozedUntil(id: IncidentId): Promise<Date | null> {
  const r = await h.pool.query<{ snoozed_until: Date | null }>("select snoozed_until from reminders where incident_id = $1 and kind = 'status_update'", [id]);
  if (!r.rows[0]) throw new Error('no status update reminder');
  return r.rows[0].snoozed_until;
}

const keyRecorded = async (key: string): Promise<boolean> => ((await h.pool.query('select 1 from command_keys where key = $1', [key])).rowCount ?? 0) > 0;

describe('snoozing a reminder asks the permissions policy', () => {
  it('refuses someone outside the incident channel: nothing snoozed, no key, the refusal reported and worded like any other', async () => {
    denials = [];
    const deps = depsWith();
    const inc = await incident();
    const meta = metaOf(EVE);
    const r = await snoozeReminder(deps, { channelId: asSlackChannelId(inc.channelId) }, { durationMs: 30 * MIN }, meta);
    expect(r).toMatchObject({ ok: false, error: { code: 'permission.denied', params: { action: 'snooze_reminder', number: inc.number } } });
    expect(await snoozedUntil(inc.id)).toBeNull();
    expect(await keyRecorded(meta.idempotencyKey)).toBe(false);
    expect(denials).toEqual([expect.objectContaining({ action: 'snooze_reminder', userId: EVE, reason: 'denied', number: inc.number })]);
    if (r.ok) return;
    expect(errorText(r.error).text).toBe(`You may not snooze reminders of INC-${inc.number}. Only members of <#${inc.channelId}>, the commander (<@UDANA>) or people with a role on the incident (<@UDANA>) may do that. (Set in the Kranz policy, \`permissions.allow.snooze_reminder\`.)`);
  });

  it('lets a member of the channel snooze, and the commander', async () => {
    denials = [];
    const deps = depsWith();
    const inc = await incident();
    const r = await snoozeReminder(deps, { channelId: asSlackChannelId(inc.channelId) }, { kind: 'update', durationMs: 30 * MIN }, metaOf(SAM));
    expect(r).toMatchObject({ ok: true, duplicate: false, number: inc.number, kind: 'status_update' });
    expect(await snoozedUntil(inc.id)).toEqual(new Date(h.clock.now().getTime() + 30 * MIN));
    expect(await snoozeReminder(deps, { id: inc.id }, { durationMs: 45 * MIN }, metaOf(DANA))).toMatchObject({ ok: true, duplicate: false });
    expect(denials).toEqual([]);
  });

  it('refuses, and says so, when Slack cannot tell whether the person is in the channel', async () => {
    denials = [];
    const deps = depsWith();
    const inc = await incident();
    channelDown = true;
    try {
      const r = await snoozeReminder(deps, { id: inc.id }, { durationMs: 30 * MIN }, metaOf(EVE));
      expect(r).toMatchObject({ ok: false, error: { code: 'permission.unverified', params: { action: 'snooze_reminder', check: 'channel' } } });
    } finally {
      channelDown = false;
    }
    expect(await snoozedUntil(inc.id)).toBeNull();
    expect(denials).toEqual([expect.objectContaining({ action: 'snooze_reminder', userId: EVE, reason: 'unverified' })]);
  });

  it('a policy that keeps snoozing to the commander refuses a member of the channel', async () => {
    denials = [];
    const deps = depsWith(['commander']);
    const inc = await incident();
    const meta = metaOf(SAM);
    const r = await snoozeReminder(deps, { id: inc.id }, { durationMs: 30 * MIN }, meta);
    expect(r).toMatchObject({ ok: false, error: { code: 'permission.denied', params: { action: 'snooze_reminder', who: { rule: ['commander'], commanderId: DANA } } } });
    expect(await snoozedUntil(inc.id)).toBeNull();
    expect(await keyRecorded(meta.idempotencyKey)).toBe(false);
    expect(denials).toEqual([expect.objectContaining({ action: 'snooze_reminder', userId: SAM, reason: 'denied' })]);
    expect(await snoozeReminder(deps, { id: inc.id }, { durationMs: 30 * MIN }, metaOf(DANA))).toMatchObject({ ok: true, duplicate: false });
  });

  it('decides again under the lock: a commander who handed over after the check is refused', async () => {
    denials = [];
    const deps = depsWith(['commander']);
    const inc = await incident();
    // Dana passes the check; before the snooze's transaction locks the incident, Sam becomes the commander.
    beforeNextTransaction = async () => {
      const handed = await applyCommand(h.deps, { id: inc.id }, { type: 'assign_role', role: 'commander', userId: SAM }, metaOf(DANA));
      if (!handed.ok) throw new Error(JSON.stringify(handed.error));
    };
    const meta = metaOf(DANA);
    const r = await snoozeReminder(deps, { id: inc.id }, { durationMs: 30 * MIN }, meta);
    expect(beforeNextTransaction).toBeUndefined();
    expect(r).toMatchObject({ ok: false, error: { code: 'permission.denied', params: { action: 'snooze_reminder', who: { commanderId: SAM } } } });
    expect(await snoozedUntil(inc.id)).toBeNull();
    expect(await keyRecorded(meta.idempotencyKey)).toBe(false);
    expect(denials).toEqual([expect.objectContaining({ action: 'snooze_reminder', userId: DANA, reason: 'denied' })]);
  });
});
