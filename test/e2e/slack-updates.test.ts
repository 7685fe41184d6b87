/**
 * Status updates and the messages Kranz keeps up to date: every update says
 * when the next is due, `status` and `list` answer privately, a severity
 * change edits the topic and the pinned summary in place, and the checklist
 * button ticks an item once however often it is clicked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { command, count, undelivered } from '../helpers/slack-e2e.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const ws = () => h.slack.workspace;
const dana = () => h.slack.user(USERS.dana.id);
const DATE_TOKEN = /<!date\^(\d+)\^[^|>]+\|[^>]+>/;

describe('status updates and living messages', () => {
  let ch = '';
  let summaryTs = '';
  let checklistTs = '';
  beforeAll(async () => {
    await dana().slashCommand('CGENERAL', '/incident', '');
    const modal = await h.slack.waitFor(() => ws().topModal(USERS.dana.id), { what: 'declare modal' });
    await dana().submitView(modal.id, { title: 'Uploads fail for large files', severity: 'SEV1', customers: ['acme'], commander: USERS.dana.id });
    ch = (await incidentChannel(h, 1)).id;
    await outboxDrained(h);
    const history = ws().history(ch);
    summaryTs = history.find((m) => (m.text ?? '').startsWith('INC-1: Uploads fail'))?.ts ?? '';
    checklistTs = history.find((m) => (m.text ?? '').startsWith('Checklist for INC-1'))?.ts ?? '';
    expect(summaryTs).not.toBe('');
    expect(checklistTs).not.toBe('');
  });

  it('says in every update when the next one is due', async () => {
    for (const [summary, next, minutes] of [['Uploads over 100 MB fail; investigating.', '20m', 20], ['Fix deployed to half the fleet.', '45m', 45]] as const) {
      await dana().slashCommand(ch, '/incident', 'update');
      const modal = await h.slack.waitFor(() => { const v = ws().topModal(USERS.dana.id); return v?.callback_id === 'status_update' ? v : undefined; }, { what: 'update modal' });
      const submitted = Date.now();
      await dana().submitView(modal.id, { status: 'identified', summary, next });
      await outboxDrained(h);
      for (const where of [ch, 'CACME', 'CSTAKE']) {
        const msg = ws().history(where).find((m) => (m.text ?? '').includes(summary));
        const blocks = JSON.stringify(msg?.blocks ?? []);
        expect(blocks).toContain('next update by');
        const unix = Number(DATE_TOKEN.exec(blocks.slice(blocks.indexOf('next update by')))?.[1]);
        // The token is the time the next update is due, in every reader's own timezone.
        expect(Math.abs(unix * 1000 - (submitted + minutes * 60_000))).toBeLessThan(5_000);
      }
    }
    // The pinned summary shows the same due time.
    const summary = JSON.stringify(ws().message(ch, summaryTs)?.blocks);
    expect(summary).toContain('*Next update due*');
    expect(summary).toMatch(DATE_TOKEN);
  });

  it('answers /incident status privately', async () => {
    const inChannel = ws().history(ch).length;
    const [status] = await command(h, dana(), ch, 'status');
    expect(status).toContain('*INC-1: Uploads fail for large files*: SEV1, identified, commander <@UDANA>');
    expect(status).toMatch(/2 status update\(s\), next due <!date\^\d+\^\{time\}\|/);
    expect(status).toContain(':warning: The customer has not been contacted yet.');
    expect(status).toContain('Customers: Acme Corp');
    expect(ws().ephemerals.at(-1)?.user).toBe(USERS.dana.id);
    expect(ws().history(ch)).toHaveLength(inChannel);
  });

  it('lists open incidents from any channel', async () => {
    await command(h, dana(), 'CGENERAL', 'declare SEV3 Avatars are blurry');
    await incidentChannel(h, 2);
    await outboxDrained(h);
    for (const where of ['CGENERAL', ch, 'CSTAKE']) {
      const [list] = await command(h, dana(), where, 'list');
      expect(list).toMatch(/^\*Open incidents\*\n/);
      expect(list).toContain(`• *INC-1* SEV1 · identified · <#${ch}> · Uploads fail for large files`);
      expect(list).toMatch(/• \*INC-2\* SEV3 · investigating · <#C[A-Z0-9]+> · Avatars are blurry/);
    }
  });

  it('changes severity in the topic and the pinned summary, in place', async () => {
    const updatesBefore = ws().callsTo('chat.update').length;
    const postsBefore = ws().history(ch).filter((m) => (m.text ?? '').startsWith('INC-1: Uploads fail')).length;
    expect(await command(h, dana(), ch, 'sev SEV2')).toEqual(['Severity set to SEV2.']);
    const channel = ws().channels.get(ch)!;
    expect(channel.topic.value).toMatch(/^SEV2 · identified · IC <@UDANA> · Uploads fail/);
    const edits = ws().callsTo('chat.update').slice(updatesBefore).filter((c) => c.ok && c.args['ts'] === summaryTs);
    expect(edits.length).toBeGreaterThanOrEqual(1);
    const summary = ws().message(ch, summaryTs)!;
    expect(summary.text).toBe('INC-1: Uploads fail for large files (SEV2, identified)');
    expect(JSON.stringify(summary.blocks)).toContain('*Severity*\\nSEV2');
    // Still one summary, still the pinned one.
    expect(ws().history(ch).filter((m) => (m.text ?? '').startsWith('INC-1: Uploads fail'))).toHaveLength(postsBefore);
    expect(channel.pins.map((p) => p.ts)).toContain(summaryTs);
    expect(ws().history(ch).some((m) => (m.text ?? '').startsWith('Severity changed from SEV1 to SEV2.'))).toBe(true);
  });

  it('ticks a checklist item in place once, however often it is clicked', async () => {
    const before = JSON.stringify(ws().message(ch, checklistTs)?.blocks);
    expect(before).toContain('checklist_done:assess-impact');
    const updatesBefore = ws().callsTo('chat.update').filter((c) => c.args['ts'] === checklistTs).length;
    // A double click: both clicks leave before Kranz has re-rendered the message.
    const clicks = await Promise.all([1, 2].map(() => dana().blockAction({ channel: ch, messageTs: checklistTs }, 'checklist_done:assess-impact')));
    for (const c of clicks) expect(c.status).toBe(200);
    expect(new Set(clicks.map((c) => c.delivery.seq)).size).toBe(2);
    await outboxDrained(h);

    expect(await count(h, "select 1 from incident_events where type = 'checklist_item_done' and data->>'itemId' = 'assess-impact'")).toBe(1);
    const after = ws().message(ch, checklistTs)!;
    const blocks = JSON.stringify(after.blocks);
    expect(blocks).toContain(':white_check_mark: ~Assess customer impact and the affected customers~');
    expect(blocks).toContain('done by <@UDANA>');
    expect(blocks).not.toContain('checklist_done:assess-impact');
    expect(ws().callsTo('chat.update').filter((c) => c.ok && c.args['ts'] === checklistTs).length).toBeGreaterThan(updatesBefore);
    // Edited in place: one checklist message in the channel, and no error reached the clicker.
    expect(ws().history(ch).filter((m) => (m.text ?? '').startsWith('Checklist for INC-1'))).toHaveLength(1);
    expect(ws().ephemerals.filter((e) => e.user === USERS.dana.id && e.text.includes('already done'))).toEqual([]);
    expect(await undelivered(h)).toEqual([]);
  });
});
