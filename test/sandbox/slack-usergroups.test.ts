/**
 * `usergroups.users.list` in the Slack stand-in, against Slack's method
 * reference (test/fixtures/slack/usergroups), through the real WebClient; and
 * Kranz's access directory over it: answers cached for a while, failures
 * thrown (never cached) so the permission check fails closed.
 */
import { readFileSync } from 'node:fs';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackAccessDirectory } from '../../src/adapters/slack/access-directory.ts';
import { startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/index.ts';

interface MethodDoc {
  args: { required: string[] };
  output: { required: string[]; properties: Record<string, { type: string }> };
  errors: Record<string, unknown>;
  examples: { success: { example: Record<string, unknown> } };
}
const DOC = JSON.parse(readFileSync(new URL('../fixtures/slack/usergroups/usergroups.users.list.json', import.meta.url), 'utf8')) as MethodDoc;
const TOKEN = 'xoxb-sandbox-token';

let slack: SlackStandIn;
let client: WebClient;
beforeAll(async () => {
  slack = await startSlackStandIn({
    botToken: TOKEN,
    users: [{ id: 'UANA', name: 'ana' }, { id: 'UBEN', name: 'ben' }, { id: 'UGONE', name: 'gone', deleted: true }],
    userGroups: [
      { id: 'S0INCMGRS1', handle: 'incident-managers', users: ['UANA', 'UGONE'] },
      { id: 'S0OLDGRP01', handle: 'old-team', users: ['UBEN'], disabled: true },
    ],
  });
  // As Kranz builds its client: no retries, a rate limit is an answer (the check fails closed rather than wait).
  client = new WebClient(TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
});
afterAll(async () => slack?.close());

const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: { data?: { error?: string } }) => e.data?.error ?? String(e));

describe('Slack stand-in: usergroups.users.list', () => {
  it('answers as the documented example: ok and a list of user ids', async () => {
    const r = await client.usergroups.users.list({ usergroup: 'S0INCMGRS1' });
    const example = DOC.examples.success.example;
    for (const k of DOC.output.required) expect(r, k).toHaveProperty(k);
    expect(Object.keys(r).filter((k) => k !== 'response_metadata').sort()).toEqual(Object.keys(example).sort());
    expect(r.users).toEqual(['UANA']);
    // Same shape as Slack's own ids in the example: U… or W… strings.
    for (const id of [...(example['users'] as string[]), ...(r.users ?? [])]) expect(id).toMatch(/^[UW][A-Z0-9]+$/);
  });

  it('refuses an unknown group with the documented error, and a call without the group as Slack does', async () => {
    expect(Object.keys(DOC.errors)).toContain('no_such_subteam');
    expect(await codeOf(client.usergroups.users.list({ usergroup: 'S0NOSUCH01' }))).toBe('no_such_subteam');
    expect(DOC.args.required).toContain('usergroup');
    expect(await codeOf(client.apiCall('usergroups.users.list', {}))).toBe('invalid_arguments');
  });

  it('lists a disabled group\'s members only when asked to include disabled groups', async () => {
    expect((await client.usergroups.users.list({ usergroup: 'S0OLDGRP01' })).users).toEqual([]);
    expect((await client.usergroups.users.list({ usergroup: 'S0OLDGRP01', include_disabled: true })).users).toEqual(['UBEN']);
  });
});

describe('Slack access directory (permissions)', () => {
  it('caches a group\'s members briefly, then asks again', async () => {
    let now = 1_000_000;
    const dir = slackAccessDirectory(client, { now: () => now, ttlMs: 60_000 });
    const before = slack.workspace.callsTo('usergroups.users.list').length;
    expect((await dir.userGroupMembers('S0INCMGRS1')).has('UANA')).toBe(true);
    slack.workspace.userGroups.get('S0INCMGRS1')!.users.push('UBEN');
    expect((await dir.userGroupMembers('S0INCMGRS1')).has('UBEN')).toBe(false);
    expect(slack.workspace.callsTo('usergroups.users.list').length - before).toBe(1);
    now += 60_001;
    expect((await dir.userGroupMembers('S0INCMGRS1')).has('UBEN')).toBe(true);
    expect(slack.workspace.callsTo('usergroups.users.list').length - before).toBe(2);
  });

  it('throws when Slack cannot answer, and does not remember the failure', async () => {
    const dir = slackAccessDirectory(client);
    slack.faults.outage('usergroups.users.list', { times: 1 });
    await expect(dir.userGroupMembers('S0INCMGRS1')).rejects.toThrow();
    expect((await dir.userGroupMembers('S0INCMGRS1')).has('UANA')).toBe(true);
    slack.faults.rateLimit('usergroups.users.list');
    await expect(dir.userGroupMembers('S0OLDGRP01')).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error' });
    expect((await dir.userGroupMembers('S0OLDGRP01')).size).toBe(0);
  });

  it('a group deleted since the policy named it grants nothing', async () => {
    const dir = slackAccessDirectory(client);
    expect((await dir.userGroupMembers('S0NOSUCH01')).size).toBe(0);
  });
});
