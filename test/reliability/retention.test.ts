/**
 * Retention: raw inbound requests older than `retention.inbound` are deleted
 * from the archive (once per hour across replicas: the hour is claimed in
 * the database) and from each replica's `spool/rejected.jsonl`; requests
 * still waiting to be applied, the live spool and the incident's own events
 * are kept.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retentionTick } from '../../src/adapters/intake/retention.ts';
import { Spool } from '../../src/adapters/intake/spool.ts';
import { archiveInbound, finishInbound } from '../../src/adapters/db/inbound-sql.ts';
import { declareIncident } from '../../src/app/declare-incident.ts';
import { DEFAULT_POLICY } from '../../src/domain/default-policy.ts';
import { asSlackUserId } from '../../src/domain/ids.ts';
import { appHarness, type AppHarness } from '../helpers/app.ts';

const DAY = 86_400_000;
let h: AppHarness;
const dirs: string[] = [];
beforeAll(async () => {
  h = await appHarness();
});
afterAll(async () => {
  await h.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function replicaSpool(): Promise<Spool> {
  const d = await mkdtemp(join(tmpdir(), 'kranz-retention-'));
  dirs.push(d);
  return new Spool(d);
}

const quiet = { info: () => undefined };

describe('retention.inbound', () => {
  it('defaults to 30 days', () => {
    expect(DEFAULT_POLICY.retention.inboundMs).toBe(30 * DAY);
  });

  it('prunes old applied, ignored and failed requests once across replicas, and keeps the rest', async () => {
    const now = h.clock.now();
    const at = (daysAgo: number): string => new Date(now.getTime() - daysAgo * DAY).toISOString();
    const store = async (key: string, daysAgo: number, status?: 'processed' | 'ignored' | 'failed'): Promise<void> => {
      const id = await archiveInbound(h.pool, { source: 'slack', dedupeKey: key, receivedAt: at(daysAgo), headers: {}, body: `response_url=https%3A%2F%2Fhooks.slack.com%2F${key}` });
      if (status) await finishInbound(h.pool, id!, status, now);
    };
    await store('old-processed', 31, 'processed');
    await store('old-ignored', 45, 'ignored');
    await store('old-failed', 40, 'failed');
    await store('old-still-waiting', 31);
    await store('recent-processed', 29, 'processed');
    // An incident declared 400 days ago: its events are kept forever.
    h.clock.set(new Date(now.getTime() - 400 * DAY));
    const declared = await declareIncident(h.deps, { title: 'Kept forever', severity: 'SEV3' }, { actor: { kind: 'user', userId: asSlackUserId('UDANA') }, source: { kind: 'cli' }, idempotencyKey: 'ret-1' });
    expect(declared.ok).toBe(true);
    h.clock.set(now);
    const events = (await h.pool.query('select 1 from incident_events')).rowCount;
    expect(events).toBeGreaterThan(0);

    // Two replicas, each with its own data dir and an old and a new rejected record.
    const spools = [await replicaSpool(), await replicaSpool()];
    for (const s of spools) {
      await s.reject({ source: 'slack', dedupeKey: 'rej-old', receivedAt: at(31), headers: {}, body: 'x' }, 'refused');
      await s.reject({ source: 'slack', dedupeKey: 'rej-new', receivedAt: at(1), headers: {}, body: 'y' }, 'refused');
      // The live spool (acknowledged, not archived yet) is never pruned, however old.
      await s.append({ source: 'slack', dedupeKey: 'live-old', receivedAt: at(60), headers: {}, body: 'z' });
    }
    const ticks = spools.map((spool) => retentionTick({ pool: h.pool, spool, retentionMs: 30 * DAY, log: quiet }));
    const results = await Promise.all(ticks.map((t) => t(now)));
    // One replica won the hour and pruned the archive; both pruned their own spool.
    expect(results.map((r) => r.claimed).sort()).toEqual([false, true]);
    expect(results.reduce((n, r) => n + r.archiveRows, 0)).toBe(3);
    expect(results.map((r) => r.spoolRecords)).toEqual([1, 1]);

    const left = await h.pool.query<{ dedupe_key: string }>('select dedupe_key from inbound_archive order by dedupe_key');
    expect(left.rows.map((r) => r.dedupe_key)).toEqual(['old-still-waiting', 'recent-processed']);
    expect((await h.pool.query('select 1 from incident_events')).rowCount).toBe(events);
    for (const s of spools) {
      const rejected = await readFile(join(s.dir, 'spool', 'rejected.jsonl'), 'utf8');
      expect(rejected).toContain('rej-new');
      expect(rejected).not.toContain('rej-old');
      expect(await s.depth()).toBe(1);
    }

    // The same hour again: nothing more happens; the next hour is claimed again.
    expect((await Promise.all(ticks.map((t) => t(new Date(now.getTime() + 60_000))))).map((r) => r.claimed)).toEqual([false, false]);
    const next = await Promise.all(ticks.map((t) => t(new Date(now.getTime() + 3_600_000))));
    expect(next.filter((r) => r.claimed)).toHaveLength(1);
  });

  it('is read from the policy file, e.g. `retention: { inbound: 7d }`', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kranz-retention-cfg-'));
    dirs.push(dir);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'p.yml'), 'retention:\n  inbound: 7d\noutbox:\n  max_attempts: 4\n  give_up_after: 6h\n');
    const { loadPolicy } = await import('../../src/config/load-policy.ts');
    const p = await loadPolicy(join(dir, 'p.yml'));
    expect(p.ok && p.policy.retention).toEqual({ inboundMs: 7 * DAY });
    expect(p.ok && p.policy.outbox).toEqual({ maxAttempts: 4, giveUpAfterMs: 6 * 3_600_000 });
    await writeFile(join(dir, 'bad.yml'), 'outbox:\n  max_attempts: 0\n');
    const bad = await loadPolicy(join(dir, 'bad.yml'));
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).toContain('outbox.max_attempts');
  });
});
