/**
 * Slack 429 storm: Kranz has 300 messages to post into one incident channel
 * while Slack (a limiting proxy in front of the stand-in) allows N posts per
 * second per channel and answers 429 + `Retry-After: 1` beyond that.
 *
 * To measure posting and not PagerDuty intake, the channel is held shut (every
 * post refused) until all 300 acknowledgements are applied and their posts are
 * queued in the outbox, then opened with a full bucket. Achieved rate is
 * measured between the first and the last accepted post, less the bucket's
 * initial burst (a perfect client reaches exactly N/s by that measure). Order
 * is checked on what the proxy let through and on the channel's history.
 *
 * Baseline: a plain `WebClient` loop posting 300 messages into a fresh channel
 * through the same limiter, letting WebClient wait out each 429's Retry-After.
 *
 * Run: `npx tsx bench/ratelimit.ts`. Results: `bench/results/ratelimit.json`.
 */
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LogLevel, WebClient } from '@slack/web-api';
import { loadAverage, progress, round, table, uptimeLine, waitUntil, writeResult, yesNo, type BenchOutcome } from './lib/format.ts';
import { sampleRss } from './lib/rss.ts';
import { startLimiterProxy, type AcceptedPost } from './lib/limiter-proxy.ts';
import { pagerDutyEnv, pagerDutyStandIn } from './lib/pagerduty.ts';
import { countOf, freePort } from './lib/postgres.ts';
import { startKranzProcess } from './lib/procs.ts';
import { BOT_TOKEN, SIGNING_SECRET, eventId, pdIncident, pdWebhook, type BenchRequest } from './lib/requests.ts';
import { migratedDatabase, slackStandIn, withBench, writePolicy } from './lib/setup.ts';

const MESSAGES = 300;
const PER_SECOND = 20;
const EFFICIENCY_TARGET = 0.95;
const ORDER = /order (\d{4})/;

export interface PostingRun {
  posted: number;
  refused429: number;
  /** (posts − bucket burst) ÷ seconds from first to last accepted post. */
  ratePerSec: number;
  efficiency: number;
  /** Seconds from the channel opening (or the loop starting) to the last post, and the ideal for a perfect client. */
  seconds: number;
  idealSeconds: number;
  inOrder: boolean;
  duplicates: number;
  /** Gaps between consecutive accepted posts: the median shows the client's own pace, the longest a 429 wait. */
  medianGapMs: number;
  longestGapMs: number;
}

function measure(posts: AcceptedPost[], startedAt: number, refused: number, historyOrder: number[]): PostingRun {
  const seq = posts.map((p) => Number(ORDER.exec(p.text)?.[1] ?? -1));
  const first = posts[0]?.at ?? startedAt;
  const last = posts.at(-1)?.at ?? startedAt;
  const rate = posts.length > PER_SECOND ? (posts.length - PER_SECOND) / Math.max(0.001, (last - first) / 1000) : 0;
  const gaps = posts.slice(1).map((p, i) => p.at - (posts[i] as AcceptedPost).at).sort((a, b) => a - b);
  const expected = Array.from({ length: MESSAGES }, (_, i) => i);
  const same = (a: number[]): boolean => a.length === expected.length && a.every((v, i) => v === expected[i]);
  return {
    posted: posts.length, refused429: refused, ratePerSec: round(rate, 1), efficiency: round(rate / PER_SECOND, 2),
    seconds: round((last - startedAt) / 1000, 1), idealSeconds: round((MESSAGES - PER_SECOND) / PER_SECOND, 1),
    inOrder: same(seq) && same(historyOrder), duplicates: seq.length - new Set(seq).size,
    medianGapMs: gaps[Math.floor(gaps.length / 2)] ?? 0, longestGapMs: gaps.at(-1) ?? 0,
  };
}

