/**
 * Fault 2: the Slack Web API is unreachable for two minutes (simulated
 * clock) while an incident keeps producing messages for its channel and two
 * relay channels. Then Slack rate-limits every call with a two-minute
 * Retry-After. The outbox worker is run by hand as the clock advances; when
 * Slack answers again every message must arrive exactly once, in order per
 * channel, and nothing may be dead-lettered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/app/apply-command.ts';
import { declareIncident } from '../../src/app/declare-incident.ts';
import type { Clock } from '../../src/app/ports.ts';
import { startFaultPostgres, type FaultPostgres } from '../helpers/faults-pg.ts';
import { FAULT_USERS, printFigures, RELAY_CHANNELS, startFaultKranz, until, type FaultKranz } from '../helpers/faults-kranz.ts';
import { asIncidentId, asSlackChannelId, asSlackUserId } from '../../src/domain/ids.ts';

/** Simulated time shared by Kranz (outbox due times, leases) and the stand-in (outage end). */
let nowMs = Date.now();
const clock: Clock = { now: () => new Date(nowMs) };
const STEP_MS = 5_000;
const OUTAGE_MS = 120_000;

let db: FaultPostgres;
let k: FaultKranz;
let incidentId = asIncidentId('');
let channel = asSlackChannelId('');
beforeAll(async () => {
  db = await startFaultPostgres();
  // The worker runs when the test says so: polling and inbound passes are pushed out of the way.
  k = await startFaultKranz({ databaseUrl: db.url, clock, slackNow: () => nowMs, outboxPollMs: 3_600_000, intakePollMs: 3_600_000 });
  const meta = { actor: { kind: 'user' as const, userId: asSlackUserId(FAULT_USERS.dana.id) }, source: { kind: 'slack' as const, channelId: asSlackChannelId('CGENERAL') }, idempotencyKey: 'f2:declare' };
  const o = await declareIncident(k.kranz.deps, { title: 'Slack outage drill', severity: 'SEV1', customers: ['acme'], commanderId: asSlackUserId(FAULT_USERS.dana.id) }, meta);
  if (!o.ok) throw new Error(JSON.stringify(o.error));
  incidentId = o.incidentId;
  await k.kranz.outbox.drain();
  // A pass the commit's NOTIFY started may hold the channel's row while drain() finds nothing to claim: wait for the channel.
  channel = await until(async () => {
    await k.kranz.outbox.drain();
    return (await k.kranz.deps.store.transaction((u) => u.incidents.readIncident(incidentId)))?.channelId;
  }, { timeoutMs: 15_000, everyMs: 100, what: 'the incident channel, created before the outage' });
});
afterAll(async () => {
  await k?.close();
  await db?.close();
});

let updates = 0;
/** Posts one status update: one message in the incident channel and one in each relay channel. */
async function statusUpdate(token: string): Promise<void> {
  updates++;
  const o = await applyCommand(
    k.kranz.deps,
    { id: incidentId },
    { type: 'post_status_update', status: 'investigating', summary: `${token}: still degraded, next step ${updates}` },
    { actor: { kind: 'user', userId: asSlackUserId(FAULT_USERS.dana.id) }, source: { kind: 'slack', channelId: channel }, idempotencyKey: `f2:update:${token}` },
  );
  if (!o.ok) throw new Error(JSON.stringify(o.error));
}

/** Tokens as they appear in a channel's history, oldest first. */
function tokensIn(ch: string, prefix: string): string[] {
  const out: string[] = [];
  for (const m of k.slack.workspace.history(ch)) for (const t of (m.text ?? '').matchAll(new RegExp(`\\b${prefix}-\\d+\\b`, 'g'))) out.push(t[0]);
  return out;
}

async function pendingRows(): Promise<number> {
  const r = await k.pool.query<{ n: string }>("select count(*)::text as n from outbox where status = 'pending'");
  return Number(r.rows[0]?.n ?? 0);
}

/** Advances the clock by steps, running the worker after each, until nothing is pending (or `maxMs`). */
async function stepUntilDelivered(maxMs: number): Promise<number> {
  const start = nowMs;
  while (nowMs - start <= maxMs) {
    await k.kranz.outbox.drain();
    if ((await pendingRows()) === 0) return nowMs - start;
    nowMs += STEP_MS;
  }
  return Number.NaN;
}

