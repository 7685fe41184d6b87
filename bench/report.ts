/**
 * Benchmarks `draftReport` on 1k, 10k and 100k-event incidents (mostly notes
 * and PagerDuty events) against a baseline that only JSON-stringifies every
 * event into one string: the floor of touching each event once.
 *
 * Each (size, mode) runs in its own child process so peak RSS
 * (`process.resourceUsage().maxRSS`) belongs to that measurement alone.
 * Run: `npx tsx bench/report.ts`. Results go to `bench/results/report.json`.
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_POLICY } from '../src/domain/default-policy.ts';
import type { Actor, EventPayloads, EventType, IncidentEvent, SourceRef } from '../src/domain/events.ts';
import type { Policy } from '../src/domain/policy.ts';
import { draftReport } from '../src/domain/report/index.ts';
import { asPdIncidentId, asSlackChannelId, asSlackUserId } from '../src/domain/ids.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, 'results', 'report.json');
const SIZES = [1_000, 10_000, 100_000] as const;
const WARMUP = 2;
const RUNS = 7;
const LIMIT_MS = 1_000;
const LIMIT_MB = 250;
const MB = 1024 * 1024;

type Mode = 'report' | 'baseline';

/** One measured size: draft vs baseline, side by side. */
export interface ReportBenchRow {
  events: number;
  reportMs: number;
  baselineMs: number;
  /** reportMs / baselineMs. */
  ratio: number;
  reportUsPerEvent: number;
  baselineUsPerEvent: number;
  reportPeakRssMb: number;
  baselinePeakRssMb: number;
  /** RSS of the child with only the events built: what both modes start from. */
  eventsRssMb: number;
  reportBytes: number;
}

interface ChildResult {
  medianMs: number;
  /** maxRSS after building the events and running once: the peak one draft needs, events included. */
  peakRssMb: number;
  /** RSS with the events built and garbage collected, before the first run. */
  eventsRssMb: number;
  outputBytes: number;
}

const POLICY: Policy = {
  ...DEFAULT_POLICY,
  reportTimezone: 'Europe/Berlin',
  customers: [{
    id: 'acme', name: 'Acme Corp', mainContact: { name: 'Priya Shah' }, slackChannel: asSlackChannelId('C0ACME'),
    sla: { targetPercent: 99.9, periodDays: 30 }, serviceCredits: [{ belowPercent: 99.9, creditPercent: 10 }, { belowPercent: 99, creditPercent: 25 }],
  }],
};

const WORDS = 'checkout api latency rollback deploy cache queue retry timeout error rate region database replica lag spike pod restart'.split(' ');

