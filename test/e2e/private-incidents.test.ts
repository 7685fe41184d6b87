/**
 * Private means private. In `/incident list` a private incident appears
 * only to the people in its channel; anyone else does not learn it exists.
 * Outside its channel (relays, DMs, escalations, metrics) its title, summary
 * and channel never appear.
 * Titles are shown as text: a title holding `<!channel>` does not become a
 * mention in the list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareIncident } from '../../src/app/declare-incident.ts';
import { asSlackChannelId, asSlackUserId } from '../../src/domain/ids.ts';
import { outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { command } from '../helpers/slack-e2e.ts';
import { testPolicy } from '../helpers/domain.ts';
import { applyCommand } from '../../src/app/apply-command.ts';
import { sendDueReminders } from '../../src/app/send-reminders.ts';

let h: Harness;
beforeAll(async () => {
  // Escalations go to the stakeholder channel, where a private incident's title must not.
  h = await startHarness({ policy: { ...testPolicy, reminders: { ...testPolicy.reminders, escalationTarget: { kind: 'channel', id: asSlackChannelId('CSTAKE') } } } });
});
afterAll(async () => h?.close());

const SECRET = 'Acquisition data room exposed <!channel>';

describe('/incident list and private incidents', () => {
  it('shows a private incident to its channel members only, and never as a mention', async () => {
    const dana = h.slack.user(USERS.dana.id);
    const sam = h.slack.user(USERS.sam.id);
    await command(h, dana, 'CGENERAL', 'declare SEV3 Public search slowness');
    const declared = await declareIncident(h.kranz.deps, { title: SECRET, severity: 'SEV2', private: true, commanderId: asSlackUserId(USERS.dana.id) }, {
      actor: { kind: 'user', userId: asSlackUserId(USERS.dana.id) }, source: { kind: 'slack', channelId: asSlackChannelId('CGENERAL') }, idempotencyKey: 'private-1',
    });
    expect(declared.ok).toBe(true);
    h.kranz.kick();
    await outboxDrained(h);
    const privateChannel = [...h.slack.workspace.channels.values()].find((c) => c.is_private && c.name.startsWith('inc-2-'));
    expect(privateChannel).toBeDefined();

    const samSees = (await command(h, sam, 'CGENERAL', 'list')).join('\n');
    expect(samSees).toContain('Public search slowness');
    expect(samSees).not.toContain('Acquisition');
    expect(samSees).not.toContain('INC-2');
    expect(samSees).not.toContain(privateChannel!.id);

    const danaSees = (await command(h, dana, 'CGENERAL', 'list')).join('\n');
    expect(danaSees).toContain('INC-2');
    expect(danaSees).toContain('Acquisition data room exposed &lt;!channel&gt;');
    expect(danaSees).not.toContain('<!channel>');
  });
});

describe('a private incident outside its channel', () => {
  it('never shows its title or channel: no relay, escalations and DMs by number only, nothing in the metrics', async () => {
    const title = 'Payroll export leaks salaries <!channel>';
    const dana = asSlackUserId(USERS.dana.id);
    const declared = await declareIncident(h.kranz.deps, { title, severity: 'SEV2', private: true, commanderId: dana, customers: ['acme'] }, {
      actor: { kind: 'user', userId: dana }, source: { kind: 'slack', channelId: asSlackChannelId('CGENERAL') }, idempotencyKey: 'private-leak-1',
    });
    expect(declared.ok).toBe(true);
    if (!declared.ok) return;
    h.kranz.kick();
    await outboxDrained(h);
    const channel = [...h.slack.workspace.channels.values()].find((c) => c.is_private && c.name.includes('payroll'));
    expect(channel).toBeDefined();
    const before = h.slack.workspace.calls.length;

    const meta = (key: string) => ({ actor: { kind: 'user' as const, userId: dana }, source: { kind: 'slack' as const, channelId: asSlackChannelId(channel!.id) }, idempotencyKey: key });
    const posted = await applyCommand(h.kranz.deps, { id: declared.state.id }, { type: 'post_status_update', status: 'identified', summary: 'Payroll export stopped; salaries of 40 people were visible' }, meta('private-update'));
    expect(posted.ok).toBe(true);
    h.kranz.kick();
    await outboxDrained(h);
    // Overdue: the channel reminder, the commander's DM, then the escalation to the stakeholder channel.
    for (let round = 0; round < 4; round++) {
      await h.pool.query("update reminders set due_at = now() - interval '1 second' where due_at is not null and incident_id = $1", [declared.state.id]);
      await sendDueReminders(h.kranz.deps, { limit: 20 });
      h.kranz.kick();
      await outboxDrained(h);
    }

    const calls = h.slack.workspace.calls.slice(before).filter((c) => c.ok);
    const outside = calls.filter((c) => c.args['channel'] !== channel!.id);
    const escalation = outside.find((c) => c.method === 'chat.postMessage' && c.args['channel'] === 'CSTAKE');
    expect(escalation, 'the escalation reached the stakeholder channel').toBeDefined();
    expect(String(escalation!.args['text'])).toContain(`a private incident (INC-${declared.state.number}`);
    const dm = outside.find((c) => c.method === 'chat.postMessage' && c.args['channel'] === USERS.dana.id);
    expect(dm, 'the commander was reminded by DM').toBeDefined();
    // Nothing outside the channel (relays, DMs, the escalation) carries the title, the summary or the channel.
    for (const c of outside) {
      const args = JSON.stringify(c.args);
      expect(args, `${c.method} to ${String(c.args['channel'])}`).not.toMatch(/Payroll|salaries/i);
      expect(args, `${c.method} to ${String(c.args['channel'])}`).not.toContain(channel!.id);
    }
    expect(calls.filter((c) => c.method === 'chat.postMessage' && (c.args['channel'] === 'CACME' || (c.args['channel'] === 'CSTAKE' && String(c.args['text']).includes('status update ('))))).toEqual([]);
    // Inside the channel the update was posted as usual.
    expect(calls.some((c) => c.method === 'chat.postMessage' && c.args['channel'] === channel!.id && String(c.args['text']).includes('Payroll export stopped'))).toBe(true);
    const metrics = await (await fetch(`${h.kranz.url}/metrics`)).text();
    expect(metrics).not.toMatch(/Payroll|salaries/i);
  });
});
