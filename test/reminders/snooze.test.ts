import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/app/apply-command.ts';
import { sendDueReminders } from '../../src/app/send-reminders.ts';
import { snoozeReminder } from '../../src/app/snooze-reminder.ts';
import { errorText } from '../../src/adapters/slack/strings/errors.ts';
import { snoozedText } from '../../src/adapters/slack/strings/snooze.ts';
import { at, declare, reminderRows, sentReminders, setup, userMeta, type Harness, MIN } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await setup();
});
afterAll(async () => {
  await h.close();
});

const send = async (min: number) => {
  h.clock.set(at(min));
  return sendDueReminders(h.deps, { limit: 100 });
};

describe('snooze', () => {
  it('holds the status update reminder until now + the duration, keeping its level', async () => {
    h.clock.set(at(0));
    const id = await declare(h);
    await send(21); // level 1 sent; level 2 due at +26
    h.clock.set(at(22));
    const meta = userMeta();
    const r = await snoozeReminder(h.deps, { id }, { durationMs: 30 * MIN }, meta);
    expect(r).toMatchObject({ ok: true, until: at(52).toISOString(), duplicate: false });
    if (!r.ok) return;
    expect(r.ok && snoozedText(r, h.deps.policy.reportTimezone).text).toBe('Snoozed the status update reminder for INC-1 for 30m, until 13:52 UTC.');
    expect((await reminderRows(h, id)).status_update).toMatchObject({ level: 2, dueAt: at(26).toISOString(), snoozedUntil: at(52).toISOString() });

    // A retried button click (same key) changes nothing.
    h.clock.set(at(23));
    expect(await snoozeReminder(h.deps, { id }, { durationMs: 30 * MIN }, meta)).toMatchObject({ ok: true, duplicate: true });
    expect((await reminderRows(h, id)).status_update?.snoozedUntil).toBe(at(52).toISOString());

    await send(26);
    await send(51);
    expect((await sentReminders(h, id, 'status_update')).map((s) => s.level)).toEqual([1]);
    await send(52);
    const sent = await sentReminders(h, id, 'status_update');
    expect(sent.map((s) => [s.level, s.recipient, s.occurredAt])).toEqual([[1, 'incident', at(21).toISOString()], [2, 'UCOMMANDER', at(52).toISOString()]]);
    expect((await reminderRows(h, id)).status_update?.snoozedUntil).toBeNull();
  });

  it('snoozes another kind by name (the button carries it) and keeps a snooze across a sooner new plan', async () => {
    h.clock.set(at(0));
    const id = await declare(h);
    h.clock.set(at(1));
    const item = await snoozeReminder(h.deps, { id }, { kind: 'checklist_item:notify-execs', durationMs: 60 * MIN }, userMeta());
    expect(item).toMatchObject({ ok: true, until: at(61).toISOString() });
    await send(30);
    expect(await sentReminders(h, id, 'checklist_item:notify-execs')).toHaveLength(0);
    await send(61);
    expect(await sentReminders(h, id, 'checklist_item:notify-execs')).toHaveLength(1);

    // A snooze ending after the new due time survives the replan; one ending before is dropped.
    h.clock.set(at(62));
    await snoozeReminder(h.deps, { id }, { kind: 'update', durationMs: 30 * MIN }, userMeta());
    h.clock.set(at(63));
    await applyCommand(h.deps, { id }, { type: 'post_status_update', summary: 'Still rolling back', nextUpdateInMs: 5 * MIN }, userMeta());
    expect((await reminderRows(h, id)).status_update).toMatchObject({ plannedAt: at(68).toISOString(), snoozedUntil: at(92).toISOString(), level: 1 });
    h.clock.set(at(64));
    await applyCommand(h.deps, { id }, { type: 'post_status_update', summary: 'Recovered', nextUpdateInMs: 20 * MIN }, userMeta());
    expect((await reminderRows(h, id)).status_update).toMatchObject({ plannedAt: at(84).toISOString(), snoozedUntil: at(92).toISOString() });
    h.clock.set(at(95));
    await applyCommand(h.deps, { id }, { type: 'post_status_update', summary: 'Monitoring' }, userMeta());
    expect((await reminderRows(h, id)).status_update).toMatchObject({ plannedAt: at(115).toISOString(), snoozedUntil: null });
  });

  it('explains what it cannot snooze', async () => {
    h.clock.set(at(0));
    const id = await declare(h);
    const none = await snoozeReminder(h.deps, { id }, { kind: 'review', durationMs: 30 * MIN }, userMeta());
    expect(none).toMatchObject({ ok: false, error: { code: 'reminder.none', params: { number: 3, kind: 'review_due' } } });
    expect(!none.ok && errorText(none.error).text).toBe('INC-3 has no pending report review reminder to snooze.');
    const lunch = await snoozeReminder(h.deps, { id }, { kind: 'lunch', durationMs: 30 * MIN }, userMeta());
    expect(lunch).toMatchObject({ ok: false, error: { code: 'reminder.unknown_kind' } });
    expect(!lunch.ok && errorText(lunch.error).text).toBe('Unknown reminder "lunch". Snooze one of: update, customer, checklist, activity, close, review.');
    expect(await snoozeReminder(h.deps, { id }, { durationMs: 0 }, userMeta())).toMatchObject({ ok: false, error: { code: 'reminder.bad_duration' } });
    expect(await snoozeReminder(h.deps, { number: 999 }, { durationMs: MIN }, userMeta())).toMatchObject({ ok: false, error: { code: 'incident.not_found' } });
    const early = await snoozeReminder(h.deps, { id }, { durationMs: 5 * MIN }, userMeta());
    expect(early.ok && snoozedText(early, h.deps.policy.reportTimezone).text).toBe('The status update reminder for INC-3 is not due before 13:20 UTC anyway, so snoozing changes nothing.');
  });
});
