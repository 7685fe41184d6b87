import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDueReminders } from '../../src/app/send-reminders.ts';
import { at, declare, reminderPosts, reminderRows, sentReminders, setup, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await setup();
});
afterAll(async () => {
  await h.close();
});

describe('after downtime', () => {
  it('sends each overdue reminder once as a catch-up, then times the chain from now', async () => {
    h.clock.set(at(0));
    const a = await declare(h);
    const b = await declare(h, { severity: 'SEV2' });
    // Down for 3 hours: status updates (+20 / +30), customer calls (+10 / +15), notify-execs (+30)
    // and the no-activity check (+120) all fell due, several escalation steps each.
    h.clock.set(at(180));
    const r = await sendDueReminders(h.deps, { limit: 100 });
    expect(r).toEqual({ sent: 7, deferred: 0, failed: 0 });
    const first = await sentReminders(h);
    expect(first.map((s) => `${s.reminder}@${s.level}`).sort()).toEqual([
      'checklist_item:notify-execs@1', 'customer_contact:acme@1', 'customer_contact:acme@1', 'no_activity@1', 'no_activity@1', 'status_update@1', 'status_update@1',
    ]);
    expect(new Set(first.map((s) => s.key)).size).toBe(7);
    expect(await reminderPosts(h)).toHaveLength(7);
    const update = (await reminderPosts(h, a)).find((p) => p.message.reminder === 'status_update');
    expect(update?.message.text).toContain('overdue by 2h 40m');

    // Nothing more now: no burst of the missed steps.
    expect(await sendDueReminders(h.deps, { limit: 100 })).toEqual({ sent: 0, deferred: 0, failed: 0 });
    expect((await reminderRows(h, a)).status_update).toMatchObject({ level: 2, dueAt: at(185).toISOString() });
    expect((await reminderRows(h, b)).status_update).toMatchObject({ level: 2, dueAt: at(190).toISOString() });
    expect((await reminderRows(h, a)).no_activity?.dueAt).toBeNull();

    h.clock.set(at(185));
    expect(await sendDueReminders(h.deps, { limit: 100 })).toMatchObject({ sent: 2 }); // SEV1 update + call, level 2
    expect((await sentReminders(h, a)).filter((s) => s.level === 2).map((s) => s.reminder).sort()).toEqual(['customer_contact:acme', 'status_update']);
    expect(await sentReminders(h, b)).toHaveLength(3);
  });
});
