/**
 * Notes typed quickly in one incident channel overlap (lib/ordered-lanes.ts):
 * they start together and queue on the incident in the order typed, so they
 * apply together, yet the timeline keeps the order they were typed in, and a
 * command that is not a note (resolve, close) still waits for everything
 * before it and holds back everything after it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

async function timeline(incidentNumber: number): Promise<string[]> {
  const r = await h.pool.query<{ type: string; text: string | null }>(
    `select e.type, e.data->>'text' as text from incident_events e join incidents i on i.id = e.incident_id
     where i.number = $1 and e.type in ('note_added', 'resolved', 'closed') order by e.seq`,
    [incidentNumber],
  );
  return r.rows.map((x) => (x.type === 'note_added' ? x.text! : x.type));
}

/**
 * Types a command without waiting for its answer (Kranz answers a command in
 * its ack once it is applied): resolves once the request is stored, so the
 * next one typed arrives after it. The answer comes with `answered`.
 */
async function type(user: ReturnType<Harness['slack']['user']>, channelId: string, text: string, answered: Promise<unknown>[]): Promise<void> {
  const stored = async (): Promise<number> => Number((await h.pool.query<{ n: string }>("select count(*) as n from inbound_archive where body like '%' || $1 || '%'", [encodeURIComponent(text).replace(/%20/g, '+')])).rows[0]!.n);
  answered.push(user.slashCommand(channelId, '/incident', text));
  const until = Date.now() + 5_000;
  while ((await stored()) === 0) {
    if (Date.now() > until) throw new Error(`"/incident ${text}" was not stored`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('notes typed quickly in one channel', () => {
  it('apply in the order typed, around a resolve and a close that keep their places', async () => {
    const dana = h.slack.user(USERS.dana.id);
    await dana.slashCommand('CGENERAL', '/incident', 'declare SEV2 Orders stuck in pending');
    const ch = (await incidentChannel(h, 1)).id;
    await outboxDrained(h);
    // Each is typed once the one before it is stored, not answered, so the notes are in flight together.
    const typed: string[] = [];
    const answered: Promise<unknown>[] = [];
    for (let i = 0; i < 30; i++) {
      await type(dana, ch, `note step ${i}`, answered);
      typed.push(`step ${i}`);
    }
    await type(dana, ch, 'resolve Queue drained', answered);
    typed.push('resolved');
    for (let i = 30; i < 40; i++) {
      await type(dana, ch, `note step ${i}`, answered);
      typed.push(`step ${i}`);
    }
    await type(dana, ch, 'close', answered);
    typed.push('closed');
    await Promise.all(answered);
    const until = Date.now() + 20_000;
    while ((await timeline(1)).length < typed.length && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(await timeline(1)).toEqual(typed);
  });

  it('keep the order typed when the first note takes longer to check than the one after it', async () => {
    const dana = h.slack.user(USERS.dana.id);
    const sam = h.slack.user(USERS.sam.id);
    await dana.slashCommand('CGENERAL', '/incident', 'declare SEV3 Search results stale');
    const ch = (await incidentChannel(h, 2)).id;
    await sam.join(ch);
    await outboxDrained(h);
    // Sam is neither commander nor role holder: his note asks Slack who is in the channel, slowly.
    // Dana commands the incident: hers needs no lookup and is ready first, yet must queue second.
    h.slack.faults.slow('conversations.members', { delayMs: 400 });
    const answered: Promise<unknown>[] = [];
    await type(sam, ch, 'note checked by Slack first', answered);
    await type(dana, ch, 'note typed second', answered);
    await Promise.all(answered);
    const until = Date.now() + 10_000;
    while ((await timeline(2)).length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(await timeline(2)).toEqual(['checked by Slack first', 'typed second']);
    expect(h.slack.workspace.calls.filter((c) => c.method === 'conversations.members' && c.args['channel'] === ch)).toHaveLength(1);
  });
});
