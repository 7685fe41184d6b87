/**
 * Found by the fuzz run: a message that can never be sent blocks its
 * channel's outbox queue for good. Status update texts are
 * `…${summary}`.slice(0, 3000); when that cut falls inside an emoji it leaves
 * a lone surrogate, @slack/web-api's form encoding of the top-level `text`
 * throws `URIError: URI malformed` before anything is sent, the deliverer
 * reports that as retryable, and the row (and every row behind it in the
 * incident channel: later updates, slot refreshes, the report) is retried for
 * ever. Same cut in the PagerDuty event text (3000) and the topic (250).
 *
 * Fixed: the Slack deliverer now sends well-formed text (lone surrogates become
 * U+FFFD) and an unencodable request counts as permanent; this test keeps it so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/app/apply-command.ts';
import { declareIncident } from '../../src/app/declare-incident.ts';
import type { Clock } from '../../src/app/ports.ts';
import { FAULT_USERS, printFigures, startFaultKranz, type FaultKranz } from '../helpers/faults-kranz.ts';
import { startFaultPostgres, type FaultPostgres } from '../helpers/faults-pg.ts';
import { asSlackChannelId, asSlackUserId } from '../../src/domain/ids.ts';

let nowMs = Date.now();
const clock: Clock = { now: () => new Date(nowMs) };
let db: FaultPostgres;
let k: FaultKranz;
beforeAll(async () => {
  db = await startFaultPostgres();
  k = await startFaultKranz({ databaseUrl: db.url, clock, slackNow: () => nowMs, outboxPollMs: 3_600_000, intakePollMs: 3_600_000 });
});
afterAll(async () => {
  await k?.close();
  await db?.close();
});

describe('poison message in the outbox', () => {
  it('delivers the updates behind one whose text is cut inside an emoji', async () => {
    const meta = (key: string) => ({ actor: { kind: 'user' as const, userId: asSlackUserId(FAULT_USERS.dana.id) }, source: { kind: 'slack' as const, channelId: asSlackChannelId('CGENERAL') }, idempotencyKey: key });
    const o = await declareIncident(k.kranz.deps, { title: 'Emoji in the update', severity: 'SEV2', customers: ['acme'], commanderId: asSlackUserId(FAULT_USERS.dana.id) }, meta('poison:declare'));
    if (!o.ok) throw new Error(JSON.stringify(o.error));
    await k.kranz.outbox.drain();
    // The message text is `${prefix}${summary}`.slice(0, 3000): start the emoji at unit 2999.
    const prefix = 'INC-1 status update (investigating): ';
    const poison = `${'a'.repeat(2999 - prefix.length)}🚨 end`;
    for (const [key, summary] of [['poison:update', poison], ['poison:after', 'poison-after: the update behind it']] as const) {
      const u = await applyCommand(k.kranz.deps, { id: o.incidentId }, { type: 'post_status_update', status: 'investigating', summary }, meta(key));
      if (!u.ok) throw new Error(JSON.stringify(u.error));
    }
    // Ten simulated minutes of worker passes: far past any backoff a healthy Slack needs.
    for (let t = 0; t < 600_000; t += 5_000) {
      await k.kranz.outbox.drain();
      nowMs += 5_000;
    }
    const stuck = await k.pool.query<{ op: string; attempts: number; last_error: string }>("select op, attempts, left(last_error, 60) as last_error from outbox where status = 'pending' order by id");
    const channel = o.state.channelId ?? (await k.kranz.deps.store.transaction((u) => u.incidents.readIncident(o.incidentId)))?.channelId ?? '';
    const delivered = ['CACME', 'CSTAKE', channel].filter((ch) => k.slack.workspace.history(ch).some((m) => (m.text ?? '').includes('poison-after')));
    printFigures({
      fault: 'poison message (update text cut inside an emoji)',
      sent: 3,
      acknowledged: delivered.length,
      applied: delivered.length,
      duplicated: 0,
      lost: 3 - delivered.length,
      extra: { 'rows still pending after 10 simulated minutes': JSON.stringify(stuck.rows.map((r) => `${r.op} x${r.attempts}: ${r.last_error}`)) },
    });
    expect(stuck.rows).toEqual([]);
    expect(delivered).toHaveLength(3);
  });
});
