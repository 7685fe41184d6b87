import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/app/apply-command.ts';
import { declareIncident } from '../../src/app/declare-incident.ts';
import { closeIncident } from '../../src/app/close-incident.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';
import { asSlackChannelId, asSlackUserId } from '../../src/domain/ids.ts';

const meta = (key: string) => ({ actor: { kind: 'user' as const, userId: asSlackUserId('UDANA') }, source: { kind: 'slack' as const, channelId: asSlackChannelId('CGEN') }, idempotencyKey: key });

let h: AppHarness;
beforeAll(async () => {
  h = await appHarness();
});
afterAll(async () => h.close());

const count = async (sql: string, params: unknown[] = []) => Number((await h.pool.query<{ n: string }>(`select count(*)::text as n from ${sql}`, params)).rows[0]?.n);

describe('commands on real Postgres', () => {
  it('the same idempotency key twice gives one incident and one event', async () => {
    const input = { title: 'Payments down', severity: 'SEV1', customers: ['acme'] };
    const [a, b] = await Promise.all([declareIncident(h.deps, input, meta('dup-1')), declareIncident(h.deps, input, meta('dup-1'))]);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.incidentId).toBe(b.incidentId);
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    expect(await count('incident_events where incident_id = $1', [a.incidentId])).toBe(1);
    expect(await count('incidents where id = $1', [a.incidentId])).toBe(1);
    // Effects were queued with the events, in the same transaction.
    expect(await count("outbox where incident_id = $1 and op = 'create_channel'", [a.incidentId])).toBe(1);
  });

  it('a rejected command records nothing and keeps its key free', async () => {
    const d = await declareIncident(h.deps, { title: 'Search slow', severity: 'SEV3' }, meta('d-2'));
    if (!d.ok) throw new Error('declare failed');
    const before = await count('incident_events');
    const outboxBefore = await count('outbox');
    const bad = await applyCommand(h.deps, { id: d.incidentId }, { type: 'close' }, meta('close-too-early'));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('incident.not_resolved');
    expect(await count('incident_events')).toBe(before);
    expect(await count('outbox')).toBe(outboxBefore);
    expect(await count("command_keys where key = 'close-too-early'")).toBe(0);
  });

  it('refuses to rewrite the log', async () => {
    await expect(h.pool.query("update incident_events set type = 'x'")).rejects.toThrow(/append-only/);
    await expect(h.pool.query('delete from incident_events')).rejects.toThrow(/append-only/);
  });

  it('the projection equals the replayed events, and close drafts and stores the report', async () => {
    const d = await declareIncident(h.deps, { title: 'DB failover', severity: 'SEV2', customers: ['acme'] }, meta('d-3'));
    if (!d.ok) throw new Error('declare failed');
    const ref = { id: d.incidentId };
    h.clock.advance(5 * 60_000);
    await applyCommand(h.deps, ref, { type: 'record_customer_contact', details: 'Called Dana' }, meta('c-3'));
    h.clock.advance(5 * 60_000);
    await applyCommand(h.deps, ref, { type: 'post_status_update', status: 'identified', summary: 'Failover in progress' }, meta('u-3'));
    await applyCommand(h.deps, ref, { type: 'resolve' }, meta('r-3'));
    const closed = await closeIncident(h.deps, ref, meta('x-3'));
    expect(closed.ok).toBe(true);
    if (!closed.ok) return;
    expect(closed.markdown).toContain('## Root cause');
    expect(closed.state.status).toBe('closed');
    const stored = await h.pool.query<{ id: string; markdown: string }>('select id, markdown from reports where incident_id = $1', [d.incidentId]);
    expect(stored.rows[0]?.markdown).toBe(closed.markdown);
    const { project } = await import('../../src/domain/incident.ts');
    const events = await h.deps.store.transaction((u) => u.events.loadEvents(d.incidentId));
    // Acme is affected, so close drafts its customer report beside the internal one.
    expect(events.map((e) => e.type)).toEqual(['declared', 'customer_contacted', 'status_update_posted', 'checklist_item_done', 'resolved', 'closed', 'report_drafted', 'customer_report_drafted']);
    expect(project(events)).toEqual(closed.state);
    // The publish row names the stored draft; the Markdown itself stays in `reports`.
    const publish = await h.pool.query<{ payload: { kind: string; reportId?: number; markdown?: string } }>("select payload from outbox where incident_id = $1 and op = 'publish_report'", [d.incidentId]);
    expect(publish.rows[0]?.payload).toEqual({ kind: 'slack.publish_report', reportId: Number(stored.rows[0]?.id) });
  });
});
