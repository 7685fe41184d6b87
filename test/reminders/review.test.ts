import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/app/apply-command.ts';
import { sendDueReminders } from '../../src/app/send-reminders.ts';
import type { Command } from '../../src/domain/commands.ts';
import { basePolicy, declare, reminderPosts, reminderRows, sentReminders, setup, userMeta, type Harness } from './harness.ts';
import { type IncidentId } from '../../src/domain/ids.ts';

let h: Harness;
beforeAll(async () => {
  h = await setup({ ...basePolicy, reportTimezone: 'America/New_York' });
});
afterAll(async () => {
  await h.close();
});

const apply = async (id: IncidentId, command: Command, when: string) => {
  h.clock.set(new Date(when));
  const r = await applyCommand(h.deps, { id }, command, userMeta());
  if (!r.ok) throw new Error(JSON.stringify(r.error));
};
const send = async (when: string) => {
  h.clock.set(new Date(when));
  return sendDueReminders(h.deps, { limit: 100 });
};

describe('after resolve and close', () => {
  it('reminds the commander of the report review 5 business days after a Friday close: the next Friday', async () => {
    h.clock.set(new Date('2026-03-06T14:00:00Z'));
    const id = await declare(h, { severity: 'SEV2' });
    await apply(id, { type: 'resolve' }, '2026-03-06T19:00:00Z');
    await apply(id, { type: 'close' }, '2026-03-06T20:00:00Z'); // Friday 15:00 in New York
    // 09:00 New York on Friday 2026-03-13, after the switch to summer time (UTC-4).
    expect(await reminderRows(h, id)).toEqual({
      review_due: expect.objectContaining({ plannedAt: '2026-03-13T13:00:00.000Z', dueAt: '2026-03-13T13:00:00.000Z' }),
    });
    await send('2026-03-13T12:59:59Z');
    expect(await sentReminders(h, id, 'review_due')).toHaveLength(0);
    await send('2026-03-13T13:00:00Z');
    await send('2026-03-14T13:00:00Z');
    expect(await sentReminders(h, id, 'review_due')).toMatchObject([{ level: 1, recipient: 'UCOMMANDER' }]);
    const post = (await reminderPosts(h, id)).find((p) => p.message.reminder === 'review_due');
    expect(post?.to).toEqual({ kind: 'user', id: 'UCOMMANDER' });
    expect(post?.message.text).toContain('report ("Checkout API returns 500s") is due today');
  });

  it('counts calendar days for a SEV1: 3 days after a Friday close is Monday', async () => {
    h.clock.set(new Date('2026-03-06T14:00:00Z'));
    const id = await declare(h, { severity: 'SEV1' });
    await apply(id, { type: 'resolve' }, '2026-03-06T19:00:00Z');
    await apply(id, { type: 'close' }, '2026-03-06T20:00:00Z');
    expect((await reminderRows(h, id)).review_due?.plannedAt).toBe('2026-03-09T13:00:00.000Z');
  });

  it('nags daily while an incident is resolved but not closed', async () => {
    h.clock.set(new Date('2026-03-02T10:00:00Z'));
    const id = await declare(h, { severity: 'SEV2' });
    await apply(id, { type: 'resolve' }, '2026-03-02T12:00:00Z');
    await send('2026-03-03T11:59:00Z');
    expect(await sentReminders(h, id, 'resolved_not_closed')).toHaveLength(0);
    await send('2026-03-03T12:00:00Z');
    await send('2026-03-03T18:00:00Z');
    await send('2026-03-04T12:00:00Z');
    const sent = await sentReminders(h, id, 'resolved_not_closed');
    expect(sent.map((s) => s.occurredAt)).toEqual(['2026-03-03T12:00:00.000Z', '2026-03-04T12:00:00.000Z']);
    expect((await reminderPosts(h, id)).find((p) => p.message.reminder === 'resolved_not_closed')?.message.text)
      .toBe(':broom: INC-3 was resolved 1d ago and is still not closed. <@UCOMMANDER>: record the root cause and actions, then `/incident close` to draft the report.');
    await apply(id, { type: 'close' }, '2026-03-04T13:00:00Z');
    expect(Object.keys(await reminderRows(h, id))).toEqual(['review_due']);
  });
});
