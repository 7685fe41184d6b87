import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/app/apply-command.ts';
import { sendDueReminders } from '../../src/app/send-reminders.ts';
import type { Command } from '../../src/domain/commands.ts';
import { at, declare, reminderRows, sentReminders, setup, userMeta, type Harness } from './harness.ts';
import { type IncidentId } from '../../src/domain/ids.ts';

let h: Harness;
beforeAll(async () => {
  h = await setup();
});
afterAll(async () => {
  await h.close();
});

const send = async (when: Date) => {
  h.clock.set(when);
  return sendDueReminders(h.deps, { limit: 100 });
};
const apply = async (id: IncidentId, command: Command, when: Date) => {
  h.clock.set(when);
  const r = await applyCommand(h.deps, { id }, command, userMeta());
  if (!r.ok) throw new Error(JSON.stringify(r.error));
};

describe('status update cadence', () => {
  it('reminds a SEV1 every 20 min and a SEV3 every 60 min, counted from the declaration', async () => {
    h.clock.set(at(0));
    const sev1 = await declare(h, { severity: 'SEV1' });
    const sev3 = await declare(h, { severity: 'SEV3' });
    expect((await reminderRows(h, sev1)).status_update?.plannedAt).toBe(at(20).toISOString());
    expect((await reminderRows(h, sev3)).status_update?.plannedAt).toBe(at(60).toISOString());

    await send(new Date(at(20).getTime() - 1));
    expect(await sentReminders(h, sev1, 'status_update')).toHaveLength(0);
    await send(at(20));
    const first = await sentReminders(h, sev1, 'status_update');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ level: 1, recipient: 'incident', dueAt: at(20).toISOString() });
    expect(await sentReminders(h, sev3, 'status_update')).toHaveLength(0);

    await send(new Date(at(60).getTime() - 1));
    expect(await sentReminders(h, sev3, 'status_update')).toHaveLength(0);
    await send(at(60));
    expect(await sentReminders(h, sev3, 'status_update')).toMatchObject([{ level: 1, dueAt: at(60).toISOString() }]);
  });

  it('honours the next-update time an update promised, and posting an update reschedules', async () => {
    h.clock.set(at(0));
    const id = await declare(h);
    await apply(id, { type: 'post_status_update', summary: 'Investigating elevated 500s', nextUpdateInMs: 5 * 60_000 }, at(2));
    expect((await reminderRows(h, id)).status_update).toMatchObject({ plannedAt: at(7).toISOString(), dueAt: at(7).toISOString(), level: 1 });

    await send(new Date(at(7).getTime() - 1));
    expect(await sentReminders(h, id, 'status_update')).toHaveLength(0);
    await send(at(7));
    const sent = await sentReminders(h, id, 'status_update');
    expect(sent).toMatchObject([{ level: 1, dueAt: at(7).toISOString() }]);
    expect((await reminderRows(h, id)).status_update).toMatchObject({ level: 2, dueAt: at(12).toISOString(), sentCount: 1 });

    // The next update resets the chain: level 1 again, due a cadence after it.
    await apply(id, { type: 'post_status_update', summary: 'Rolled back the deploy' }, at(9));
    expect((await reminderRows(h, id)).status_update).toMatchObject({ plannedAt: at(29).toISOString(), dueAt: at(29).toISOString(), level: 1 });
    await send(at(12));
    expect(await sentReminders(h, id, 'status_update')).toHaveLength(1);
  });

  it('moves the due time at once when the severity changes mid-interval', async () => {
    h.clock.set(at(0));
    const id = await declare(h, { severity: 'SEV3' });
    await apply(id, { type: 'post_status_update', summary: 'Some checkouts fail' }, at(5));
    expect((await reminderRows(h, id)).status_update?.plannedAt).toBe(at(65).toISOString());

    await apply(id, { type: 'change_severity', severity: 'SEV1', reason: 'All checkouts fail' }, at(10));
    expect((await reminderRows(h, id)).status_update).toMatchObject({ plannedAt: at(25).toISOString(), dueAt: at(25).toISOString(), level: 1 });
    await send(at(25));
    const sent = await sentReminders(h, id, 'status_update');
    expect(sent).toMatchObject([{ level: 1, dueAt: at(25).toISOString() }]);

    // Lowering it with no update posted yet: declaration + the new cadence.
    h.clock.set(at(0));
    const other = await declare(h, { severity: 'SEV1' });
    await apply(other, { type: 'change_severity', severity: 'SEV3' }, at(15));
    expect((await reminderRows(h, other)).status_update?.plannedAt).toBe(at(60).toISOString());
    await send(at(20));
    expect(await sentReminders(h, other, 'status_update')).toHaveLength(0);
  });

  it('keeps the escalation level through unrelated changes and drops reminders that no longer apply', async () => {
    h.clock.set(at(0));
    const id = await declare(h);
    await send(at(21));
    expect((await reminderRows(h, id)).status_update).toMatchObject({ level: 2, dueAt: at(26).toISOString() });
    await apply(id, { type: 'add_note', text: 'Looking at the load balancer', via: 'command' }, at(22));
    expect((await reminderRows(h, id)).status_update).toMatchObject({ level: 2, dueAt: at(26).toISOString() });
    // The customer call, one reminder per customer: Acme's goes once Acme is called.
    expect((await reminderRows(h, id))['customer_contact:acme']).toBeDefined();
    await apply(id, { type: 'record_customer_contact', details: 'Called Dana' }, at(23));
    expect((await reminderRows(h, id))['customer_contact:acme']).toBeUndefined();
    await apply(id, { type: 'resolve' }, at(24));
    expect(Object.keys(await reminderRows(h, id))).toEqual(['resolved_not_closed']);
  });
});