interface Check {
  expected: string[];
  byChannel: Record<string, { delivered: number; duplicated: number; missing: number; inOrder: boolean }>;
}

function check(prefix: string, expected: string[]): Check {
  const byChannel: Check['byChannel'] = {};
  for (const ch of [channel, ...RELAY_CHANNELS]) {
    const seen = tokensIn(ch, prefix);
    const distinct = [...new Set(seen)];
    byChannel[ch] = {
      delivered: distinct.length,
      duplicated: seen.length - distinct.length,
      missing: expected.filter((t) => !distinct.includes(t)).length,
      inOrder: JSON.stringify(distinct) === JSON.stringify(expected.filter((t) => distinct.includes(t))),
    };
  }
  return { expected, byChannel };
}

function figures(name: string, c: Check, extra: Record<string, string | number>): void {
  const rows = Object.values(c.byChannel);
  const sent = c.expected.length * rows.length;
  const delivered = rows.reduce((a, r) => a + r.delivered, 0);
  printFigures({
    fault: name,
    sent,
    acknowledged: delivered,
    applied: delivered,
    duplicated: rows.reduce((a, r) => a + r.duplicated, 0),
    lost: rows.reduce((a, r) => a + r.missing, 0),
    extra: { ...extra, 'in order in every channel': String(rows.every((r) => r.inOrder)) },
  });
}

