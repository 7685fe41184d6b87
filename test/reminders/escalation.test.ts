import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/app/apply-command.ts';
import { sendDueReminders } from '../../src/app/send-reminders.ts';
import { at, basePolicy, declare, reminderPosts, sentReminders, setup, userMeta, type Harness } from './harness.ts';
import { asSlackChannelId, asSlackUserId } from '../../src/domain/ids.ts';

let h: Harness;
let channelTarget: Harness;
beforeAll(async () => {
  h = await setup();
  channelTarget = await setup({ ...basePolicy, reminders: { ...basePolicy.reminders, escalationTarget: { kind: 'channel', id: asSlackChannelId('CESCALATE') } } });
});
afterAll(async () => {
  await h.close();
  await channelTarget.close();
});

const send = async (x: Harness, min: number) => {
  x.clock.set(at(min));
  return sendDueReminders(x.deps, { limit: 100 });
};

describe('escalation chain', () => {
  it('goes channel → DM to the commander after the grace → escalation target → channel at the cadence', async () => {
    h.clock.set(at(0));
    const id = await declare(h);
    for (const c of [{ type: 'member_joined', userId: asSlackUserId('ULIAISON') }, { type: 'assign_role', role: 'customer-liaison', userId: asSlackUserId('ULIAISON') }] as const) {
      const r = await applyCommand(h.deps, { id }, c, userMeta());
      expect(r.ok).toBe(true);
    }
    // SEV1: update due at +20, grace 5 min, cadence 20 min.
    for (const min of [19, 20, 24, 25, 29, 30, 49, 50]) await send(h, min);
    const sent = await sentReminders(h, id, 'status_update');
    expect(sent.map((s) => [s.level, s.recipient, s.occurredAt])).toEqual([
      [1, 'incident', at(20).toISOString()],
      [2, 'UCOMMANDER', at(25).toISOString()],
      [3, 'UESCALATE', at(30).toISOString()],
      [1, 'incident', at(50).toISOString()],
    ]);
    expect(sent.every((s) => s.dueAt === at(20).toISOString())).toBe(true);

    // Each step is one event and one outbox row with the step's key.
    const posts = (await reminderPosts(h, id)).filter((p) => p.message.reminder === 'status_update');
    expect(posts.map((p) => p.key)).toEqual(sent.map((s) => `${s.key}:fx0`));
    expect(posts.map((p) => p.to)).toEqual([{ kind: 'incident' }, { kind: 'user', id: 'UCOMMANDER' }, { kind: 'user', id: 'UESCALATE' }, { kind: 'incident' }]);
    expect(posts[0]?.message.mention).toEqual(['UCOMMANDER', 'ULIAISON']);
    expect(posts[0]?.message.text).toBe(':alarm_clock: Status update due now for INC-1 (SEV1, every 20 min). <@UCOMMANDER> <@ULIAISON>: post one with `/incident update`.');
    expect(posts[1]?.message.text).toContain('You are the commander');
    expect(posts[2]?.message.text).toContain('Escalation: INC-1 "Checkout API returns 500s"');
    expect(posts[3]?.message.text).toContain('overdue by 30 min');
  });

  it('runs the customer-call chain the same way, ending at an escalation channel', async () => {
    const x = channelTarget;
    x.clock.set(at(0));
    const id = await declare(x);
    // SEV1: the customer must be called within 10 min.
    for (const min of [9, 10, 15, 20, 39, 40]) await send(x, min);
    const sent = await sentReminders(x, id, 'customer_contact:acme');
    expect(sent.map((s) => [s.level, s.recipient, s.occurredAt])).toEqual([
      [1, 'incident', at(10).toISOString()],
      [2, 'UCOMMANDER', at(15).toISOString()],
      [3, 'CESCALATE', at(20).toISOString()],
      [1, 'incident', at(40).toISOString()],
    ]);
    const posts = (await reminderPosts(x, id)).filter((p) => p.message.reminder === 'customer_contact:acme');
    expect(posts.map((p) => p.to)).toEqual([{ kind: 'incident' }, { kind: 'user', id: 'UCOMMANDER' }, { kind: 'channel', id: 'CESCALATE' }, { kind: 'incident' }]);
    expect(posts[0]?.message.text).toContain('Dana Reyes');
  });

  it('skips the commander DM when a page opened the incident without one', async () => {
    h.clock.set(at(0));
    const id = await declare(h, { severity: 'SEV1' }, { actor: { kind: 'pagerduty' }, source: { kind: 'pagerduty', eventId: 'E1' }, idempotencyKey: 'pd-E1' });
    await send(h, 20);
    await send(h, 25);
    const sent = await sentReminders(h, id, 'status_update');
    expect(sent.map((s) => [s.level, s.recipient])).toEqual([[1, 'incident'], [3, 'UESCALATE']]);
  });

  it('sends a checklist item reminder once, at level 1 only', async () => {
    h.clock.set(at(0));
    const id = await declare(h);
    for (const min of [30, 35, 40, 60, 90]) await send(h, min);
    const sent = await sentReminders(h, id, 'checklist_item:notify-execs');
    expect(sent.map((s) => [s.level, s.recipient, s.occurredAt])).toEqual([[1, 'incident', at(30).toISOString()]]);
  });
});
