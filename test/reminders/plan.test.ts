import { describe, expect, it } from 'vitest';
import { parseSnoozeKind } from '../../src/app/snooze-reminder.ts';
import { addBusinessDays, dueDate, inQuietHours, localParts, quietHoursEnd, zonedTimeToUtc } from '../../src/domain/business-days.ts';
import type { IncidentState } from '../../src/domain/incident.ts';
import type { Policy } from '../../src/domain/policy.ts';
import {
  parseReminderName, planReminders, quietHoursDeferral, reminderName, reminderStep, reviewDueAt, statusUpdateDueAt,
  type ReminderStep,
} from '../../src/domain/reminders.ts';
import { T0, at, declare, run, testPolicy } from '../helpers/domain.ts';
import { asSlackUserId } from '../../src/domain/ids.ts';
import { reminderFactsText } from '../../src/adapters/slack/strings/reminders.ts';

const policy: Policy = { ...testPolicy, reminders: { ...testPolicy.reminders, escalationTarget: { kind: 'user', id: asSlackUserId('UESCALATE') } } };
const byKind = (s: IncidentState, p: Policy = policy) => Object.fromEntries(planReminders(s, p).map((r) => [reminderName(r), r.dueAt]));

describe('planReminders', () => {
  it('plans the status update, the customer call, dated checklist items and the quiet-incident check of a SEV1', () => {
    const s = run([declare()]);
    expect(byKind(s)).toEqual({
      status_update: at(20).toISOString(),
      'customer_contact:acme': at(10).toISOString(),
      'checklist_item:notify-execs': at(30).toISOString(),
      no_activity: at(120).toISOString(),
    });
  });

  it('drops the customer call once it is done and every open-incident reminder once resolved', () => {
    const s = run([declare(), { type: 'record_customer_contact', details: 'Called Dana' }]);
    expect(byKind(run([declare()]))['customer_contact:acme']).toBe(at(10).toISOString());
    expect(byKind(s)['customer_contact:acme']).toBeUndefined();
    const resolved = run([{ type: 'resolve' }], s, at(50));
    expect(byKind(resolved)).toEqual({ resolved_not_closed: new Date(at(50).getTime() + 24 * 3_600_000).toISOString() });
  });

  it('is clock-free: the same state plans the same reminders', () => {
    const s = run([declare()]);
    expect(planReminders(s, policy)).toEqual(planReminders(structuredClone(s), policy));
  });
});

describe('statusUpdateDueAt', () => {
  it('honours a promise sooner than the cadence and caps a later one at the cadence', () => {
    const soon = run([declare(), { type: 'post_status_update', summary: 'Looking', nextUpdateInMs: 5 * 60_000 }], undefined, at(2));
    expect(statusUpdateDueAt(soon, policy)).toBe(at(7).toISOString());
    const late = run([declare(), { type: 'post_status_update', summary: 'Looking', nextUpdateInMs: 60 * 60_000 }], undefined, at(2));
    expect(statusUpdateDueAt(late, policy)).toBe(at(22).toISOString()); // SEV1 cadence is a maximum
  });

  it('follows a severity change at once: last update (or declaration) + the new cadence', () => {
    const sev3 = run([declare({ severity: 'SEV3' })]);
    expect(statusUpdateDueAt(sev3, policy)).toBe(at(60).toISOString());
    const raised = run([{ type: 'change_severity', severity: 'SEV1' }], sev3, at(10));
    expect(statusUpdateDueAt(raised, policy)).toBe(at(20).toISOString());
    const lowered = run([{ type: 'change_severity', severity: 'SEV3' }], run([declare()]), at(5));
    expect(statusUpdateDueAt(lowered, policy)).toBe(at(60).toISOString());
  });
});