describe('fault 2: Slack down', () => {
  it('delivers every message exactly once, in order per channel, after a two-minute outage', async () => {
    const outageStart = nowMs;
    // The first minute Slack answers 503, the second it drops connections unanswered.
    k.slack.faults.outage('*', { untilMs: outageStart + OUTAGE_MS / 2, status: 503 });
    k.slack.faults.outage('*', { untilMs: outageStart + OUTAGE_MS, mode: 'close' });
    const callsBefore = k.slack.workspace.calls.length;
    const expected: string[] = [];
    const dana = k.slack.user(FAULT_USERS.dana.id);
    const inbound: { token: string; status: number }[] = [];
    // Ten status updates through the outage, one every 12 s: 30 messages over three channels.
    // Meanwhile a responder's slash commands still reach Kranz (Slack's own delivery works; its Web API does not).
    while (nowMs < outageStart + OUTAGE_MS) {
      if (expected.length < 10 && (nowMs - outageStart) % 12_000 < STEP_MS) {
        const token = `f2-${expected.length + 1}`;
        expected.push(token);
        await statusUpdate(token);
      }
      if ((nowMs - outageStart) % 40_000 < STEP_MS) {
        const token = `f2-in-${inbound.length + 1}`;
        inbound.push({ token, status: (await dana.slashCommand(channel, '/incident', `note ${token} seen from the field`)).status });
      }
      await k.kranz.outbox.drain();
      await k.kranz.intake.runOnce();
      nowMs += STEP_MS;
    }
    const duringOutage = check('f2', expected);
    const failedCalls = k.slack.workspace.calls.slice(callsBefore).filter((c) => c.fault === 'outage').length;
    const maxAttempts = (await k.pool.query<{ n: number }>("select coalesce(max(attempts), 0)::int as n from outbox where status = 'pending'")).rows[0]?.n ?? 0;
    // Slack is back: the clock goes on in steps, the worker and the intake pass run after each.
    const notesIn = async (): Promise<string[]> => (await k.pool.query<{ t: string }>("select data->>'text' as t from incident_events where type = 'note_added'")).rows.map((r) => r.t);
    const notesDuringOutage = await notesIn();
    const inboundDuringOutage = inbound.filter((x) => notesDuringOutage.some((n) => n.startsWith(x.token))).length;
    const backAt = nowMs;
    let deliveredAfterMs = Number.NaN;
    let inboundAfterMs = Number.NaN;
    while (nowMs - backAt <= 15 * 60_000 && (Number.isNaN(deliveredAfterMs) || Number.isNaN(inboundAfterMs))) {
      await k.kranz.outbox.drain();
      await k.kranz.intake.runOnce();
      if (Number.isNaN(deliveredAfterMs) && (await pendingRows()) === 0) deliveredAfterMs = nowMs - backAt;
      const notes = await notesIn();
      if (Number.isNaN(inboundAfterMs) && inbound.every((x) => notes.some((n) => n.startsWith(x.token)))) inboundAfterMs = nowMs - backAt;
      nowMs += STEP_MS;
    }
    const recoveredAfterMs = deliveredAfterMs;
    const after = check('f2', expected);
    const notes = await notesIn();
    const inboundApplied = inbound.filter((x) => notes.filter((n) => n.startsWith(x.token)).length === 1).length;
    const inboundDuplicated = inbound.filter((x) => notes.filter((n) => n.startsWith(x.token)).length > 1).length;
    const dead = await k.pool.query("select op, last_error from outbox where status = 'dead'");
    figures('Slack down for 2 minutes (503, then dropped connections)', after, {
      'messages queued (status updates x channels)': `${expected.length} x 3`,
      'delivered while Slack was down': Object.values(duringOutage.byChannel).reduce((a, r) => a + r.delivered, 0),
      'Slack calls refused during the outage': failedCalls,
      'highest attempt count of a waiting row': maxAttempts,
      'simulated time from Slack back to all delivered (s)': recoveredAfterMs / 1000,
      'dead letters': dead.rows.length,
      'slash commands during the outage: sent / acked / applied / duplicated': `${inbound.length} / ${inbound.filter((x) => x.status === 200).length} / ${inboundApplied} / ${inboundDuplicated}`,
      'of those, applied while Slack was still down': inboundDuringOutage,
      'simulated time from Slack back to all of them applied (s)': inboundAfterMs / 1000,
    });

    expect(expected).toHaveLength(10);
    expect(inbound.length).toBeGreaterThanOrEqual(3);
    expect(inbound.every((x) => x.status === 200)).toBe(true);
    expect({ applied: inboundApplied, duplicated: inboundDuplicated }).toEqual({ applied: inbound.length, duplicated: 0 });
    expect(Object.values(duringOutage.byChannel).every((r) => r.delivered === 0)).toBe(true);
    expect(failedCalls).toBeGreaterThan(0);
    expect(Number.isNaN(recoveredAfterMs)).toBe(false);
    for (const r of Object.values(after.byChannel)) expect(r).toEqual({ delivered: 10, duplicated: 0, missing: 0, inOrder: true });
    expect(dead.rows).toEqual([]);
  });

  it('waits out a two-minute Retry-After and then delivers each message once, in order', async () => {
    const start = nowMs;
    // Every call is refused with Retry-After: 120 until the test lifts it after two simulated minutes.
    k.slack.faults.rateLimit('*', { times: 1_000_000, retryAfterSec: 120 });
    const callsBefore = k.slack.workspace.calls.length;
    const expected: string[] = [];
    for (let i = 1; i <= 5; i++) {
      expected.push(`f2r-${i}`);
      await statusUpdate(`f2r-${i}`);
      await k.kranz.outbox.drain();
      nowMs += STEP_MS;
    }
    // Within the Retry-After window nothing is retried: one refused call per channel, then silence.
    const refusedEarly = k.slack.workspace.calls.slice(callsBefore).filter((c) => c.fault === 'ratelimited').length;
    while (nowMs < start + 120_000) {
      await k.kranz.outbox.drain();
      nowMs += STEP_MS;
    }
    const refused = k.slack.workspace.calls.slice(callsBefore).filter((c) => c.fault === 'ratelimited').length;
    k.slack.faults.clear();
    const recoveredAfterMs = await stepUntilDelivered(10 * 60_000);
    const after = check('f2r', expected);
    const dead = await k.pool.query("select op, last_error from outbox where status = 'dead'");
    figures('Slack rate-limits everything with Retry-After: 120 s', after, {
      'messages queued (status updates x channels)': `${expected.length} x 3`,
      'calls refused with 429 in the 2 minutes': refused,
      'simulated time from the limit lifting to all delivered (s)': recoveredAfterMs / 1000,
      'dead letters': dead.rows.length,
    });

    // Retry-After is obeyed: three order keys (incident channel, two relays) each tried once, not hammered.
    expect(refusedEarly).toBe(3);
    expect(refused).toBe(3);
    for (const r of Object.values(after.byChannel)) expect(r).toEqual({ delivered: 5, duplicated: 0, missing: 0, inOrder: true });
    expect(dead.rows).toEqual([]);
  });
});
