/**
 * Request hardening at the two doors (`/slack/events`, `/pagerduty/webhook`):
 * a Slack timestamp from the future is refused like a stale one; text holding
 * NUL or a lone surrogate is cleaned and applied instead of failing every
 * attempt; every refused request is counted in
 * `kranz_requests_rejected_total{source,reason}` and logged at warn, once a
 * minute per reason, with its likely cause.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../src/sandbox/slack/index.ts';
import { UNRECORDED_REPLY } from '../../src/adapters/slack/receiver.ts';
import { incidentChannel, outboxDrained, SIGNING_SECRET, USERS } from '../helpers/kranz-harness.ts';
import { command, count, ephemeralTexts, postToKranz, recordedCounts } from '../helpers/slack-e2e.ts';
import { startPdHarness, type PdHarness } from '../helpers/pd-harness.ts';
import { logLines } from '../helpers/log-lines.ts';

interface LogLine { level: number; msg: string; reason?: string; likelyCause?: string; source?: string; moreSinceLastWarning?: number }
const { lines, sink } = logLines<LogLine>();

let h: PdHarness;
beforeAll(async () => {
  h = await startPdHarness({ log: pino({ level: 'warn' }, sink) });
});
afterAll(async () => h?.close());

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${h.kranz.url}/metrics`)).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line ? Number(line.split(' ').pop()) : 0;
}

const warnings = (reason: string, source: string): LogLine[] => lines.filter((l) => l.level === 40 && l.reason === reason && l.source === source);

describe('Slack request hardening', () => {
  it('refuses a timestamp more than 5 minutes in the future, stores nothing, counts and explains it', async () => {
    // A real command as the stand-in sends it (with a live response_url), re-signed by hand.
    const base = await h.slack.user(USERS.dana.id).slashCommand('CGENERAL', '/incident', 'help');
    await outboxDrained(h);
    const form = (text: string): string => {
      const f = new URLSearchParams(base.delivery.rawBody);
      f.set('trigger_id', h.slack.issueTriggerId(USERS.dana.id));
      f.set('text', text);
      return f.toString();
    };
    const body = form('declare SEV1 From the future');
    const before = { commands: await count(h, "select 1 from inbound_archive where dedupe_key like 'slack:cmd:%'") };
    const future = Math.floor(Date.now() / 1000) + 6 * 60;
    const r = await postToKranz(h, body, { timestampSec: future, signature: signSlackRequest(SIGNING_SECRET, future, body) });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'invalid_signature', reason: expect.stringContaining('future') });
    // Four minutes ahead is within Slack's allowance (clocks drift) and is accepted.
    const near = Math.floor(Date.now() / 1000) + 4 * 60;
    const nearBody = form('declare SEV1 Slightly ahead');
    expect((await postToKranz(h, nearBody, { timestampSec: near, signature: signSlackRequest(SIGNING_SECRET, near, nearBody) })).status).toBe(200);
    await outboxDrained(h);
    expect(await count(h, "select 1 from incidents where title = 'From the future'")).toBe(0);
    expect(await count(h, "select 1 from incidents where title = 'Slightly ahead'")).toBe(1);
    // Only the command four minutes ahead was stored (its declare's own Slack events aside).
    expect(await count(h, "select 1 from inbound_archive where dedupe_key like 'slack:cmd:%'")).toBe(before['commands']! + 1);
    expect(await metric('kranz_requests_rejected_total', { source: 'slack', reason: 'future_timestamp' })).toBe(1);
    expect(warnings('future_timestamp', 'slack')[0]?.likelyCause).toMatch(/clock/);
  });

  it('counts every request signed with a wrong secret and warns once a minute naming SLACK_SIGNING_SECRET', async () => {
    const body = new URLSearchParams({ command: '/incident', text: 'list', user_id: USERS.dana.id, channel_id: 'CGENERAL', team_id: 'T1', trigger_id: 'wrong.1' }).toString();
    for (let i = 0; i < 5; i++) expect((await postToKranz(h, body, { secret: 'the-client-secret-by-mistake' })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 10 * 60;
    expect((await postToKranz(h, body, { timestampSec: stale })).status).toBe(401);
    expect(await metric('kranz_requests_rejected_total', { source: 'slack', reason: 'signature' })).toBe(5);
    expect(await metric('kranz_requests_rejected_total', { source: 'slack', reason: 'stale_timestamp' })).toBe(1);
    const warned = warnings('signature', 'slack');
    expect(warned).toHaveLength(1);
    expect(warned[0]?.msg).toContain('check SLACK_SIGNING_SECRET');
    // The signature itself never reaches the log.
    expect(JSON.stringify(lines)).not.toContain('v0=');
  });

  it('applies a command whose text holds NUL and lone surrogates, cleaned, and never says "will apply"', async () => {
    const dana = h.slack.user(USERS.dana.id);
    await command(h, dana, 'CGENERAL', 'declare SEV3 Cleaning test');
    const incidents = await h.pool.query<{ number: number }>("select number from incidents where title = 'Cleaning test'");
    const ch = await incidentChannel(h, incidents.rows[0]!.number);
    await outboxDrained(h);
    // A form body carries NUL as %00 (a lone surrogate cannot be URL-encoded at all).
    const replies = await command(h, dana, ch.id, 'note before\u0000after and an emoji \uD83D\uDE00');
    expect(replies.join('\n')).toContain('Added to the timeline');
    expect(replies.join('\n')).not.toMatch(/will apply|could not/);
    const notes = await h.pool.query<{ text: string }>("select data->>'text' as text from incident_events where type = 'note_added' order by seq desc limit 1");
    expect(notes.rows[0]?.text).toBe('beforeafter and an emoji \uD83D\uDE00');

    // A JSON body (events, interactions) can carry both as escapes: a message with a cut emoji.
    const posted = await dana.postMessage(ch.id, 'a message to copy');
    await outboxDrained(h);
    const event = JSON.parse(posted.delivery!.rawBody) as { event_id: string; event: { ts: string; text: string } };
    event.event_id = 'Ev0HARDEN01';
    event.event.ts = '1700000001.000200';
    event.event.text = 'cut \uD83D emoji\u0000 and \uDE00 tail';
    const raw = JSON.stringify(event);
    expect(raw).toContain('\\ud83d');
    expect((await postToKranz(h, raw, { contentType: 'application/json' })).status).toBe(200);
    await outboxDrained(h);
    const msgs = await h.pool.query<{ text: string }>("select text from slack_messages where ts = '1700000001.000200'");
    expect(msgs.rows.map((m) => m.text)).toEqual(['cut  emoji and  tail']);
    expect(await count(h, "select 1 from inbound_archive where status = 'failed'")).toBe(0);
    expect(ephemeralTexts(h, USERS.dana.id).join('\n')).not.toContain('will apply shortly');
  });

  it('answers "could not be recorded" when neither the database nor the disk takes a command, and stores nothing', async () => {
    const dana = h.slack.user(USERS.dana.id);
    // The database hangs (a lock held past the 1.5 s archive budget) and the spool directory
    // cannot be created (a file sits where it should be).
    const spoolDir = join(h.dataDir, 'spool');
    await rm(spoolDir, { recursive: true, force: true });
    await writeFile(spoolDir, 'not a directory');
    const locker = await h.pool.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table inbound_archive in access exclusive mode');
      const r = await dana.slashCommand('CGENERAL', '/incident', 'declare SEV2 Never recorded');
      expect(r.status).toBe(200);
      expect((r.json as { text?: string }).text).toBe(UNRECORDED_REPLY);
      expect(UNRECORDED_REPLY).toMatch(/could not record this request/);
      expect(UNRECORDED_REPLY).not.toMatch(/will apply/);
      await locker.query('rollback');
    } finally {
      locker.release();
      await rm(spoolDir, { force: true });
    }
    await outboxDrained(h);
    expect(await count(h, "select 1 from inbound_archive where body like '%Never+recorded%'")).toBe(0);
    expect(await count(h, "select 1 from incidents where title = 'Never recorded'")).toBe(0);
  });
});

describe('what is stored', () => {
  it("drops Slack's verification token from every stored body (commands, events, interactions)", async () => {
    const token = h.slack.workspace.config.verificationToken;
    // Every Slack request this file sent so far carried it; none of the stored bodies does.
    const slackRows = await h.pool.query<{ body: string; dedupe_key: string }>("select body, dedupe_key from inbound_archive where source = 'slack'");
    expect(slackRows.rows.length).toBeGreaterThan(5);
    expect(new Set(slackRows.rows.map((r) => r.dedupe_key.split(':')[1]))).toEqual(new Set(['cmd', 'event']));
    expect(slackRows.rows.filter((r) => r.body.includes(token))).toEqual([]);
    // The rest of each body is kept: a stored command still names its response_url.
    expect(slackRows.rows.some((r) => r.body.includes('response_url='))).toBe(true);
  });
});

describe('PagerDuty request hardening', () => {
  it('counts webhooks signed with an unknown secret and warns once naming PAGERDUTY_WEBHOOK_SECRETS', async () => {
    const incident = h.pdIncident({ title: 'Unsigned test' });
    for (let i = 0; i < 3; i++) {
      const r = await h.send({ event: { eventType: 'incident.triggered', incident }, wrongSecret: true });
      expect(r.status).toBe(401);
    }
    expect(await metric('kranz_requests_rejected_total', { source: 'pagerduty', reason: 'signature' })).toBe(3);
    const warned = warnings('signature', 'pagerduty');
    expect(warned).toHaveLength(1);
    expect(warned[0]?.msg).toContain('check PAGERDUTY_WEBHOOK_SECRETS');
  });

  it('applies a webhook whose title holds NUL and a lone surrogate, cleaned', async () => {
    const incident = h.pdIncident({ title: 'Disk\u0000 full \uD800on db-1' });
    const r = await h.event('incident.triggered', incident);
    expect(r.status).toBe(202);
    await outboxDrained(h, 15_000);
    const rows = await h.pool.query<{ title: string }>("select title from incidents where title like 'Disk%'");
    expect(rows.rows.map((x) => x.title)).toEqual(['Disk full on db-1']);
    expect(await count(h, "select 1 from inbound_archive where status = 'failed'")).toBe(0);
  });
});