describe('calendar arithmetic in a zone', () => {
  it('counts 5 business days from a Friday to the next Friday', () => {
    expect(addBusinessDays({ year: 2026, month: 3, day: 6 }, 5)).toEqual({ year: 2026, month: 3, day: 13 });
    expect(addBusinessDays({ year: 2026, month: 3, day: 7 }, 1)).toEqual({ year: 2026, month: 3, day: 9 }); // Saturday → Monday
  });

  it('takes the close date in the report zone, not in UTC', () => {
    // 23:30 UTC Friday is already Saturday in Tokyo: 5 business days from Saturday is the Friday after next.
    const closed = new Date('2026-03-06T23:30:00Z');
    expect(dueDate(closed, { days: 5, business: true }, 'UTC')).toEqual({ year: 2026, month: 3, day: 13 });
    expect(dueDate(closed, { days: 5, business: true }, 'Asia/Tokyo')).toEqual({ year: 2026, month: 3, day: 13 });
    expect(dueDate(closed, { days: 3, business: false }, 'Asia/Tokyo')).toEqual({ year: 2026, month: 3, day: 10 });
  });

  it('finds the UTC instant of a local time across a DST change', () => {
    // New York moves to summer time on Sunday 2026-03-08.
    expect(zonedTimeToUtc({ year: 2026, month: 3, day: 6 }, 9, 0, 'America/New_York').toISOString()).toBe('2026-03-06T14:00:00.000Z');
    expect(zonedTimeToUtc({ year: 2026, month: 3, day: 13 }, 9, 0, 'America/New_York').toISOString()).toBe('2026-03-13T13:00:00.000Z');
    expect(reviewDueAt('2026-03-06T20:00:00.000Z', { days: 5, business: true }, 'America/New_York')).toBe('2026-03-13T13:00:00.000Z');
    expect(localParts(new Date('2026-03-13T13:00:00Z'), 'America/New_York')).toMatchObject({ day: 13, hour: 9, minute: 0 });
  });

  it('ends quiet hours that cross midnight on the right day', () => {
    const qh = { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' };
    expect(quietHoursEnd(qh, new Date('2026-03-02T21:30:00Z'))?.toISOString()).toBe('2026-03-03T06:00:00.000Z'); // 22:30 local
    expect(quietHoursEnd(qh, new Date('2026-03-03T02:00:00Z'))?.toISOString()).toBe('2026-03-03T06:00:00.000Z'); // 03:00 local
    expect(inQuietHours(qh, new Date('2026-03-02T20:59:00Z'))).toBe(false); // 21:59 local
    expect(inQuietHours(qh, new Date('2026-03-03T06:00:00Z'))).toBe(false); // 07:00 local: over
    expect(quietHoursEnd({ start: '12:00', end: '13:00', timezone: 'UTC' }, new Date('2026-03-02T12:30:00Z'))?.toISOString()).toBe('2026-03-02T13:00:00.000Z');
    expect(quietHoursEnd({ start: '07:00', end: '07:00', timezone: 'UTC' }, new Date('2026-03-02T07:00:00Z'))).toBeUndefined();
  });
});

/** A step in the words the Slack adapter gives its facts. */
const words = (step: ReminderStep): string => reminderFactsText(step.facts, step.mention).text;

describe('reminderStep', () => {
  const s = run([declare(), { type: 'member_joined', userId: asSlackUserId('ULIAISON') }, { type: 'assign_role', role: 'customer-liaison', userId: asSlackUserId('ULIAISON') }]);
  const update = { kind: 'status_update' as const, subject: '', dueAt: at(20).toISOString() };

  it('walks channel → DM commander → escalation target → channel again, timed from now', () => {
    const l1 = reminderStep(update, 1, s, policy, at(24));
    expect(l1).toMatchObject({ level: 1, recipient: 'incident', mention: ['UCOMMANDER', 'ULIAISON'], nextLevel: 2, nextDueAt: at(29).toISOString() });
    expect(words(l1)).toBe(':alarm_clock: Status update overdue by 4 min for INC-42 (SEV1, every 20 min). <@UCOMMANDER> <@ULIAISON>: post one with `/incident update`.');
    expect(reminderStep(update, 2, s, policy, at(29))).toMatchObject({ level: 2, recipient: 'UCOMMANDER', nextLevel: 3, nextDueAt: at(34).toISOString() });
    const l3 = reminderStep(update, 3, s, policy, at(34));
    expect(l3).toMatchObject({ level: 3, recipient: 'UESCALATE', nextLevel: 1, nextDueAt: at(54).toISOString() });
    expect(words(l3)).toContain('has had no status update for 14 min past due');
  });

  it('skips levels that reach nobody', () => {
    const noTarget: Policy = { ...policy, reminders: { ...policy.reminders, escalationTarget: undefined } };
    expect(reminderStep(update, 2, s, noTarget, at(29))).toMatchObject({ level: 2, nextLevel: 1, nextDueAt: at(49).toISOString() });
    const noCommander: IncidentState = { ...run([declare()]), roles: {} };
    expect(reminderStep(update, 1, noCommander, policy, at(20))).toMatchObject({ mention: [], nextLevel: 3 });
    expect(reminderStep(update, 2, noCommander, policy, at(25))).toMatchObject({ level: 3, recipient: 'UESCALATE' });
  });

  it('sends one-shot kinds once', () => {
    const item = reminderStep({ kind: 'checklist_item', subject: 'notify-execs', dueAt: at(30).toISOString() }, 1, s, policy, at(32));
    expect(item.nextDueAt).toBeUndefined();
    expect(words(item)).toContain('"Notify internal stakeholders and executives" is overdue by 2 min for INC-42');
    const review = reminderStep({ kind: 'review_due', subject: '', dueAt: T0.toISOString() }, 1, s, policy, T0);
    expect(review.recipient).toBe('UCOMMANDER');
    expect(review.nextDueAt).toBeUndefined();
  });
});

describe('quietHoursDeferral', () => {
  const quiet: Policy = {
    ...policy,
    severities: policy.severities.map((sev) => ({ ...sev, quietHours: { start: '22:00', end: '07:00', timezone: 'UTC' } })),
  };
  const night = new Date('2026-03-02T23:00:00Z');
  it('defers level-1 channel reminders of non-escalating kinds to the end of quiet hours', () => {
    const s = run([declare()]);
    expect(quietHoursDeferral({ kind: 'no_activity', subject: '', dueAt: night.toISOString() }, 1, s, quiet, night)).toBe('2026-03-03T07:00:00.000Z');
  });
  it('never silences status updates or customer calls of customer-impacting severities', () => {
    const s = run([declare()]);
    expect(quietHoursDeferral({ kind: 'status_update', subject: '', dueAt: night.toISOString() }, 1, s, quiet, night)).toBeUndefined();
    expect(quietHoursDeferral({ kind: 'customer_contact', subject: '', dueAt: night.toISOString() }, 1, s, quiet, night)).toBeUndefined();
    const sev4 = run([declare({ severity: 'SEV4' })]);
    expect(quietHoursDeferral({ kind: 'status_update', subject: '', dueAt: night.toISOString() }, 1, sev4, quiet, night)).toBe('2026-03-03T07:00:00.000Z');
  });
});

describe('reminder names and snooze kinds', () => {
  it('round-trips names and reads the words people type', () => {
    expect(parseReminderName(reminderName({ kind: 'checklist_item', subject: 'notify-execs' }))).toEqual({ kind: 'checklist_item', subject: 'notify-execs' });
    expect(parseReminderName('nonsense')).toBeUndefined();
    expect(parseSnoozeKind(undefined)).toEqual({ kind: 'status_update' });
    expect(parseSnoozeKind('customer')).toEqual({ kind: 'customer_contact' });
    expect(parseSnoozeKind('no-activity')).toEqual({ kind: 'no_activity' });
    expect(parseSnoozeKind('checklist_item:notify-execs')).toEqual({ kind: 'checklist_item', subject: 'notify-execs' });
    expect(parseSnoozeKind('lunch')).toBeUndefined();
  });
});
