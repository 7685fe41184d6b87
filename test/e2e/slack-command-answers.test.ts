/**
 * Where a slash command's answer goes. Kranz stores the request, applies it
 * and answers in the acknowledgement itself when that is done within a few
 * milliseconds, so the person sees the answer with no second request; when
 * applying takes longer (the incident is locked, the database is slow), the
 * ack goes out empty at once and the answer follows on response_url, or in
 * the channel when that does not take it in time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESPONSE_URL_DEADLINE_MS } from '../../src/adapters/slack/listeners/response-url.ts';
import { RESPONSE_URL_FAULT } from '../../src/sandbox/slack/index.ts';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';

/** A wait long enough that a command applied on an idle test machine is always answered in its ack. */
const WAIT_MS = 1_000;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ answerInAckWaitMs: WAIT_MS });
});
afterAll(async () => h?.close());

const postsTo = (url: string) => h.slack.workspace.responseUrlPosts.filter((p) => p.url === url);

describe('the answer to a slash command', () => {
  it('rides on its ack when the command applied in time', async () => {
    const dana = h.slack.user(USERS.dana.id);
    const declared = await dana.slashCommand('CGENERAL', '/incident', 'declare SEV3 Invoices render blank');
    expect(declared.status).toBe(200);
    expect(declared.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Declared INC-1') });
    const ch = (await incidentChannel(h, 1)).id;
    await outboxDrained(h);

    const note = await dana.slashCommand(ch, '/incident', 'note Template cache was flushed at 10:02');
    expect(note.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Added to the timeline') });
    const bad = await dana.slashCommand(ch, '/incident', 'sev SEV9');
    expect(bad.json).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(bad.json)).toMatch(/SEV9|severity/i);
    // Nothing went to response_url: the answer was the ack.
    await outboxDrained(h);
    expect(postsTo(declared.responseUrl)).toHaveLength(0);
    expect(postsTo(note.responseUrl)).toHaveLength(0);
    expect(postsTo(bad.responseUrl)).toHaveLength(0);
    expect(h.slack.workspace.ephemerals.filter((e) => e.user === USERS.dana.id && e.text.includes('Added to the timeline'))).toHaveLength(1);
  });

  it('follows on response_url when applying takes longer, and the ack does not wait for it', async () => {
    const dana = h.slack.user(USERS.dana.id);
    const ch = (await incidentChannel(h, 1)).id;
    const locker = await h.pool.connect();
    let reply: Awaited<ReturnType<typeof dana.slashCommand>>;
    let ackMs: number;
    try {
      await locker.query('begin');
      // Holds the incident's row lock: the note is stored but cannot apply until it is released.
      await locker.query("select 1 from incidents where number = 1 for update");
      const started = Date.now();
      // The lock is released only after the ack: the note applies then, too late to ride on it.
      reply = await dana.slashCommand(ch, '/incident', 'note Rolled back the renderer');
      ackMs = Date.now() - started;
      expect(reply.status).toBe(200);
      expect(reply.json ?? {}, JSON.stringify(reply.json)).not.toHaveProperty("text");
      await locker.query('commit');
    } finally {
      locker.release();
    }
    // Acknowledged when the wait was over, not when the command applied.
    expect(ackMs).toBeGreaterThanOrEqual(WAIT_MS - 50);
    expect(ackMs).toBeLessThan(WAIT_MS + 400);
    const until = Date.now() + 10_000;
    while (postsTo(reply.responseUrl).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(postsTo(reply.responseUrl).map((p) => p.body)).toEqual([expect.objectContaining({ response_type: 'ephemeral', text: expect.stringContaining('Added to the timeline') })]);
  });

  it('goes in the channel when its response_url does not answer within RESPONSE_URL_DEADLINE_MS', async () => {
    const dana = h.slack.user(USERS.dana.id);
    const ch = (await incidentChannel(h, 1)).id;
    const ephemeralsBefore = h.slack.workspace.calls.filter((c) => c.method === 'chat.postEphemeral').length;
    h.slack.faults.outage(RESPONSE_URL_FAULT, { times: 1, mode: 'hang' });
    const locker = await h.pool.connect();
    let reply: Awaited<ReturnType<typeof dana.slashCommand>>;
    try {
      await locker.query('begin');
      // As above: the note applies after its ack, so its answer goes to the response_url, which hangs.
      await locker.query("select 1 from incidents where number = 1 for update");
      reply = await dana.slashCommand(ch, '/incident', 'note Cache warmed again');
      expect(reply.json ?? {}).not.toHaveProperty('text');
      await locker.query('commit');
    } finally {
      locker.release();
    }
    const released = Date.now();
    const answered = await h.slack.waitFor(() => h.slack.workspace.calls.filter((c) => c.method === 'chat.postEphemeral').slice(ephemeralsBefore).find((c) => c.args['user'] === USERS.dana.id), { timeoutMs: RESPONSE_URL_DEADLINE_MS + 5_000, what: 'the answer in the channel' });
    expect(Date.now() - released).toBeGreaterThanOrEqual(RESPONSE_URL_DEADLINE_MS - 50);
    expect(answered).toMatchObject({ ok: true, args: expect.objectContaining({ channel: ch, text: expect.stringContaining('Added to the timeline') }) });
    expect(postsTo(reply.responseUrl)).toEqual([expect.objectContaining({ status: 0, effect: 'rejected' })]);
    await h.slack.idle();
  });
});
