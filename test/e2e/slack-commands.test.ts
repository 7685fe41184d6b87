/**
 * What people see when a command goes wrong: bad text gets a private usage
 * line and records nothing; `help` lists every subcommand; a command that
 * needs an incident channel explains itself elsewhere; a Slack API failure
 * reads as a sentence, never a stack trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USAGE } from '../../src/adapters/slack/command-parser.ts';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { command, count, recordedCounts } from '../helpers/slack-e2e.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const STACK = /at .*\.(ts|js):\d+|Error:|\n\s+at /;
const dana = () => h.slack.user(USERS.dana.id);

/** What a failed command must not change; the raw request itself is archived (and marked handled). */
async function stateCounts(): Promise<Record<string, number>> {
  const { inbound_archive: _archived, ...rest } = await recordedCounts(h);
  return rest;
}

describe('command errors', () => {
  let channel = '';
  beforeAll(async () => {
    await command(h, dana(), 'CGENERAL', 'declare SEV2 Dashboards load slowly');
    channel = (await incidentChannel(h, 1)).id;
    await outboxDrained(h);
  });

  it('answers bad command text privately with usage and records nothing', async () => {
    const before = await stateCounts();
    const cases: [string, string, RegExp][] = [
      ['CGENERAL', 'frobnicate', /^Unknown subcommand `frobnicate`\.\n\*Kranz commands\*\n/],
      [channel, 'sev', /^`\/incident sev` needs one severity level\. Usage: `\/incident sev SEV1`$/],
      [channel, 'role commander nobody', /^`\/incident role` needs a role and a @mention\. Usage: `\/incident role commander @dana`$/],
      [channel, 'action maybe Do something', /needs `prevent` or `fail-better` and a text/],
      [channel, 'snooze forever', /needs a duration such as 15m or 1h/],
      [channel, 'close now please', /`\/incident close` needs nothing after it/],
      [channel, 'sev SEV9', /^:warning: .*SEV9/],
      [channel, 'role pilot <@UEVE|eve>', /^:warning: /],
    ];
    for (const [where, text, expected] of cases) {
      const seen = await command(h, dana(), where, text);
      expect({ text, seen }).toEqual({ text, seen: [expect.stringMatching(expected)] });
      expect(seen[0]).not.toMatch(STACK);
    }
    expect(await stateCounts()).toEqual(before);
    // Every request was still archived and marked handled, none left to replay.
    expect(await count(h, "select 1 from inbound_archive where status = 'received'")).toBe(0);
  });

  it('lists every subcommand in help', async () => {
    const [help] = await command(h, dana(), 'CGENERAL', 'help');
    expect(help).toBeDefined();
    // Placeholders such as `<level>` are text, not links: escaped as Slack asks.
    for (const [usage] of USAGE) expect(help).toContain(`\`/incident ${usage.replace(/</g, '&lt;').replace(/>/g, '&gt;')}\``);
    expect(help).not.toMatch(/<(?![@#!])/);
    for (const sub of ['declare', 'update', 'sev', 'role', 'note', 'customer-contacted', 'root-cause', 'action', 'resolve', 'close', 'reopen', 'report', 'status', 'list', 'page', 'snooze', 'help']) {
      expect(help).toContain(`/incident ${sub}`);
    }
  });

  it('explains when a command needs an incident channel', async () => {
    const before = await stateCounts();
    for (const text of ['resolve', 'note Looks better', 'customer-contacted Called Acme', 'close', 'status', 'update']) {
      const seen = await command(h, dana(), 'CGENERAL', text);
      expect({ text, seen }).toEqual({ text, seen: [expect.stringMatching(/not an incident channel|in an incident channel/)] });
    }
    expect(await command(h, dana(), 'CGENERAL', 'resolve')).toEqual([
      ':warning: This channel is not an incident channel. Run it in the incident\'s channel, or `/incident list` to find it.',
    ]);
    expect(await stateCounts()).toEqual(before);
  });

  it('turns a Slack API failure into a readable message', async () => {
    // Bolt's client retries once, so two failures in a row reach the listener.
    h.slack.faults.outage('views.open', { times: 2 });
    const seen = await command(h, dana(), 'CGENERAL', 'declare');
    expect(seen).toEqual([':warning: Slack is having trouble right now (HTTP 503). Please try again in a moment.']);
    expect(h.slack.workspace.topModal(USERS.dana.id)).toBeUndefined();
    // The next try works.
    await command(h, dana(), 'CGENERAL', 'declare');
    expect(h.slack.workspace.topModal(USERS.dana.id)?.callback_id).toBe('declare_incident');
    for (const p of h.slack.workspace.responseUrlPosts) expect(JSON.stringify(p.body)).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});
