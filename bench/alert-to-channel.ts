/**
 * Alert → channel: time from POSTing a signed `incident.triggered` (auto-open
 * service) to the Slack stand-in receiving `conversations.create` for that
 * incident, over 200 incidents sent at a steady, modest rate. The stand-in
 * stamps each call on arrival (`workspace.calls[].at`), on the same clock as
 * the sender (both live in this process).
 *
 * Baseline: the stand-in's own round trip for a direct `conversations.create`
 * from a `WebClient`, at the same rate: the floor any bot pays for the call.
 *
 * Run: `npx tsx bench/alert-to-channel.ts`. Results: `bench/results/alert-to-channel.json`.
 */
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WebClient } from '@slack/web-api';
import { latency, loadAverage, progress, round, table, waitUntil, writeResult, yesNo, type BenchOutcome, type Latency } from './lib/format.ts';
import { pagerDutyEnv, pagerDutyStandIn } from './lib/pagerduty.ts';
import { freePort } from './lib/postgres.ts';
import { startKranzProcess } from './lib/procs.ts';
import { BOT_TOKEN, SIGNING_SECRET, eventId, pdIncident, pdWebhook, type BenchRequest } from './lib/requests.ts';
import { migratedDatabase, slackStandIn, withBench, writePolicy } from './lib/setup.ts';

const INCIDENTS = 200;
const WARMUP = 5;
const RATE = 5;
const P99_TARGET_MS = 500;
const WAIT_MS = 90_000;

export interface AlertToChannelResult {
  incidents: number;
  ratePerSec: number;
  channelsSeen: number;
  alertToCreate: Latency;
  /** The split: webhook sent → incident row committed, and incident committed → conversations.create. */
  alertToDeclared: Latency;
  declaredToCreate: Latency;
  webhookAck: Latency;
  baselineCreate: Latency;
}

/** POSTs one request on a keep-alive agent; resolves with the status. */
function post(agent: http.Agent, url: URL, req: BenchRequest): Promise<number> {
  return new Promise((resolve) => {
    const r = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, timeout: 10_000, headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    r.on('timeout', () => r.destroy());
    r.on('error', () => resolve(0));
    r.end(req.body);
  });
}

/** Calls `fn(i)` for i < n at `rate` per second (a fixed schedule), all in flight as scheduled; resolves when all settled. */
async function paced(n: number, rate: number, fn: (i: number) => Promise<void>): Promise<void> {
  const t0 = Date.now();
  const all: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const wait = t0 + (i * 1000) / rate - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    all.push(fn(i));
  }
  await Promise.all(all);
}

