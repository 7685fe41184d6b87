/**
 * Slack rate-limits Kranz while it closes an incident: the outbox waits
 * exactly Retry-After and the report and its summary still arrive, in order,
 * before the channel is archived, with nothing dead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { twoCustomerPolicy } from '../helpers/domain.ts';
import { command, undelivered } from '../helpers/slack-e2e.ts';

let h: Harness;
beforeAll(async () => {
  // Two customers configured, so the one-line declare attaches none: this test counts the internal report's calls only.
  h = await startHarness({ policy: { ...twoCustomerPolicy, archiveOnClose: true } });
});
afterAll(async () => h?.close());

describe('rate limits during close', () => {
  it('delivers the report and summary after 429s, in order, then archives', async () => {
    const dana = h.slack.user(USERS.dana.id);
    await command(h, dana, 'CGENERAL', 'declare SEV2 Invoices render blank');
    const ch = await incidentChannel(h, 1);
    await outboxDrained(h);
    await command(h, dana, ch.id, 'root-cause A template cache served empty templates');
    await command(h, dana, ch.id, 'resolve');
    const ws = h.slack.workspace;
    const firstCall = ws.calls.length;

    h.slack.faults.rateLimit('conversations.canvases.create', { times: 2, retryAfterSec: 1 });
    h.slack.faults.rateLimit('chat.postMessage', { times: 1, retryAfterSec: 1 });
    expect(await command(h, dana, ch.id, 'close')).toEqual([':lock: Closed. The drafted report is being posted here.']);
    await outboxDrained(h, 10_000);

    const calls = ws.calls.slice(firstCall);
    const canvas = calls.filter((c) => c.method === 'conversations.canvases.create');
    expect(canvas.map((c) => c.fault ?? 'ok')).toEqual(['ratelimited', 'ratelimited', 'ok']);
    // Retry-After honoured: each retry came at least a second after the 429.
    for (let i = 1; i < canvas.length; i++) expect(canvas[i]!.at - canvas[i - 1]!.at).toBeGreaterThanOrEqual(950);
    const posts = calls.filter((c) => c.method === 'chat.postMessage');
    expect(posts[0]?.fault).toBe('ratelimited');
    expect(posts.filter((c) => c.ok)).toHaveLength(1);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(950);

    expect(await undelivered(h)).toEqual([]);
    // One canvas with the report, one summary after it, and only then the archive.
    expect(ws.canvases.size).toBe(1);
    const report = [...ws.canvases.values()][0]!;
    expect(report.channelId).toBe(ch.id);
    expect(report.sections.map((s) => s.markdown).join('\n')).toContain('A template cache served empty templates');
    const summaries = ws.history(ch.id).filter((m) => (m.text ?? '').startsWith('Incident report drafted for INC-1'));
    expect(summaries).toHaveLength(1);
    expect(JSON.stringify(summaries[0]!.blocks)).toContain('in the channel canvas');
    const order = calls.filter((c) => c.ok && ['conversations.canvases.create', 'chat.postMessage', 'conversations.archive'].includes(c.method)).map((c) => c.method);
    expect(order).toEqual(['conversations.canvases.create', 'chat.postMessage', 'conversations.archive']);
    expect(ws.channels.get(ch.id)?.is_archived).toBe(true);
  });
});