/** A deterministic incident of `n` events: declared, then ~45 % notes, ~45 % PagerDuty events, the rest updates and chores. */
export function buildIncident(n: number): IncidentEvent[] {
  const t0 = Date.parse('2024-05-14T13:02:00.000Z');
  const events: IncidentEvent[] = [];
  let seed = 42;
  const rand = (k: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % k;
  };
  const users: Actor[] = Array.from({ length: 20 }, (_, i) => ({ kind: 'user', userId: asSlackUserId(`U${String(i).padStart(4, '0')}`), ...(i % 2 ? { name: `Responder ${i}` } : {}) }));
  const add = <T extends EventType>(type: T, ms: number, data: EventPayloads[T], actor: Actor, source: SourceRef): void => {
    const i = events.length;
    const at = new Date(ms).toISOString();
    const e = { id: `ev-${i.toString(16).padStart(8, '0')}-bench`, incidentId: 'inc-bench', type, data, occurredAt: at, recordedAt: at, actor, source, idempotencyKey: `k${i}` };
    // Round-trip through JSON as events loaded from PostgreSQL are (flat strings, plain objects), one at a time so building does not set the peak RSS.
    events.push(JSON.parse(JSON.stringify(e)) as IncidentEvent);
  };
  const text = (k: number): string => Array.from({ length: k }, () => WORDS[rand(WORDS.length)]).join(' ');
  add('declared', t0, {
    number: 7, title: 'Checkout API returning 502 errors', severity: 'SEV1', description: 'Bench incident', private: false,
    customers: ['acme'], checklist: [{ id: 'call-customer', title: 'Call the customer', dueAt: new Date(t0 + 600_000).toISOString() }],
    impactStartedAt: new Date(t0 - 300_000).toISOString(),
  }, { kind: 'pagerduty' }, { kind: 'pagerduty', eventId: 'PDEV0', pdIncidentId: asPdIncidentId('Q1') });
  add('pagerduty_linked', t0, { pdIncidentId: asPdIncidentId('Q1'), pdIncidentNumber: 101, url: 'https://x.pagerduty.com/incidents/Q1' }, { kind: 'pagerduty' }, { kind: 'pagerduty', eventId: 'PDEV0', pdIncidentId: asPdIncidentId('Q1') });
  let ms = t0;
  let lastNoteTs: string | undefined;
  while (events.length < n - 4) {
    ms += 1_000 + rand(4_000);
    const user = users[rand(users.length)] as Actor & { kind: 'user' };
    const r = rand(20);
    if (r < 9) {
      const ts = `${Math.floor(ms / 1000)}.${String(events.length).padStart(6, '0')}`;
      add('note_added', ms, { text: text(8 + rand(12)), via: r % 2 ? 'pin' : 'reaction', authorId: user.userId, messageTs: ts, permalink: `https://x.slack.com/archives/C1/p${ts.replace('.', '')}` }, user, { kind: 'slack', channelId: asSlackChannelId('C1'), ts });
      lastNoteTs = ts;
    } else if (r < 18) {
      const kind = ['incident.annotated', 'incident.acknowledged', 'incident.priority_updated', 'incident.reassigned'][rand(4)] as string;
      add('pagerduty_event', ms, { eventType: kind, pdIncidentId: asPdIncidentId('Q1'), summary: text(6) }, { kind: 'pagerduty', name: 'PagerDuty' }, { kind: 'pagerduty', eventId: `PDEV${events.length}`, pdIncidentId: asPdIncidentId('Q1') });
    } else if (r === 18) {
      add('status_update_posted', ms, { status: 'identified', summary: text(15), nextUpdateAt: new Date(ms + 1_200_000).toISOString(), relayedTo: [asSlackChannelId('C0ACME')] }, user, { kind: 'slack', channelId: asSlackChannelId('C1') });
    } else if (lastNoteTs && rand(2) === 0) {
      add(rand(3) ? 'message_edited' : 'message_deleted', ms, { messageTs: lastNoteTs, text: text(9), previousText: 'earlier text' }, user, { kind: 'slack', channelId: asSlackChannelId('C1'), ts: lastNoteTs });
      lastNoteTs = undefined;
    } else {
      add('reminder_sent', ms, { reminder: 'status-update', level: 1, dueAt: new Date(ms).toISOString(), recipient: user.userId }, { kind: 'kranz' }, { kind: 'kranz' });
    }
  }
  const mara = users[1] as Actor;
  add('resolved', ms + 60_000, { summary: 'Rolled back' }, mara, { kind: 'cli' });
  add('root_cause_recorded', ms + 120_000, { text: text(40) }, mara, { kind: 'cli' });
  add('action_item_added', ms + 180_000, { kind: 'prevent', text: text(12) }, mara, { kind: 'cli' });
  add('closed', ms + 240_000, {}, mara, { kind: 'cli' });
  return events;
}

/** The floor: touch every event once, producing one string. */
export function baselinePass(events: readonly IncidentEvent[]): string {
  const parts: string[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) parts[i] = JSON.stringify(events[i]);
  return parts.join('\n');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Measures one (size, mode) in this process: peak RSS of the first run (the
 * process is fresh, so maxRSS is that run's high-water mark, events
 * included), then warm-ups and the median of several timed runs.
 */
export function measure(size: number, mode: Mode): ChildResult {
  const events = buildIncident(size);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const eventsRssMb = process.memoryUsage().rss / MB;
  const run = mode === 'report' ? (): string => draftReport(events, POLICY) : (): string => baselinePass(events);
  let out = run();
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  for (let i = 1; i < WARMUP; i++) out = run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    out = run();
    times.push(performance.now() - t);
  }
  return { medianMs: median(times), peakRssMb, eventsRssMb, outputBytes: Buffer.byteLength(out) };
}