export async function runAlertToChannelBench(): Promise<BenchOutcome> {
  const loadBefore = loadAverage();
  return withBench('a2c', async (ctx) => {
    const { url: dbUrl, pool } = await migratedDatabase(ctx, 'kranz_a2c');
    const slack = await slackStandIn(ctx);
    const pd = await pagerDutyStandIn(ctx);
    const policy = await writePolicy(ctx, { autoOpen: true });
    const kranz = await startKranzProcess('kranz', {
      databaseUrl: dbUrl, dataDir: join(ctx.dir, 'kranz-data'), port: await freePort(), slackApiUrl: slack.apiUrl,
      botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, pagerduty: pagerDutyEnv(pd), configPath: policy,
    }, ctx.dir);
    ctx.defer(() => kranz.stop());
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    ctx.defer(() => agent.destroy());
    const target = new URL(`${kranz.url}/pagerduty/webhook`);

    const sentAt = new Map<number, number>();
    const acks: number[] = [];
    const trigger = async (n: number): Promise<void> => {
      const req = pdWebhook({ eventType: 'incident.triggered', incident: pdIncident(`QA2C${String(n).padStart(5, '0')}`, n, `Bench alert ${n}`), eventId: eventId('a2c', n) });
      const t = Date.now();
      sentAt.set(n, t);
      const status = await post(agent, target, req);
      if (status === 202) acks.push(Date.now() - t);
    };
    // The incident number is in the channel name: inc-<kranz number>-bench-alert-<n>.
    const created = (): Map<number, number> => {
      const m = new Map<number, number>();
      for (const c of slack.workspace.callsTo('conversations.create')) {
        const n = /-bench-alert-(\d+)$/.exec(String(c.args['name'] ?? ''))?.[1];
        if (n !== undefined && !m.has(Number(n))) m.set(Number(n), c.at);
      }
      return m;
    };

    // Warm-up incidents (numbers 0..WARMUP-1), not measured.
    await paced(WARMUP, RATE, (i) => trigger(i));
    await waitUntil(() => created().size >= WARMUP, 30_000);
    await paced(INCIDENTS, RATE, (i) => trigger(WARMUP + i));
    const allSeen = await waitUntil(() => created().size >= WARMUP + INCIDENTS, WAIT_MS, 20);
    const seen = created();
    const declaredAt = new Map<number, number>();
    for (const r of (await pool.query<{ title: string; created_at: Date }>('select title, created_at from incidents')).rows) {
      const n = /^Bench alert (\d+)$/.exec(r.title)?.[1];
      if (n !== undefined) declaredAt.set(Number(n), r.created_at.getTime());
    }
    const delays: number[] = [];
    const toDeclared: number[] = [];
    const declaredToCreate: number[] = [];
    for (let i = WARMUP; i < WARMUP + INCIDENTS; i++) {
      const at = seen.get(i);
      const sent = sentAt.get(i);
      const declared = declaredAt.get(i);
      if (at !== undefined && sent !== undefined) delays.push(at - sent);
      if (declared !== undefined && sent !== undefined) toDeclared.push(declared - sent);
      if (declared !== undefined && at !== undefined) declaredToCreate.push(at - declared);
    }
    progress(`alert→channel: ${delays.length}/${INCIDENTS} channels, p99 ${latency(delays).p99} ms`);

    // Baseline: a WebClient straight at the stand-in; paced too, faster (the floor does not depend on the rate, the bench's length does).
    const client = new WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    const direct: number[] = [];
    await paced(INCIDENTS, RATE * 4, async (i) => {
      const t = performance.now();
      await client.conversations.create({ name: `baseline-${i}` });
      direct.push(performance.now() - t);
    });

    const result: AlertToChannelResult = {
      incidents: INCIDENTS, ratePerSec: RATE, channelsSeen: delays.length,
      alertToCreate: latency(delays), alertToDeclared: latency(toDeclared), declaredToCreate: latency(declaredToCreate), webhookAck: latency(acks.slice(WARMUP)), baselineCreate: latency(direct),
    };
    const targets = { [`p99 alert → conversations.create < ${P99_TARGET_MS} ms`]: allSeen && delays.length === INCIDENTS && result.alertToCreate.p99 < P99_TARGET_MS };
    const loadAfter = loadAverage();
    const l = (x: Latency): (string | number)[] => [x.n, x.p50, x.p99, x.max];
    const text = [
      `Alert → channel: ${INCIDENTS} triggered webhooks (auto-open service) at ${RATE}/s, time until the Slack stand-in sees conversations.create for each`,
      '',
      table([
        ['measure', 'n', 'p50 ms', 'p99 ms', 'max ms'],
        ['kranz: webhook sent → conversations.create arrives', ...l(result.alertToCreate)],
        ['  of which: webhook sent → incident committed', ...l(result.alertToDeclared)],
        ['  of which: incident committed → conversations.create', ...l(result.declaredToCreate)],
        ['kranz: webhook sent → 202', ...l(result.webhookAck)],
        [`baseline: WebClient conversations.create round trip (${RATE * 4}/s)`, ...l(result.baselineCreate)],
      ]),
      '',
      `channels seen: ${delays.length}/${INCIDENTS}; kranz p50 ÷ baseline p50: ${round(result.alertToCreate.p50 / Math.max(0.1, result.baselineCreate.p50), 1)}`,
      `load average (1 min) before / after: ${loadBefore} / ${loadAfter} on ${ctx.cores} cores`,
      ...Object.entries(targets).map(([t, m]) => `${t}: ${yesNo(m)}`),
    ].join('\n');
    writeResult('alert-to-channel', { ...result, targets, loadAverage: { before: loadBefore, after: loadAfter } });
    return { name: 'alert-to-channel', text, targets };
  });
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  runAlertToChannelBench().then((o) => {
    console.log(o.text);
    process.exit(0);
  }, (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
