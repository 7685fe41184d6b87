/**
 * A slash command's stored request is marked processed by the transaction
 * that applies its command (CommandMeta.requestKey): the request and its
 * effect commit together, and the receiver writes no second mark. A command
 * the domain refuses, or one not applied through a batch, is still marked by
 * the receiver after its listener.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

/** The stored request of a typed command (by its text) with its status and the transaction that last wrote it. */
async function request(text: string): Promise<{ status: string; xmin: string }> {
  const r = await h.pool.query<{ status: string; xmin: string }>(
    "select status, xmin::text as xmin from inbound_archive where source = 'slack' and body like '%' || $1 || '%'",
    [encodeURIComponent(text).replace(/%20/g, '+')],
  );
  if (r.rows.length !== 1) throw new Error(`expected one stored request for "${text}", found ${r.rows.length}`);
  return r.rows[0]!;
}

describe('stored slash commands and their marks', () => {
  it('a note: the transaction that records it marks its request, and nothing writes the request after', async () => {
    const dana = h.slack.user(USERS.dana.id);
    await dana.slashCommand('CGENERAL', '/incident', 'declare SEV2 Payments timing out');
    const ch = (await incidentChannel(h, 1)).id;
    await outboxDrained(h);
    const answer = await dana.slashCommand(ch, '/incident', 'note failover to the secondary region started');
    expect(answer.json).toEqual({ response_type: 'ephemeral', text: 'Added to the timeline.' });
    const note = await h.pool.query<{ xmin: string }>("select xmin::text as xmin from incident_events where type = 'note_added' and data->>'text' = 'failover to the secondary region started'");
    expect(note.rows).toHaveLength(1);
    // Give a stray second write (the receiver's own mark) time to land, then compare writers.
    await new Promise((r) => setTimeout(r, 300));
    expect(await request('note failover to the secondary region started')).toEqual({ status: 'processed', xmin: note.rows[0]!.xmin });
  });

  it('a refused command and a declaration are marked by the receiver after their listeners', async () => {
    const dana = h.slack.user(USERS.dana.id);
    const refused = await dana.slashCommand('CGENERAL', '/incident', 'sev SEV1');
    expect(String((refused.json as { text?: string }).text)).toMatch(/incident channel|not an incident/i);
    await expect.poll(async () => (await request('sev SEV1')).status, { timeout: 5_000 }).toBe('processed');
    await dana.slashCommand('CGENERAL', '/incident', 'declare SEV3 Search indexing behind');
    await expect.poll(async () => (await request('declare SEV3 Search indexing behind')).status, { timeout: 5_000 }).toBe('processed');
  });
});
