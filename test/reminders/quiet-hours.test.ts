import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDueReminders } from '../../src/app/send-reminders.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { basePolicy, declare, reminderRows, sentReminders, setup, type Harness } from './harness.ts';

// Quiet hours 22:00–07:00 Berlin (UTC+1 in March) on every severity.
const policy: Policy = {
  ...basePolicy,
  severities: basePolicy.severities.map((s) => ({ ...s, quietHours: { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' } })),
};
const utc = (s: string) => new Date(`2026-03-02T${s}:00.000Z`);
const nextDay = (s: string) => new Date(`2026-03-03T${s}:00.000Z`);

let h: Harness;
beforeAll(async () => {
  h = await setup(policy);
});
afterAll(async () => {
  await h.close();
});

const send = async (when: Date) => {
  h.clock.set(when);
  return sendDueReminders(h.deps, { limit: 100 });
};

describe('quiet hours', () => {
  it('defer a no-activity reminder to the end of quiet hours, but never a customer-impacting status update', async () => {
    h.clock.set(utc('20:30')); // 21:30 Berlin
    const id = await declare(h, { severity: 'SEV3' });
    // SEV3: update and customer call due 21:30 UTC (22:30 Berlin, quiet); no activity due 22:30 UTC.
    await send(utc('21:30'));
    expect((await sentReminders(h, id)).map((s) => s.reminder).sort()).toEqual(['customer_contact:acme', 'status_update']);

    const r = await send(utc('22:30'));
    expect(r.deferred).toBe(1);
    expect(await sentReminders(h, id, 'no_activity')).toHaveLength(0);
    // 07:00 Berlin the next morning.
    expect((await reminderRows(h, id)).no_activity).toMatchObject({ dueAt: nextDay('06:00').toISOString(), level: 1, sentCount: 0 });

    await send(nextDay('05:59'));
    expect(await sentReminders(h, id, 'no_activity')).toHaveLength(0);
    await send(nextDay('06:00'));
    const sent = await sentReminders(h, id, 'no_activity');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ level: 1, recipient: 'incident', occurredAt: nextDay('06:00').toISOString() });
    expect(await sendDueReminders(h.deps, { limit: 100 })).toMatchObject({ sent: 0, deferred: 0 });
  });

  it('silence the status update of a severity that is not customer-impacting', async () => {
    h.clock.set(utc('20:30'));
    const id = await declare(h, { severity: 'SEV4', customers: [] });
    // SEV4: update every 4 h, due 00:30 UTC (01:30 Berlin); its no-activity check (22:30 UTC) waits too.
    expect(await send(nextDay('00:30'))).toMatchObject({ sent: 0, deferred: 2 });
    expect((await reminderRows(h, id)).status_update).toMatchObject({ dueAt: nextDay('06:00').toISOString(), level: 1 });
    expect(await sentReminders(h, id, 'status_update')).toHaveLength(0);
    await send(nextDay('06:00'));
    expect(await sentReminders(h, id, 'status_update')).toMatchObject([{ level: 1, occurredAt: nextDay('06:00').toISOString() }]);
  });
});
