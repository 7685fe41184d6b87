/** The installation-wide reads the demo's live log and settle check use, on the embedded database. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityReads } from '../../src/adapters/db/activity-sql.ts';
import { applyCommand } from '../../src/app/apply-command.ts';
import { closeIncident } from '../../src/app/close-incident.ts';
import { declareIncident } from '../../src/app/declare-incident.ts';
import { activitySince, isSettled, latestReport, type ActivityReads } from '../../src/app/query-activity.ts';
import { asSlackChannelId, asSlackUserId } from '../../src/domain/ids.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';

const meta = (key: string) => ({ actor: { kind: 'user' as const, userId: asSlackUserId('UDANA') }, source: { kind: 'slack' as const, channelId: asSlackChannelId('CGEN') }, idempotencyKey: key });

let h: AppHarness;
let reads: ActivityReads;
beforeAll(async () => {
  h = await appHarness();
  reads = activityReads(h.pool);
});
afterAll(() => h?.close());

describe('activity reads', () => {
  it('follow every incident in log order, tell what is in flight, and find the last report of a channel', async () => {
    expect(await activitySince(reads, 0)).toEqual([]);
    const a = await declareIncident(h.deps, { title: 'Checkout errors', severity: 'SEV2' }, meta('a'));
    const b = await declareIncident(h.deps, { title: 'Search slow', severity: 'SEV3' }, meta('b'));
    if (!a.ok || !b.ok) throw new Error('declare failed');
    const all = await activitySince(reads, 0);
    expect(all.filter((e) => e.type === 'declared')).toHaveLength(2);
    expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((x, y) => x - y));
    const last = all[all.length - 1]!.seq;
    // Paged: a page smaller than the backlog still returns everything, in order.
    await applyCommand(h.deps, { id: a.incidentId }, { type: 'add_note', text: 'first', via: 'command' }, meta('n1'));
    await applyCommand(h.deps, { id: b.incidentId }, { type: 'add_note', text: 'second', via: 'command' }, meta('n2'));
    const paged = await activitySince(reads, 0, 1);
    expect(paged.map((e) => e.seq)).toEqual((await activitySince(reads, 0)).map((e) => e.seq));
    expect((await activitySince(reads, last)).map((e) => e.type)).toEqual(['note_added', 'note_added']);

    // Declaring queued Slack work that no deliverer here will do.
    const busy = await isSettled(reads);
    expect(busy.settled).toBe(false);
    expect(busy.undelivered).toBeGreaterThan(0);
    expect(busy.unapplied).toBe(0);
    await h.pool.query("update outbox set status = 'delivered'");
    expect(await isSettled(reads)).toEqual({ settled: true, unapplied: 0, undelivered: 0 });

    expect(await latestReport(reads, 'CINC1')).toBeUndefined();
    await applyCommand(h.deps, { id: a.incidentId }, { type: 'record_channel', channelId: asSlackChannelId('CINC1'), channelName: 'inc-1-checkout' }, meta('ch'));
    await applyCommand(h.deps, { id: a.incidentId }, { type: 'resolve' }, meta('r'));
    const closed = await closeIncident(h.deps, { id: a.incidentId }, meta('x'));
    if (!closed.ok) throw new Error(`close failed: ${JSON.stringify(closed.error)}`);
    const report = await latestReport(reads, 'CINC1');
    expect(report?.number).toBe(a.state.number);
    expect(report?.markdown).toBe(closed.markdown);
  });
});
