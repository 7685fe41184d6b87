/**
 * Slack re-sends a slash command it thinks timed out, and people double-click
 * "Declare": each must still open exactly one incident and one channel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { count, ephemeralTexts, postToKranz, resend } from '../helpers/slack-e2e.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const channelsNamed = (prefix: string) => [...h.slack.workspace.channels.values()].filter((c) => c.name.startsWith(prefix));
const creates = () => h.slack.workspace.callsTo('conversations.create').filter((c) => c.ok).length;

describe('Slack retries and double clicks', () => {
  it('opens one incident when Slack re-sends the same slash command', async () => {
    const dana = h.slack.user(USERS.dana.id);
    const first = await dana.slashCommand('CGENERAL', '/incident', 'declare SEV2 Payments are slow in the EU');
    expect(first.status).toBe(200);
    // Slack's retries carry the very same body (same trigger_id), sequentially and while the first still runs.
    const again = await resend(h, first.delivery, 1);
    const more = await Promise.all([resend(h, first.delivery, 2), resend(h, first.delivery, 3)]);
    for (const r of [again, ...more]) expect(r.status).toBe(200);
    await incidentChannel(h, 1);
    await outboxDrained(h);

    expect(await count(h, 'select 1 from incidents')).toBe(1);
    expect(await count(h, "select 1 from incident_events where type = 'declared'")).toBe(1);
    expect(channelsNamed('inc-1-').map((c) => c.name)).toEqual(['inc-1-payments-are-slow-in-the-eu']);
    expect(channelsNamed('inc-2-')).toEqual([]);
    expect(creates()).toBe(1);
    // The request was archived once; the retries were recognised as the same request.
    expect(await count(h, "select 1 from inbound_archive where dedupe_key like 'slack:cmd:%'")).toBe(1);
    // Dana was told once, not four times.
    expect(ephemeralTexts(h, USERS.dana.id).filter((t) => t.includes('Declared INC-1'))).toHaveLength(1);
  });

  it('opens one incident when the same request arrives concurrently before the first is stored', async () => {
    const dana = h.slack.user(USERS.dana.id);
    const template = (await dana.slashCommand('CGENERAL', '/incident', 'help')).delivery.rawBody;
    const fields = new URLSearchParams(template);
    fields.set('trigger_id', h.slack.issueTriggerId(USERS.dana.id));
    fields.set('text', 'declare SEV3 Search results are stale');
    const raw = fields.toString();
    const answers = await Promise.all([1, 2, 3].map(() => postToKranz(h, raw)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    await incidentChannel(h, 2);
    await outboxDrained(h);
    expect(await count(h, 'select 1 from incidents')).toBe(2);
    expect(channelsNamed('inc-2-')).toHaveLength(1);
    expect(channelsNamed('inc-3-')).toEqual([]);
    expect(creates()).toBe(2);
  });

  it('opens one incident for a double-clicked modal submit', async () => {
    const dana = h.slack.user(USERS.dana.id);
    await dana.slashCommand('CGENERAL', '/incident', '');
    const modal = await h.slack.waitFor(() => h.slack.workspace.topModal(USERS.dana.id), { what: 'declare modal' });
    const values = { title: 'Login page times out', severity: 'SEV2', description: 'SSO redirects hang.', commander: USERS.dana.id };
    // Both clicks leave before Slack has closed the modal, as a fast double click does.
    const [a, b] = await Promise.all([dana.submitView(modal.id, values), dana.submitView(modal.id, values)]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    await incidentChannel(h, 3);
    await outboxDrained(h);

    expect(await count(h, 'select 1 from incidents')).toBe(3);
    expect(await count(h, "select 1 from incidents where title = 'Login page times out'")).toBe(1);
    expect(channelsNamed('inc-3-').map((c) => c.name)).toEqual(['inc-3-login-page-times-out']);
    expect(channelsNamed('inc-4-')).toEqual([]);
    expect(creates()).toBe(3);
    // Both submissions reached Kranz; the second was answered as already done.
    const told = ephemeralTexts(h, USERS.dana.id).filter((t) => t.includes('INC-3'));
    expect(told).toHaveLength(2);
    expect(told.filter((t) => t.includes('already done'))).toHaveLength(1);
  });
});
