/**
 * `/incident snooze` and the Snooze button on a reminder reach the snooze use
 * case through Slack like every other command: the reminder row is held, the
 * person gets a private answer, and a Kranz without the reminder scheduler
 * says so instead of holding a reminder nobody would send. Both ask the
 * permissions policy first (`permissions.allow.snooze_reminder`): someone it
 * does not allow gets the refusal other commands give, and nothing is held.
 */
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reminderMessage } from '../../src/adapters/slack/blocks/incident.ts';
import { remindersExtension } from '../../src/extensions.ts';
import { md } from '../../src/adapters/slack/mrkdwn.ts';
import { DEFAULT_PERMISSIONS } from '../../src/domain/permissions.ts';
import { testPolicy } from '../helpers/domain.ts';
import { BOT_TOKEN, incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { command, count, ephemeralTexts } from '../helpers/slack-e2e.ts';

const HOUR = 3_600_000;

async function statusReminder(h: Harness, number: number): Promise<{ incidentId: string; snoozedUntil: Date | null }> {
  const r = await h.pool.query<{ incident_id: string; snoozed_until: Date | null }>(
    `select r.incident_id, r.snoozed_until from reminders r join incidents i on i.id = r.incident_id
      where i.number = $1 and r.kind = 'status_update'`,
    [number],
  );
  const row = r.rows[0];
  if (!row) throw new Error(`INC-${number} has no status update reminder`);
  return { incidentId: row.incident_id, snoozedUntil: row.snoozed_until };
}

/** Posts a reminder the way the deliverer does, so a person can click its Snooze button. */
async function postReminder(h: Harness, channel: string, incidentId: string): Promise<string> {
  const client = new WebClient(BOT_TOKEN, { slackApiUrl: h.slack.apiUrl });
  const m = reminderMessage(md`The status update is due.`, [USERS.dana.id], JSON.stringify({ incidentId, reminder: 'status_update' }));
  const posted = await client.chat.postMessage({ channel, ...(m as object), text: m.text } as never);
  return posted.ts ?? '';
}

describe('snooze with the reminder scheduler running', () => {
  let h: Harness;
  beforeAll(async () => {
    // A minute between ticks: no reminder falls due while the test runs.
    h = await startHarness({ extensions: [remindersExtension], env: { KRANZ_TICK_SECONDS: '60' } });
  });
  afterAll(async () => h?.close());
  const dana = () => h.slack.user(USERS.dana.id);

  it('`/incident snooze 12h` holds the status update reminder and says until when', async () => {
    await command(h, dana(), 'CGENERAL', 'declare SEV2 Search is slow');
    const channel = (await incidentChannel(h, 1)).id;
    await outboxDrained(h);
    const before = Date.now();
    const answers = await command(h, dana(), channel, 'snooze 12h');
    expect(answers.at(-1)).toMatch(/^Snoozed the status update reminder for INC-1 for 12h, until /);
    const { snoozedUntil } = await statusReminder(h, 1);
    expect(snoozedUntil).not.toBeNull();
    expect(Math.abs(snoozedUntil!.getTime() - (before + 12 * HOUR))).toBeLessThan(60_000);
  });

  it('the Snooze button on a reminder reaches the same use case', async () => {
    await command(h, dana(), 'CGENERAL', 'declare SEV2 Exports fail');
    const channel = (await incidentChannel(h, 2)).id;
    await outboxDrained(h);
    const { incidentId } = await statusReminder(h, 2);
    const ts = await postReminder(h, channel, incidentId);
    const seen = ephemeralTexts(h, USERS.dana.id, channel).length;
    const click = await dana().blockAction({ channel, messageTs: ts }, 'snooze_reminder');
    expect(click.status).toBe(200);
    const answer = await h.slack.waitFor(() => ephemeralTexts(h, USERS.dana.id, channel)[seen], { what: 'the answer to the Snooze button' });
    // Fifteen minutes: either the reminder is held, or it was not due that soon anyway; both come from the use case.
    expect(answer).toMatch(/^(Snoozed the status update reminder for INC-2 for 15m|The status update reminder for INC-2 is not due before .* anyway)/);
  });

  it('refuses someone outside the incident channel, as any contribution is refused, and holds nothing', async () => {
    await command(h, dana(), 'CGENERAL', 'declare SEV2 Invoices are late');
    const channel = (await incidentChannel(h, 3)).id;
    await outboxDrained(h);
    const keys = await count(h, 'select 1 from command_keys');
    const answers = await command(h, h.slack.user(USERS.eve.id), channel, 'snooze 12h update');
    expect(answers.at(-1)).toBe(`:warning: You may not snooze reminders of INC-3. Only members of <#${channel}>, the commander (<@${USERS.dana.id}>) or people with a role on the incident (<@${USERS.dana.id}>) may do that. (Set in the Kranz policy, \`permissions.allow.snooze_reminder\`.)`);
    expect((await statusReminder(h, 3)).snoozedUntil).toBeNull();
    expect(await count(h, 'select 1 from command_keys')).toBe(keys);
  });
});

describe('snooze kept to the commander by the policy', () => {
  let h: Harness;
  beforeAll(async () => {
    const policy = { ...testPolicy, permissions: { admins: [], allow: { ...DEFAULT_PERMISSIONS.allow, snooze_reminder: ['commander' as const] } } };
    h = await startHarness({ policy, extensions: [remindersExtension], env: { KRANZ_TICK_SECONDS: '60' } });
  });
  afterAll(async () => h?.close());
  const dana = () => h.slack.user(USERS.dana.id);
  const sam = () => h.slack.user(USERS.sam.id);

  async function deniedCount(): Promise<number> {
    const text = await (await fetch(`${h.kranz.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('kranz_permission_denied_total{') && l.includes('action="snooze_reminder"') && l.includes('reason="denied"'));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  it('the Snooze button answers a member of the channel with the refusal and holds nothing; the commander\'s click holds it', async () => {
    await command(h, dana(), 'CGENERAL', 'declare SEV2 Webhooks are delayed');
    const channel = (await incidentChannel(h, 1)).id;
    await sam().join(channel);
    await outboxDrained(h);
    const { incidentId } = await statusReminder(h, 1);
    const ts = await postReminder(h, channel, incidentId);
    const keys = await count(h, 'select 1 from command_keys');
    const denied = await deniedCount();

    const seen = ephemeralTexts(h, USERS.sam.id, channel).length;
    expect((await sam().blockAction({ channel, messageTs: ts }, 'snooze_reminder')).status).toBe(200);
    const refusal = await h.slack.waitFor(() => ephemeralTexts(h, USERS.sam.id, channel)[seen], { what: 'the answer to Sam\'s click' });
    expect(refusal).toBe(`:warning: You may not snooze reminders of INC-1. Only the commander (<@${USERS.dana.id}>) may do that. (Set in the Kranz policy, \`permissions.allow.snooze_reminder\`.)`);
    expect((await statusReminder(h, 1)).snoozedUntil).toBeNull();
    expect(await count(h, 'select 1 from command_keys')).toBe(keys);
    expect(await deniedCount()).toBe(denied + 1);

    const before = ephemeralTexts(h, USERS.dana.id, channel).length;
    expect((await dana().blockAction({ channel, messageTs: ts }, 'snooze_reminder')).status).toBe(200);
    const answer = await h.slack.waitFor(() => ephemeralTexts(h, USERS.dana.id, channel)[before], { what: 'the answer to Dana\'s click' });
    expect(answer).toMatch(/^(Snoozed the status update reminder for INC-1 for 15m|The status update reminder for INC-1 is not due before .* anyway)/);
    expect(await count(h, 'select 1 from command_keys')).toBe(keys + 1);
  });
});

describe('snooze without the reminder scheduler', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ extensions: [] });
  });
  afterAll(async () => h?.close());
  const dana = () => h.slack.user(USERS.dana.id);

  it('says reminders are not running and holds nothing', async () => {
    await command(h, dana(), 'CGENERAL', 'declare SEV2 Login is slow');
    const channel = (await incidentChannel(h, 1)).id;
    await outboxDrained(h);
    const answers = await command(h, dana(), channel, 'snooze 30m');
    expect(answers.at(-1)).toBe(':warning: Reminders are not running on this Kranz.');
    expect((await statusReminder(h, 1)).snoozedUntil).toBeNull();
  });
});
