/**
 * The Slack target decodes each row before acting on it: a publish row queued
 * by an earlier Kranz (the Markdown inside the row) still publishes, and a
 * row that does not decode goes to `dead` with the reason without holding up
 * the rows behind it in its channel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderKeys, outboxRow } from '../../src/app/outbox-rows.ts';
import { findIncident } from '../../src/app/query-incidents.ts';
import { asSlackChannelId } from '../../src/domain/ids.ts';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';
import { command } from '../helpers/slack-e2e.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('Slack outbox contract', () => {
  it('publishes a report row stored with its Markdown, and sets aside a row it cannot decode', async () => {
    const dana = h.slack.user(USERS.dana.id);
    await command(h, dana, 'CGENERAL', 'declare SEV3 Exports are slow');
    const ch = await incidentChannel(h, 1);
    await outboxDrained(h);
    const s = await findIncident(h.kranz.deps, { channelId: asSlackChannelId(ch.id) });
    expect(s).toBeDefined();
    const incidentId = s!.id;
    const key = orderKeys.incidentChannel(incidentId);
    const legacy = '# INC-1: Exports are slow\n\nA report queued before reports were loaded by id.';
    await h.kranz.deps.store.transaction((u) => u.outbox.enqueue([
      outboxRow({ kind: 'slack.publish_report', markdown: legacy }, { incidentId, orderKey: key, idempotencyKey: 'test:legacy-publish' }),
      // No message: nothing to post.
      outboxRow({ kind: 'slack.post_raw', channel: ch.id }, { incidentId, orderKey: key, idempotencyKey: 'test:bad' }),
      outboxRow({ kind: 'slack.post_raw', channel: ch.id, message: { template: 'raw', text: 'After the bad row', blocks: [] } }, { incidentId, orderKey: key, idempotencyKey: 'test:after' }),
    ], h.kranz.deps.clock.now()));
    await outboxDrained(h);

    const canvas = [...h.slack.workspace.canvases.values()].find((c) => c.channelId === ch.id);
    expect((canvas?.sections ?? []).map((x) => x.markdown).join('\n')).toContain('A report queued before reports were loaded by id.');
    const rows = await h.pool.query<{ idempotency_key: string; status: string; last_error: string | null }>(
      "select idempotency_key, status, last_error from outbox where idempotency_key like 'test:%' order by id",
    );
    // The publish queued its summary (`:part0`) behind the rows already waiting.
    expect(rows.rows.map((r) => [r.idempotency_key, r.status])).toEqual([
      ['test:legacy-publish', 'delivered'], ['test:bad', 'dead'], ['test:after', 'delivered'], ['test:legacy-publish:part0', 'delivered'],
    ]);
    expect(rows.rows[1]?.last_error).toMatch(/^undecodable slack\.post_raw payload: .*message/);
    expect(h.slack.workspace.history(ch.id).map((m) => m.text)).toContain('After the bad row');
  });
});
