/**
 * Hostile text end to end, through the Slack and PagerDuty stand-ins over
 * real HTTP: a PagerDuty incident whose title, note and status update are
 * hostile declares an incident for a customer whose configured name is
 * hostile; a responder adds a hostile note and posts a hostile status update
 * (relayed to the customer's and the stakeholder channel); reminders run up
 * to the escalation; the incident is resolved and closed (the report). Every
 * Web API call Kranz made, and every private answer, is then read: no
 * `<!channel>`, `<!here>`, `<!subteam^…>`, `<@U…>`, channel link or link
 * from the hostile text is live anywhere, and relay posts do not unfurl.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/app/apply-command.ts';
import { sendDueReminders } from '../../src/app/send-reminders.ts';
import { asSlackChannelId, asIncidentId } from '../../src/domain/ids.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { USERS } from '../helpers/kranz-harness.ts';
import { command } from '../helpers/slack-e2e.ts';
import { fixtureBody, linkedIncident, pdPolicy, settled, startPdHarness, until, type PdHarness } from '../helpers/pd-harness.ts';
import { HOSTILE, liveHostile, mrkdwnStrings } from '../helpers/hostile.ts';

const base = pdPolicy();
const policy: Policy = {
  ...base,
  customers: base.customers.map((c) => ({ ...c, name: `Acme ${HOSTILE}`, mainContact: { ...c.mainContact, name: `Ops ${HOSTILE}` } })),
  reminders: { ...base.reminders, escalationTarget: { kind: 'channel', id: asSlackChannelId('CSTAKE') } },
};

let h: PdHarness;
beforeAll(async () => {
  h = await startPdHarness({ policy });
});
afterAll(async () => h?.close());

describe('hostile text never becomes a live mention or link in Slack', () => {
  it('survives every template on its way out', async () => {
    const pd = h.pdIncident({ title: `Checkout down ${HOSTILE}` });
    const send = async (name: string, edit: (d: Record<string, unknown>) => void): Promise<void> => {
      const r = await h.send({ body: fixtureBody(name, pd.id, { edit }).body });
      expect(r.status).toBe(202);
    };
    await send('triggered_v3', (d) => {
      d['title'] = `Checkout down ${HOSTILE}`;
    });
    const inc = await until(async () => {
      const l = await linkedIncident(h, pd.id);
      return l?.channel_id ? l : undefined;
    }, 'the incident channel');
    await settled(h);
    await send('annotated_v3', (d) => {
      d['content'] = `PagerDuty note ${HOSTILE}`;
    });
    await send('status_updated_v3', (d) => {
      d['message'] = `PagerDuty update ${HOSTILE}`;
    });
    await settled(h);

    const dana = h.slack.user(USERS.dana.id);
    const channel = inc.channel_id!;
    await h.slack.workspace.channels.get(channel);
    // Dana (not among the on-calls PagerDuty invited) joins and takes command, so the commands below are hers to give.
    await dana.join(channel);
    await command(h, dana, channel, `role commander <@${USERS.dana.id}|dana>`);
    await command(h, dana, channel, `note Responder note ${HOSTILE}`);
    const meta = (key: string) => ({ actor: { kind: 'user' as const, userId: USERS.dana.id as never }, source: { kind: 'slack' as const, channelId: asSlackChannelId(channel) }, idempotencyKey: key });
    const posted = await applyCommand(h.kranz.deps, { id: asIncidentId(inc.id) }, { type: 'post_status_update', status: 'identified', summary: `Summary ${HOSTILE}` }, meta('hostile-update'));
    expect(posted.ok).toBe(true);
    h.kranz.kick();
    await settled(h);

    // Reminders: the status update falls due, then the DM to the commander, then the escalation to the
    // stakeholder channel. Each round makes what is planned due now (the real clock keeps the outbox honest).
    for (let round = 0; round < 4; round++) {
      await h.pool.query("update reminders set due_at = now() - interval '1 second' where due_at is not null");
      await sendDueReminders(h.kranz.deps, { limit: 20 });
      h.kranz.kick();
      await settled(h);
    }
    const levels = await h.pool.query<{ level: number }>("select (data->>'level')::int as level from incident_events where type = 'reminder_sent'");
    expect(levels.rows.map((r) => r.level)).toContain(3);
    await command(h, dana, channel, 'status');
    await command(h, dana, 'CGENERAL', 'list');
    await command(h, dana, channel, `customer ${HOSTILE}`);
    await command(h, dana, channel, 'resolve');
    await command(h, dana, channel, 'close');
    await settled(h);

    const calls = h.slack.workspace.calls.filter((c) => c.ok);
    const methods = new Set(calls.map((c) => c.method));
    for (const m of ['chat.postMessage', 'chat.update', 'conversations.setTopic']) expect(methods).toContain(m);
    // The check is not vacuous: the hostile text went out, as text, in many calls.
    const carrying = calls.filter((c) => JSON.stringify(c.args).includes('UEVIL01'));
    expect(carrying.length).toBeGreaterThan(8);
    expect(calls.filter((c) => mrkdwnStrings(c.args).some((s) => s.includes('&lt;!channel&gt;'))).length).toBeGreaterThan(8);
    // Where the hostile text went: the incident channel, the customer's, the stakeholders' (relay and escalation), announcements.
    const reached = new Set(carrying.map((c) => String(c.args['channel'] ?? '')));
    for (const ch of [channel, 'CACME', 'CSTAKE', 'CANNOUNCE']) expect(reached, `hostile text reached ${ch}`).toContain(ch);

    for (const c of calls) expect(liveHostile(c.args), `${c.method} #${c.seq}`).toEqual([]);
    for (const e of h.slack.workspace.ephemerals) expect(liveHostile({ text: e.text, blocks: e.blocks }), `${e.source} to ${e.user}`).toEqual([]);

    // Relays and announcements do not unfurl what the text links to.
    const relays = calls.filter((c) => c.method === 'chat.postMessage' && c.args['channel'] !== channel);
    expect(relays.length).toBeGreaterThan(3);
    for (const c of relays) {
      expect(String(c.args['unfurl_links']), `unfurl_links of #${c.seq} to ${String(c.args['channel'])}`).toBe('false');
      expect(String(c.args['unfurl_media']), `unfurl_media of #${c.seq}`).toBe('false');
    }
  });
});
