/**
 * `GET /metrics` serves Prometheus text whose values match what happened:
 * one slash command through the Slack stand-in (with one injected Slack
 * outage) moves the ingest, ack-latency and API-error series, and the outbox
 * gauges follow rows put in the database.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentChannel, outboxDrained, startHarness, USERS, type Harness } from '../helpers/kranz-harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

async function scrape(): Promise<{ status: number; contentType: string | null; text: string }> {
  const r = await fetch(`${h.kranz.url}/metrics`);
  return { status: r.status, contentType: r.headers.get('content-type'), text: await r.text() };
}

/** Value of one sample, e.g. `kranz_dead_letters` or `kranz_ack_latency_seconds_count{kind="command"}`; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/** Sum of every sample of `name`, whatever the labels. */
function total(text: string, name: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

describe('GET /metrics', () => {
  it('serves every Kranz series, with values that reflect one slash command and one Slack outage', async () => {
    // The first chat.postMessage fails (Slack 503); the outbox retries it.
    h.slack.faults.outage('chat.postMessage', { times: 1 });
    const dana = h.slack.user(USERS.dana.id);
    const cmd = await dana.slashCommand('CGENERAL', '/incident', 'declare SEV2 Search is slow for Acme');
    expect(cmd.status).toBe(200);
    await incidentChannel(h, 1);
    await outboxDrained(h, 15_000);

    const { status, contentType, text } = await scrape();
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      'kranz_events_ingested_total',
      'kranz_outbox_depth',
      'kranz_outbox_oldest_age_seconds',
      'kranz_spool_depth',
      'kranz_dead_letters',
      'kranz_reminders_sent_total',
      'kranz_api_errors_total',
      'kranz_ack_latency_seconds',
    ]) {
      expect(text).toMatch(new RegExp(`^# TYPE ${name} (counter|gauge|histogram)$`, 'm'));
    }

    // Every request the stand-in delivered was archived once and counted once. Slack may still be delivering an
    // event the declare caused (a join), so the archive and the counter are read together until they agree.
    const archivedCount = async (): Promise<number> => (await h.pool.query<{ n: number }>("select count(*)::int as n from inbound_archive where source = 'slack'")).rows[0]!.n;
    const deadline = Date.now() + 5_000;
    let archived = await archivedCount();
    let counted = sample((await scrape()).text, 'kranz_events_ingested_total', { source: 'slack', result: 'stored' });
    while (counted !== archived && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      archived = await archivedCount();
      counted = sample((await scrape()).text, 'kranz_events_ingested_total', { source: 'slack', result: 'stored' });
    }
    expect(archived).toBeGreaterThanOrEqual(1);
    expect(counted).toBe(archived);

    // The slash command (and the events it caused) were acknowledged and timed: a histogram with buckets, count ≥ 1.
    expect(text).toMatch(/^kranz_ack_latency_seconds_bucket\{le="0\.005",kind="[^"]+"\} \d+$/m);
    expect(text).toMatch(/^kranz_ack_latency_seconds_bucket\{le="\+Inf",kind="[^"]+"\} \d+$/m);
    const acks = total(text, 'kranz_ack_latency_seconds_count');
    expect(acks).toBeGreaterThanOrEqual(1);
    const infBuckets = text.split('\n').filter((l) => l.startsWith('kranz_ack_latency_seconds_bucket{le="+Inf",'));
    expect(infBuckets.reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0)).toBe(acks);

    // The injected outage shows as one Slack API error, and the post went out on the retry.
    expect(h.slack.workspace.calls.filter((c) => c.fault === 'outage')).toHaveLength(1);
    expect(sample(text, 'kranz_api_errors_total', { api: 'slack', error: 'An HTTP protocol error occurred: statusCode = 503' })).toBe(1);
    // The outbox counts its own ordering waits ("incident channel not created yet") here too; those
    // are not Slack answers, so only the 503 series is pinned to what the stand-in saw.
    expect(sample(text, 'kranz_outbox_delivered_total', { target: 'slack' })).toBeGreaterThanOrEqual(1);

    // Drained: nothing waiting, nothing dead, nothing spooled, no reminders (none configured).
    expect(sample(text, 'kranz_outbox_depth')).toBe(0);
    expect(sample(text, 'kranz_outbox_oldest_age_seconds')).toBe(0);
    expect(sample(text, 'kranz_dead_letters')).toBe(0);
    expect(sample(text, 'kranz_spool_depth')).toBe(0);
    expect(total(text, 'kranz_reminders_sent_total')).toBe(0);
  });

  it('outbox gauges follow the database: dead letters, depth and the age of the oldest waiting row', async () => {
    const key = randomUUID();
    // A dead row, and a pending one created an hour ago and not due for a day (so no worker takes it).
    await h.pool.query(
      `insert into outbox (target, order_key, op, payload, idempotency_key, status, last_error)
       values ('slack', 'CNOWHERE', 'slack.post', '{}', $1, 'dead', 'channel_not_found')`,
      [`metrics-dead-${key}`],
    );
    await h.pool.query(
      `insert into outbox (target, order_key, op, payload, idempotency_key, created_at, next_attempt_at)
       values ('slack', 'CLATER', 'slack.post', '{}', $1, now() - interval '1 hour', now() + interval '1 day')`,
      [`metrics-pending-${key}`],
    );
    try {
      const { text } = await scrape();
      expect(sample(text, 'kranz_dead_letters')).toBe(1);
      expect(sample(text, 'kranz_outbox_depth')).toBe(1);
      const age = sample(text, 'kranz_outbox_oldest_age_seconds') ?? 0;
      expect(age).toBeGreaterThanOrEqual(3600);
      expect(age).toBeLessThan(3700);
    } finally {
      await h.pool.query('delete from outbox where idempotency_key like $1', [`metrics-%-${key}`]);
    }
    const { text } = await scrape();
    expect(sample(text, 'kranz_dead_letters')).toBe(0);
    expect(sample(text, 'kranz_outbox_depth')).toBe(0);
  });
});
