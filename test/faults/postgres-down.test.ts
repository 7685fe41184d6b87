/**
 * Fault 1: PostgreSQL stops for 40 s in the middle of a stream of signed
 * PagerDuty webhooks and `/incident note` slash commands. Every request must
 * still be acknowledged 2xx (slash commands with the "Recorded; … when the
 * database is back" ephemeral), be on disk in the spool, and once the server
 * is back (the same Kranz process, its pool reconnecting by itself) every
 * event must be applied exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATCHING_UP_REPLY, SPOOLED_REPLY } from '../../src/adapters/slack/receiver.ts';
import { sendPagerDutyWebhook, newV3EventId, type WebhookEventSpec } from '../../src/sandbox/pagerduty/webhook-sender.ts';
import { httpRequest } from '../helpers/faults-child.ts';
import { startFaultPostgres, type FaultPostgres } from '../helpers/faults-pg.ts';
import { FAULT_PD_SECRET, FAULT_USERS, PD_SERVICE, printFigures, spooledKeys, startFaultKranz, until, type FaultKranz } from '../helpers/faults-kranz.ts';

const OUTAGE_MS = 40_000;
const BEFORE_MS = 5_000;
const AFTER_MS = 8_000;
const EVERY_MS = 300;
const TEAM = 'T0KRANZ01';

let db: FaultPostgres;
let k: FaultKranz;
beforeAll(async () => {
  db = await startFaultPostgres();
  k = await startFaultKranz({ databaseUrl: db.url, pagerDuty: true });
});
afterAll(async () => {
  await k?.close();
  await db?.close();
});

interface Sent {
  token: string;
  /** The intake dedupe key the request maps to. */
  key: string;
  kind: 'slack-note' | 'pd-note' | 'pd-ack' | 'pd-trigger';
  status: number;
  ackMs: number;
  spooled: boolean;
  /** Sent while the server was down. */
  duringOutage: boolean;
  /** When it was sent, relative to the outage. */
  phase: Phase;
}

type Phase = 'before' | 'stopping' | 'down' | 'starting' | 'after';

const pdIncident = (n: number): WebhookEventSpec['incident'] => ({ id: `PFLT${n}`, number: 900 + n, title: `Fault stream incident ${n}`, serviceId: PD_SERVICE, serviceName: 'Checkout API' });

async function sendPd(spec: WebhookEventSpec): Promise<{ status: number; body: string; ackMs: number }> {
  const t = performance.now();
  const r = await sendPagerDutyWebhook({ url: `${k.kranz.url}/pagerduty/webhook`, event: spec, secrets: [FAULT_PD_SECRET] });
  return { status: r.status, body: r.body, ackMs: performance.now() - t };
}

