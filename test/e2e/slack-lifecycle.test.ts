/**
 * A whole incident through the real Bolt app over HTTP against the Slack
 * stand-in: declare → checklist → customer contacted → two updates → 📌
 * messages (one edited, one deleted) → resolve → close → report posted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { ephemeralTexts } from '../helpers/slack-e2e.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const texts = (channel: string): string[] => h.slack.workspace.history(channel).map((m) => m.text ?? '');

describe('Slack lifecycle', () => {
  it('runs an incident from declare to the posted report', async () => {
    const dana = h.slack.user(USERS.dana.id);
    const eve = h.slack.user(USERS.eve.id);

    // Declare through the modal.
    const cmd = await dana.slashCommand('CGENERAL', '/incident', '');
    expect(cmd.status).toBe(200);
    const modal = await h.slack.waitFor(() => h.slack.workspace.topModal(USERS.dana.id), { what: 'declare modal' });
    const submitted = await dana.submitView(modal.id, {
      title: 'Checkout API returns 500s for EU customers',
      severity: 'SEV1',
      description: 'Card payments fail at the last step.',
      customers: ['acme'],
      commander: USERS.dana.id,
    });
    expect(submitted.status).toBe(200);
    const ch = await incidentChannel(h, 1);
    expect(ch.name).toBe('inc-1-checkout-api-returns-500s-for-eu-customers');
    await outboxDrained(h);
    const channel = h.slack.workspace.channels.get(ch.id)!;
    expect(channel.members.has(USERS.dana.id)).toBe(true);
    expect(channel.topic?.value ?? '').toContain('SEV1 · investigating');

    // Pinned summary and the checklist with the customer call first.
    const history = h.slack.workspace.history(ch.id);
    const checklist = history.find((m) => (m.text ?? '').startsWith('Checklist for INC-1'));
    expect(checklist).toBeDefined();
    const firstItem = JSON.stringify(checklist!.blocks?.[1] ?? {});
    expect(firstItem).toContain('Before anything else');
    expect(firstItem).toContain('Dana Reyes');
    const summary = history.find((m) => (m.text ?? '').includes('INC-1: Checkout API'));
    expect(channel.pins.some((p) => p.ts === summary?.ts)).toBe(true);
    // Announced.
    expect(texts('CANNOUNCE').some((t) => t.includes('SEV1 declared: INC-1'))).toBe(true);

    // The customer is called first, recorded by command: the checklist ticks in place.
    await dana.slashCommand(ch.id, '/incident', 'customer-contacted Called Dana Reyes at Acme; she confirmed EU card failures');
    await outboxDrained(h);
    const ticked = h.slack.workspace.message(ch.id, checklist!.ts)!;
    expect(JSON.stringify(ticked.blocks)).toContain('white_check_mark');

    // Two status updates through the modal, relayed to the customer and stakeholder channels.
    for (const [i, summary] of ['We are investigating failed card payments in the EU.', 'Cause identified: a bad config push; rolling back.'].entries()) {
      await dana.slashCommand(ch.id, '/incident', 'update');
      const m = await h.slack.waitFor(() => { const v = h.slack.workspace.topModal(USERS.dana.id); return v && v.callback_id === 'status_update' ? v : undefined; }, { what: 'update modal' });
      await dana.submitView(m.id, { status: i === 0 ? 'investigating' : 'identified', summary, next: '15m' });
      await outboxDrained(h);
      expect(texts(ch.id).some((t) => t.includes(summary))).toBe(true);
      expect(texts('CACME').some((t) => t.includes(summary))).toBe(true);
      expect(texts('CSTAKE').some((t) => t.includes(summary))).toBe(true);
    }

    // Eve joins and becomes the customer liaison (roles only go to members).
    const early = await dana.slashCommand(ch.id, '/incident', `role customer-liaison <@${USERS.eve.id}|eve>`);
    await outboxDrained(h);
    expect(ephemeralTexts(h, USERS.dana.id, ch.id).at(-1)).toContain('not in this incident channel');
    expect(early.status).toBe(200);
    await eve.join(ch.id);
    await dana.slashCommand(ch.id, '/incident', `role customer-liaison <@${USERS.eve.id}|eve>`);
    await outboxDrained(h);
    expect(ephemeralTexts(h, USERS.dana.id, ch.id).at(-1)).toContain('is now customer-liaison');

    // 📌 three messages: one via reaction, one via pin, one via the shortcut; edit one, delete one.
    const m1 = await eve.postMessage(ch.id, 'EU error rate is 42% since 13:02');
    const m2 = await dana.postMessage(ch.id, 'Rolling back config v231');
    const m3 = await eve.postMessage(ch.id, 'Acme confirms payments work again');
    await dana.react(ch.id, m1.ts, 'pushpin');
    await dana.pin(ch.id, m2.ts);
    await dana.messageShortcut('add_to_timeline', ch.id, m3.ts);
    await eve.editMessage(ch.id, m1.ts, 'EU error rate peaked at 47% since 13:02');
    await dana.deleteMessage(ch.id, m2.ts);
    await h.slack.waitForDeliveries();

    await dana.slashCommand(ch.id, '/incident', 'root-cause A config push disabled the EU payment provider');
    await dana.slashCommand(ch.id, '/incident', 'action prevent Canary stage for config pushes');
    await dana.slashCommand(ch.id, '/incident', 'action fail-better Alert on payment error rate per region');
    await dana.slashCommand(ch.id, '/incident', 'resolve');
    const closed = await dana.slashCommand(ch.id, '/incident', 'close');
    expect(closed.status).toBe(200);
    await outboxDrained(h);

    const dead = await h.pool.query("select op, last_error, payload from outbox where status <> 'delivered'");
    expect(dead.rows).toEqual([]);
    // The report went out: as a canvas (the stand-in allows them) plus a Block Kit summary.
    expect(texts(ch.id).some((t) => t.includes('Incident report drafted for INC-1'))).toBe(true);
    const canvas = [...h.slack.workspace.canvases.values()].at(-1);
    expect(canvas?.channelId).toBe(ch.id);
    const report = (canvas?.sections ?? []).map((x) => x.markdown).join('\n');
    for (const s of ['## Summary', '## Resolution and recovery timeline', '## Root cause', '## Corrective and preventive measures']) expect(report).toContain(s);
    expect(report).toContain('EU error rate peaked at 47%');
    expect(report).toContain('Acme confirms payments work again');
    // The deleted message stays cited in the timeline, its text withheld; the log keeps the history.
    expect(report).not.toContain('Rolling back config v231');
    expect(report).toMatch(/Note deleted/);
    const deletedEvent = await h.pool.query<{ data: { previousText: string } }>("select data from incident_events where type = 'message_deleted'");
    expect(deletedEvent.rows[0]?.data.previousText).toBe('Rolling back config v231');
    expect(report).toMatch(/was "EU error rate is 42% since 13:02"/);
    expect(report).toContain('A config push disabled the EU payment provider');
    const stored = await h.pool.query<{ n: string }>('select count(*)::text as n from reports');
    expect(stored.rows[0]?.n).toBe('1');
    // Every user-facing answer was readable text, never a stack trace.
    for (const p of h.slack.workspace.responseUrlPosts) expect(JSON.stringify(p)).not.toMatch(/at .*\.ts:\d+/);
    for (const e of h.slack.workspace.ephemerals) expect(e.text).not.toMatch(/at .*\.ts:\d+/);
  });
});