function inChild(size: number, mode: Mode): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    // --expose-gc lets the child drop the garbage of building events before it measures.
    const child = fork(fileURLToPath(import.meta.url), ['--child', String(size), mode], { execArgv: [...process.execArgv, '--expose-gc'] });
    let result: ChildResult | undefined;
    child.on('message', (m) => {
      result = m as ChildResult;
    });
    child.on('error', reject);
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`bench child ${size}/${mode} exited with ${code}`))));
  });
}

/** Runs every size in both modes (each in a fresh child process) and returns the rows. */
export async function runReportBench(): Promise<ReportBenchRow[]> {
  const rows: ReportBenchRow[] = [];
  for (const size of SIZES) {
    const report = await inChild(size, 'report');
    const baseline = await inChild(size, 'baseline');
    rows.push({
      events: size,
      reportMs: report.medianMs,
      baselineMs: baseline.medianMs,
      ratio: report.medianMs / baseline.medianMs,
      reportUsPerEvent: (report.medianMs * 1000) / size,
      baselineUsPerEvent: (baseline.medianMs * 1000) / size,
      reportPeakRssMb: report.peakRssMb,
      baselinePeakRssMb: baseline.peakRssMb,
      eventsRssMb: report.eventsRssMb,
      reportBytes: report.outputBytes,
    });
  }
  return rows;
}

/** Linear when the cost per event grows by at most 2× from each size to the next (10× more events). */
export function verdicts(rows: ReportBenchRow[]): { linear: boolean; under1s: boolean; under250mb: boolean } {
  let linear = true;
  for (let i = 1; i < rows.length; i++) {
    const prev = rows[i - 1] as ReportBenchRow;
    const cur = rows[i] as ReportBenchRow;
    if (cur.reportUsPerEvent > 2 * prev.reportUsPerEvent) linear = false;
  }
  const largest = rows[rows.length - 1];
  return { linear, under1s: !!largest && largest.reportMs < LIMIT_MS, under250mb: !!largest && largest.reportPeakRssMb < LIMIT_MB };
}

const f = (x: number, d = 1): string => x.toFixed(d);

/** The rows as a Markdown table plus the three verdicts, for this script and `bench/run-all.ts`. */
export function formatReportBench(rows: ReportBenchRow[]): string {
  const v = verdicts(rows);
  const out = [
    `draftReport vs baseline (JSON.stringify every event once): median of ${RUNS} runs after ${WARMUP} warm-ups; peak RSS of one run in a fresh child process`,
    '',
    '| events | draft ms | baseline ms | × baseline | draft µs/event | baseline µs/event | RSS with events MB | draft peak RSS MB | baseline peak RSS MB | report KB |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) =>
      `| ${r.events} | ${f(r.reportMs)} | ${f(r.baselineMs)} | ${f(r.ratio, 2)} | ${f(r.reportUsPerEvent, 2)} | ${f(r.baselineUsPerEvent, 2)} | ${f(r.eventsRssMb)} | ${f(r.reportPeakRssMb)} | ${f(r.baselinePeakRssMb)} | ${f(r.reportBytes / 1024, 0)} |`),
    '',
    `linear growth (µs/event at most 2× per 10× size): ${v.linear ? 'yes' : 'NO'}`,
    `100k events under ${LIMIT_MS} ms: ${v.under1s ? 'yes' : 'NO'}`,
    `100k events under ${LIMIT_MB} MB peak RSS: ${v.under250mb ? 'yes' : 'NO'}`,
  ];
  return out.join('\n');
}

async function main(): Promise<void> {
  const rows = await runReportBench();
  const v = verdicts(rows);
  console.log(formatReportBench(rows));
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify({ bench: 'report', node: process.version, runs: RUNS, warmup: WARMUP, rows, verdicts: v }, null, 2)}\n`);
  console.log(`\nwrote ${RESULTS}`);
  if (!v.linear || !v.under1s || !v.under250mb) process.exitCode = 1;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly && process.argv[2] === '--child') {
  const size = Number(process.argv[3]);
  const mode = process.argv[4] === 'baseline' ? 'baseline' : 'report';
  process.send?.(measure(size, mode));
} else if (invokedDirectly) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