function post(url: string, req: BenchRequest): Promise<number> {
  return new Promise((resolve) => {
    const r = http.request(url, { method: 'POST', agent: false, timeout: 10_000, headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    r.on('timeout', () => r.destroy());
    r.on('error', () => resolve(0));
    r.end(req.body);
  });
}

export async function runRateLimitBench(): Promise<BenchOutcome> {
  const loadBefore = loadAverage();
  return withBench('ratelimit', async (ctx) => {
    const { url: dbUrl, pool } = await migratedDatabase(ctx, 'kranz_ratelimit');
    const slack = await slackStandIn(ctx);
    const pd = await pagerDutyStandIn(ctx);
    const proxy = await startLimiterProxy({ upstream: slack.baseUrl, perSecond: PER_SECOND });
    ctx.defer(() => proxy.close());
    const policy = await writePolicy(ctx, { autoOpen: true });
    const kranz = await startKranzProcess('kranz', {
      databaseUrl: dbUrl, dataDir: join(ctx.dir, 'kranz-data'), port: await freePort(), slackApiUrl: proxy.apiUrl,
      botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, pagerduty: pagerDutyEnv(pd), configPath: policy,
    }, ctx.dir);
    ctx.defer(() => kranz.stop());
    const hook = `${kranz.url}/pagerduty/webhook`;
    const incident = pdIncident('QRATE00001', 1, 'Bench rate limit');

    // One incident, its channel created and its first posts out of the way.
    if (await post(hook, pdWebhook({ eventType: 'incident.triggered', incident, eventId: eventId('rlt', 0) })) !== 202) throw new Error('trigger not accepted');
    const ready = await waitUntil(async () => (await countOf(pool, `select count(*) as n from incidents where channel_id is not null`)) === 1
      && (await countOf(pool, `select count(*) as n from outbox where status = 'pending'`)) === 0, 60_000, 100);
    if (!ready) throw new Error(`the incident channel was not ready within 60 s\n${kranz.tail()}`);
    const channel = String((await pool.query<{ channel_id: string }>('select channel_id from incidents')).rows[0]?.channel_id);

    // Queue 300 posts behind a shut channel, then open it.
    proxy.hold(channel);
    for (let i = 0; i < MESSAGES; i++) {
      const status = await post(hook, pdWebhook({ eventType: 'incident.acknowledged', incident, eventId: eventId('rla', i), agent: `order ${String(i).padStart(4, '0')}` }));
      if (status !== 202) throw new Error(`acknowledgement ${i} answered ${status}`);
    }
    const queued = await waitUntil(async () => (await countOf(pool, `select count(*) as n from inbound_archive where status = 'received'`)) === 0
      && (await countOf(pool, `select count(*) as n from outbox where status = 'pending'`)) >= MESSAGES, 120_000, 100);
    if (!queued) throw new Error('the 300 posts were not queued within 120 s');
    const refusedWhileHeld = proxy.refused.get(channel) ?? 0;
    const openedAt = Date.now();
    const rss = sampleRss(kranz.pid);
    proxy.open(channel);
    const kranzPosts = (): AcceptedPost[] => proxy.accepted.filter((p) => p.channel === channel && ORDER.test(p.text));
    const done = await waitUntil(() => kranzPosts().length >= MESSAGES, (MESSAGES / PER_SECOND) * 1000 * 4 + 30_000, 50);
    const history = slack.workspace.history(channel).map((m) => Number(ORDER.exec(m.text)?.[1] ?? -1)).filter((n) => n >= 0);
    const kranzRun = measure(kranzPosts(), openedAt, (proxy.refused.get(channel) ?? 0) - refusedWhileHeld, history);
    const rssPeakMb = rss.stop().peakMb;
    progress(`ratelimit kranz: ${kranzRun.posted} posts, ${kranzRun.ratePerSec}/s of ${PER_SECOND}/s, in order ${kranzRun.inOrder}`);

    // Baseline: WebClient's own 429 handling (wait Retry-After, retry), one post at a time.
    const client = new WebClient(BOT_TOKEN, { slackApiUrl: proxy.apiUrl, logLevel: LogLevel.ERROR });
    const created = await client.conversations.create({ name: 'baseline-rate-limit' });
    const baseChannel = String(created.channel?.id);
    const startedAt = Date.now();
    for (let i = 0; i < MESSAGES; i++) await client.chat.postMessage({ channel: baseChannel, text: `baseline order ${String(i).padStart(4, '0')}` });
    const baseHistory = slack.workspace.history(baseChannel).map((m) => Number(ORDER.exec(m.text)?.[1] ?? -1)).filter((n) => n >= 0);
    const baseRun = measure(proxy.accepted.filter((p) => p.channel === baseChannel), startedAt, proxy.refused.get(baseChannel) ?? 0, baseHistory);
    progress(`ratelimit baseline: ${baseRun.posted} posts, ${baseRun.ratePerSec}/s of ${PER_SECOND}/s`);

    const targets = {
      [`Kranz posts ≥ ${EFFICIENCY_TARGET * 100} % of the allowed rate`]: done && kranzRun.efficiency >= EFFICIENCY_TARGET,
      'Kranz keeps the order, no duplicates': done && kranzRun.inOrder && kranzRun.duplicates === 0,
    };
    const loadAfter = loadAverage();
    const col = (f: (r: PostingRun) => string | number): [string | number, string | number] => [f(kranzRun), f(baseRun)];
    const text = [
      `Slack 429 storm: ${MESSAGES} posts into one channel, limiter allows ${PER_SECOND}/s per channel (bucket of ${PER_SECOND}), 429 + Retry-After: 1 beyond`,
      '',
      table([
        ['', 'kranz (outbox)', 'baseline (WebClient loop)'],
        ['posts accepted', ...col((r) => r.posted)],
        ['429s answered', ...col((r) => r.refused429)],
        ['achieved posts/s (first→last, less the burst)', ...col((r) => r.ratePerSec)],
        [`÷ allowed ${PER_SECOND}/s`, ...col((r) => r.efficiency)],
        [`median / longest gap between posts ms (allowed pace ${1000 / PER_SECOND})`, ...col((r) => `${r.medianGapMs} / ${r.longestGapMs}`)],
        ['seconds to the last post (ideal)', ...col((r) => `${r.seconds} (${r.idealSeconds})`)],
        ['order kept (proxy and channel history)', ...col((r) => (r.inOrder ? 'yes' : 'NO'))],
        ['duplicates', ...col((r) => r.duplicates)],
      ]),
      '',
      `Kranz's channel was held shut until all ${MESSAGES} posts were queued (${refusedWhileHeld} 429s while held), then opened; the clock starts at the opening.`,
      `Kranz's peak RSS while posting: ${rssPeakMb ?? '?'} MB`,
      `load average (1 min) before / after: ${loadBefore} / ${loadAfter} on ${ctx.cores} cores; uptime at the end: ${uptimeLine()}`,
      ...Object.entries(targets).map(([t, m]) => `${t}: ${yesNo(m)}`),
    ].join('\n');
    writeResult('ratelimit', { messages: MESSAGES, perSecond: PER_SECOND, kranz: kranzRun, baseline: baseRun, refusedWhileHeld, rssPeakMb, targets, loadAverage: { before: loadBefore, after: loadAfter } });
    return { name: 'ratelimit', text, targets };
  });
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  runRateLimitBench().then((o) => {
    console.log(o.text);
    process.exit(0);
  }, (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
