/**
 * The last-resort report: on a workspace without canvases and with file
 * uploads turned off, a report of 2,000 timeline entries still reaches the
 * channel as chunked messages that respect Block Kit's limits, in order,
 * with nothing dead in the outbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitTransition } from '../../src/app/apply-command.ts';
import { transition } from '../../src/domain/transition.ts';
import { findIncident } from '../../src/app/query-incidents.ts';
import { MAX_MESSAGE_BLOCKS } from '../../src/sandbox/slack/index.ts';
import { twoCustomerPolicy } from '../helpers/domain.ts';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { startSlackApiProxy, type SlackApiProxy } from '../helpers/slack-api-proxy.ts';
import { command, undelivered } from '../helpers/slack-e2e.ts';
import { asSlackChannelId, asSlackUserId, type IncidentId, type SlackChannelId } from '../../src/domain/ids.ts';

let h: Harness;
let proxy: SlackApiProxy;
beforeAll(async () => {
  proxy = await startSlackApiProxy();
  // What Slack answers on a workspace whose admin turned file uploads off.
  proxy.answers.set('files.getUploadURLExternal', { ok: false, error: 'file_uploads_disabled' });
  h = await startHarness({
    // Two customers configured, so the one-line declare attaches none: only the internal report is chunked here.
    policy: twoCustomerPolicy,
    standIn: { canvasesEnabled: false },
    apiUrl: (real) => {
      proxy.target = real;
      return proxy.apiUrl;
    },
  });
});
afterAll(async () => {
  await h?.close();
  await proxy?.close();
});

const ENTRIES = 2_000;

/**
 * Adds `n` notes as `/incident note` would, through the real transition and
 * commit path, but in one transaction: one command costs about 17 ms of
 * database round trips on a small machine, and 2,000 of them would dominate
 * the suite. The events, projection and outbox rows are the ones the
 * commands would have written.
 */
async function addNotes(incidentId: IncidentId, channelId: SlackChannelId, n: number): Promise<void> {
  const deps = h.kranz.deps;
  await deps.store.transaction(async (uow) => {
    const before = await uow.incidents.lockIncident(incidentId);
    let state = before;
    const events = [];
    const now = deps.clock.now();
    for (let i = 0; i < n; i++) {
      const text = `Entry ${String(i).padStart(4, '0')}: shard ${i % 17} lag ${i % 97}s, <@${USERS.sam.id}> — ü & <x> *b* 🚑 ${'x'.repeat(i % 120)}`;
      const r = transition(state, { type: 'add_note', via: 'command', authorId: asSlackUserId(USERS.dana.id), text }, now, {
        policy: deps.policy, incidentId, newId: deps.newId, idempotencyKey: `test:note:${i}`,
        actor: { kind: 'user', userId: asSlackUserId(USERS.dana.id) }, source: { kind: 'slack', channelId },
      });
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      events.push(...r.value.events);
      state = r.value.state;
    }
    await commitTransition(uow, deps, incidentId, before, { events, effects: [], state }, 'test:notes', now);
  });
}
const codePoints = (s: string): number => [...s].length;

describe('report fallback to chunked messages', () => {
  it('posts a 2,000-entry report as ordered messages within Block Kit limits', { timeout: 30_000 }, async () => {
    const dana = h.slack.user(USERS.dana.id);
    await command(h, dana, 'CGENERAL', 'declare SEV2 Ledger export drops rows');
    const ch = await incidentChannel(h, 1);
    await outboxDrained(h);
    const s = await findIncident(h.kranz.deps, { channelId: asSlackChannelId(ch.id) });
    expect(s).toBeDefined();

    await addNotes(s!.id, asSlackChannelId(ch.id), ENTRIES);

    const before = h.slack.workspace.history(ch.id).length;
    expect(await command(h, dana, ch.id, 'resolve')).toEqual([expect.stringContaining('Resolved')]);
    expect(await command(h, dana, ch.id, 'close')).toEqual([expect.stringContaining('Closed')]);
    await outboxDrained(h, 20_000);

    // Canvas refused by the workspace, upload refused by the admin setting: both tried, then the fallback.
    expect(h.slack.workspace.callsTo('conversations.canvases.create').map((c) => c.error)).toContain('canvas_disabled_user_team');
    expect(proxy.intercepted).toContain('files.getUploadURLExternal');
    expect(h.slack.workspace.files.size).toBe(0);
    expect(await undelivered(h)).toEqual([]);

    const posted = h.slack.workspace.history(ch.id).slice(before).filter((m) => m.bot_id !== undefined && !m.subtype);
    const summaryAt = posted.findIndex((m) => (m.text ?? '').startsWith('Incident report drafted for INC-1'));
    expect(summaryAt).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(posted[summaryAt]?.blocks)).toContain('The drafted report is below');
    const parts = posted.filter((m) => /^Incident report \(part \d+\)$/.test(m.text ?? ''));
    // The summary comes first, then the parts, numbered in the order they arrived.
    expect(posted.indexOf(parts[0]!)).toBeGreaterThan(summaryAt);
    expect(parts.map((m) => m.text)).toEqual(parts.map((_, i) => `Incident report (part ${i + 1})`));
    expect(parts.length).toBeGreaterThan(2);

    const sections: string[] = [];
    for (const m of parts) {
      const blocks = (m.blocks ?? []) as { type: string; text?: { text: string } }[];
      expect(blocks.length).toBeLessThanOrEqual(MAX_MESSAGE_BLOCKS);
      for (const b of blocks) {
        expect(b.type).toBe('section');
        expect(codePoints(b.text?.text ?? '')).toBeLessThanOrEqual(3000);
        sections.push(b.text?.text ?? '');
      }
    }
    // People's text is escaped for mrkdwn: `<@USAM>` or `<x>` in a note must not become a mention or a link.
    const text = sections.join('\n');
    expect(text).not.toMatch(/[<>]/);
    expect(text).toContain('ü &amp; \\&lt;x\\&gt;');
    // Together the parts are the stored report, line for line and in order.
    const stored = await h.pool.query<{ markdown: string }>('select markdown from reports order by id desc limit 1');
    const markdown = stored.rows[0]?.markdown ?? '';
    const unescape = (t: string): string => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    const lines = (t: string): string[] => t.split('\n').filter((l) => l.trim() !== '');
    expect(lines(unescape(text))).toEqual(lines(markdown));
    expect(lines(markdown).length).toBeGreaterThan(ENTRIES);
    const entryOrder = text.match(/Entry \d{4}/g) ?? [];
    expect(entryOrder).toHaveLength(ENTRIES);
    expect(entryOrder).toEqual([...entryOrder].sort());
  });
});
