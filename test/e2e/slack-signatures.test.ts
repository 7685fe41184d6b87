/**
 * Requests to /slack/events that Slack did not sign, signed with another
 * secret, signed for another body, or signed too long ago are refused with
 * 401 before anything is stored: no archive row, no spool line, no event.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../src/sandbox/slack/index.ts';
import { incidentChannel, outboxDrained, SIGNING_SECRET, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { count, postToKranz, recordedCounts, type RawPostOptions } from '../helpers/slack-e2e.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('request signatures', () => {
  it('answers 401 to unsigned, wrongly signed, tampered and stale requests and records nothing', async () => {
    const dana = h.slack.user(USERS.dana.id);
    const declared = await dana.slashCommand('CGENERAL', '/incident', 'declare SEV2 Reports are late');
    const ch = await incidentChannel(h, 1);
    await outboxDrained(h);
    const posted = await dana.postMessage(ch.id, 'Looking at the report queue');
    await outboxDrained(h);

    // Bodies that would be acted on if accepted: a new message in the incident channel, a new declare.
    const event = JSON.parse(posted.delivery!.rawBody) as { event_id: string; event: { ts: string; text: string } };
    event.event_id = 'Ev0FORGED01';
    event.event.ts = '1700000000.000100';
    event.event.text = 'forged message';
    const eventBody = JSON.stringify(event);
    const form = new URLSearchParams(declared.delivery.rawBody);
    form.set('trigger_id', h.slack.issueTriggerId(USERS.dana.id));
    form.set('text', 'declare SEV1 Forged incident');
    const commandBody = form.toString();
    const bodies: [string, string][] = [[eventBody, 'application/json'], [commandBody, 'application/x-www-form-urlencoded']];

    const before = await recordedCounts(h);
    const now = Math.floor(Date.now() / 1000);
    const stale = now - 6 * 60;
    for (const [body, contentType] of bodies) {
      const variants: [string, RawPostOptions][] = [
        ['unsigned', { signature: null }],
        ['wrong secret', { secret: 'not-the-signing-secret' }],
        ['signed for another body', { signature: signSlackRequest(SIGNING_SECRET, now, `${body}&x=1`) }],
        ['unknown signature version', { signature: signSlackRequest(SIGNING_SECRET, now, body).replace(/^v0=/, 'v1=') }],
        ['stale timestamp (6 min)', { timestampSec: stale }],
      ];
      for (const [what, o] of variants) {
        const r = await postToKranz(h, body, { contentType, ...o });
        expect({ what, status: r.status }).toEqual({ what, status: 401 });
        expect(r.body).not.toMatch(/at .*\.(ts|js):\d+/);
      }
    }
    expect(await recordedCounts(h)).toEqual(before);
    expect(await count(h, "select 1 from slack_messages where text = 'forged message'")).toBe(0);
    expect(await count(h, "select 1 from incidents where title like 'Forged%'")).toBe(0);
    // Refused before the intake: nothing was spooled to disk either.
    expect(existsSync(join(h.dataDir, 'spool', 'inbound.jsonl'))).toBe(false);

    // The same bodies, signed properly, are accepted: the 401s were about the signatures alone.
    expect((await postToKranz(h, eventBody, { contentType: 'application/json' })).status).toBe(200);
    await outboxDrained(h);
    expect(await count(h, "select 1 from slack_messages where text = 'forged message'")).toBe(1);
    expect(await count(h, 'select 1 from inbound_archive')).toBe(before['inbound_archive']! + 1);
  });
});