/** Distinct tokens in applied events, with how often each appears. */
async function appliedTokens(): Promise<Map<string, number>> {
  const r = await k.pool.query<{ text: string | null }>(
    `select coalesce(data->>'text', data->>'summary') as text from incident_events where type in ('note_added', 'pagerduty_event')`,
  );
  const counts = new Map<string, number>();
  for (const row of r.rows) for (const m of (row.text ?? '').matchAll(/\bf1-(?:s|pn|pa)-\d+\b/g)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  return counts;
}

describe('fault 1: PostgreSQL down during a stream', () => {
  it('acknowledges, spools and later applies every request exactly once', async () => {
    // Three PagerDuty incidents open Kranz incidents (and their channels) while the database is up.
    for (const n of [1, 2, 3]) expect((await sendPd({ eventType: 'incident.triggered', incident: pdIncident(n) })).status).toBe(202);
    const channels = await until(async () => {
      const r = await k.pool.query<{ channel_id: string | null; pd: string }>(
        'select i.channel_id, l.pd_incident_id as pd from incidents i join pagerduty_links l on l.incident_id = i.id order by l.pd_incident_id',
      );
      return r.rows.length === 3 && r.rows.every((x) => x.channel_id) ? r.rows.map((x) => ({ pd: x.pd, channel: x.channel_id ?? '' })) : undefined;
    }, { timeoutMs: 20_000, what: 'three incident channels' });

    // Dana, who sends the notes, joins the three channels first (notes are for the incident's channel members), and Kranz records it.
    for (const c of channels) await k.slack.user(FAULT_USERS.dana.id).join(c.channel);
    await until(async () => {
      const r = await k.pool.query<{ n: string }>("select count(*)::text as n from incidents where state->'members' ? $1", [FAULT_USERS.dana.id]);
      return r.rows[0]?.n === '3' ? true : undefined;
    }, { timeoutMs: 20_000, what: 'Dana recorded as a member of the three channels' });

    const sent: Sent[] = [];
    let down = false;
    let phase: Phase = 'before';
    let stop = false;
    let n = 0;
    const dana = k.slack.user(FAULT_USERS.dana.id);
    const redeliveries: { key: string; status: number }[] = [];
    /** Replies to slash commands during the outage other than the "database is back" one. */
    const outageReplies: string[] = [];

    const slackStream = async (): Promise<void> => {
      while (!stop) {
        const i = ++n;
        const target = channels[i % channels.length]!;
        const token = `f1-s-${i}`;
        const duringOutage = down;
        const at = phase;
        const t = performance.now();
        const r = await dana.slashCommand(target.channel, '/incident', `note ${token} checkout latency sample`);
        const text = (r.json as { text?: string } | undefined)?.text;
        const spooled = text === SPOOLED_REPLY || text === CATCHING_UP_REPLY;
        if (duringOutage && text !== SPOOLED_REPLY) outageReplies.push(text ?? `(status ${r.status}, no text)`);
        sent.push({ token, key: `slack:cmd:${TEAM}:${r.triggerId}`, kind: 'slack-note', status: r.status, ackMs: performance.now() - t, spooled, duringOutage, phase: at });
        await new Promise((res) => setTimeout(res, EVERY_MS));
      }
    };
    const pdStream = async (): Promise<void> => {
      let p4Triggered = false;
      while (!stop) {
        const i = ++n;
        const duringOutage = down;
        const at = phase;
        // A PagerDuty incident first triggered while the database is down, then talked about
        // after it is back: its later events must not overtake the spooled trigger.
        let pdNo = 1 + (i % 3);
        if (duringOutage && !p4Triggered) {
          p4Triggered = true;
          const eventId = newV3EventId();
          const r = await sendPd({ eventType: 'incident.triggered', incident: pdIncident(4), eventId });
          sent.push({ token: 'f1-p4-trigger', key: `pd:${eventId}`, kind: 'pd-trigger', status: r.status, ackMs: r.ackMs, spooled: r.body.includes('spooled'), duringOutage, phase: at });
        }
        if (p4Triggered && i % 2 === 0) pdNo = 4;
        const ack = i % 3 === 0;
        const token = ack ? `f1-pa-${i}` : `f1-pn-${i}`;
        const eventId = newV3EventId();
        const spec: WebhookEventSpec = ack
          ? { eventType: 'incident.acknowledged', incident: pdIncident(pdNo), eventId, agent: { id: 'PAGENT1', summary: token } }
          : { eventType: 'incident.annotated', incident: pdIncident(pdNo), eventId, note: { content: `${token} from the stream` } };
        const r = await sendPd(spec);
        sent.push({ token, key: `pd:${eventId}`, kind: ack ? 'pd-ack' : 'pd-note', status: r.status, ackMs: r.ackMs, spooled: r.body.includes('spooled'), duringOutage, phase: at });
        // PagerDuty redelivers when unsure: every 5th event goes twice, same event id.
        if (i % 5 === 0) redeliveries.push({ key: `pd:${eventId}`, status: (await sendPd(spec)).status });
        await new Promise((res) => setTimeout(res, EVERY_MS));
      }
    };

    const streams = Promise.all([slackStream(), pdStream()]);
    await new Promise((r) => setTimeout(r, BEFORE_MS));
    const stoppedAt = Date.now();
    phase = 'stopping';
    await db.stop();
    down = true;
    phase = 'down';
    const health = await httpRequest(`${k.kranz.url}/healthz`);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    // Before the server returns, everything acknowledged as spooled must be on disk (answers that
    // arrive while the files are being read are checked by the next read, not this one).
    const answeredBefore = sent.length;
    const onDisk = new Set(await spooledKeys(k.spoolFile));
    const spooledSent = sent.slice(0, answeredBefore).filter((s) => s.spooled);
    down = false;
    phase = 'starting';
    await db.start();
    phase = 'after';
    const restartedAt = Date.now();
    await new Promise((r) => setTimeout(r, AFTER_MS));
    stop = true;
    await streams;

    const expected = new Set(sent.filter((s) => s.kind !== 'pd-trigger').map((s) => s.token));
    let lastSeen = 0;
    const applied = await until(async () => {
      const c = await appliedTokens();
      lastSeen = [...expected].filter((t) => c.has(t)).length;
      return lastSeen === expected.size ? c : undefined;
    }, { timeoutMs: 60_000, everyMs: 250, what: `all ${expected.size} events applied (${lastSeen} so far)` }).catch(async () => appliedTokens());
    const appliedAt = Date.now();
    const healthAfter = await until(async () => ((await httpRequest(`${k.kranz.url}/healthz`)).status === 200 ? 200 : undefined), { timeoutMs: 10_000, what: 'healthz 200' });

    const duplicated = [...applied.values()].filter((c) => c > 1).length;
    const lost = [...expected].filter((t) => !applied.has(t));
    const p4 = await k.pool.query("select 1 from pagerduty_links where pd_incident_id = 'PFLT4'");
    const acked = sent.filter((s) => s.status >= 200 && s.status < 300);
    const outageSent = sent.filter((s) => s.duringOutage);
    printFigures({
      fault: 'PostgreSQL down during a stream',
      sent: sent.length,
      acknowledged: acked.length,
      applied: [...expected].filter((t) => applied.has(t)).length + p4.rows.length,
      duplicated,
      lost: lost.length + (p4.rows.length ? 0 : 1),
      extra: {
        'outage (s)': Math.round((restartedAt - stoppedAt) / 1000),
        'sent during outage': outageSent.length,
        'spooled (answered as spooled)': spooledSent.length,
        'spooled, by phase (stopping / down / starting / after restart)': (['stopping', 'down', 'starting', 'after'] as const).map((p) => sent.filter((s) => s.spooled && s.phase === p).length).join(' / '),
        'spooled found on disk before restart': spooledSent.filter((s) => onDisk.has(s.key)).length,
        'slack notes / pd notes / pd acks / pd triggers': ['slack-note', 'pd-note', 'pd-ack', 'pd-trigger'].map((x) => sent.filter((s) => s.kind === x).length).join(' / '),
        'PagerDuty redeliveries (same event id)': `${redeliveries.length}, all 2xx: ${redeliveries.every((r) => r.status === 202)}`,
        'max ack time (ms)': Math.round(Math.max(...sent.map((s) => s.ackMs))),
        'max ack time during outage (ms)': Math.round(Math.max(0, ...outageSent.map((s) => s.ackMs))),
        'time to apply everything after restart (s)': ((appliedAt - restartedAt) / 1000).toFixed(1),
        'healthz during outage / after': `${health.status} / ${healthAfter}`,
        ...(lost.length ? { 'lost tokens': lost.slice(0, 20).join(', ') } : {}),
      },
    });

    expect(sent.every((s) => s.status >= 200 && s.status < 300)).toBe(true);
    expect(redeliveries.every((r) => r.status === 202)).toBe(true);
    // Slack gives a slash command 3 s; a spooled ack must fit well inside.
    expect(Math.max(...sent.filter((s) => s.kind === 'slack-note').map((s) => s.ackMs))).toBeLessThan(3_000);
    expect(outageSent.length).toBeGreaterThan(50);
    // While the server was down, every request was answered as spooled and was on disk.
    expect(outageSent.every((s) => s.spooled)).toBe(true);
    expect(outageReplies).toEqual([]);
    expect(spooledSent.filter((s) => !onDisk.has(s.key))).toEqual([]);
    expect(health.status).toBe(503);
    expect(lost).toEqual([]);
    expect(duplicated).toBe(0);
    expect(p4.rows.length).toBe(1);
    // Nothing is left unapplied, and the pool serves Kranz again without a restart.
    const left = await k.pool.query<{ n: string }>("select count(*)::text as n from inbound_archive where status = 'received'");
    expect(left.rows[0]?.n).toBe('0');
  });
});
