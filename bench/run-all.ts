/**
 * Runs every bench in turn and prints every table, then a summary of the
 * targets. `npm run bench` runs them all; `npm run bench -- --only ack`
 * (repeatable, or comma-separated: `--only ack,storm`) runs a subset.
 * Benches run one after another: each starts and stops its own PostgreSQL,
 * stand-ins and Kranz processes, so none measures another's leftovers.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runAckBench } from './ack.ts';
import { runAlertToChannelBench } from './alert-to-channel.ts';
import { loadAverage, progress, RESULTS_DIR, type BenchOutcome } from './lib/format.ts';
import { runRateLimitBench } from './ratelimit.ts';
import { formatReportBench, runReportBench, verdicts } from './report.ts';
import { runStormBench } from './storm.ts';
import { runWebhookBench } from './webhook.ts';
import { runWebBench } from './web.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The report bench, adapted: its own module prints nothing when imported. */
async function reportBench(): Promise<BenchOutcome> {
  const rows = await runReportBench();
  const v = verdicts(rows);
  mkdirSync(RESULTS_DIR, { recursive: true });
  // The same file `npx tsx bench/report.ts` writes.
  writeFileSync(join(RESULTS_DIR, 'report.json'), `${JSON.stringify({ bench: 'report', node: process.version, rows, verdicts: v }, null, 2)}\n`);
  return { name: 'report', text: formatReportBench(rows), targets: { 'draft is linear in events': v.linear, '100k events under 1 s': v.under1s, '100k events under 250 MB peak RSS': v.under250mb } };
}

/** The reminders bench prints its own table; it is captured so the summary can print it again. */
async function remindersBench(): Promise<BenchOutcome> {
  const file = join(HERE, 'reminders.ts');
  if (!existsSync(file)) return { name: 'reminders', text: 'The reminders bench is not available yet (bench/reminders.ts is missing).', targets: {} };
  const mod = (await import(pathToFileURL(file).href)) as { runRemindersBench?: () => Promise<{ targetMet: boolean }> };
  if (typeof mod.runRemindersBench !== 'function') return { name: 'reminders', text: 'The reminders bench is not available yet (bench/reminders.ts exports no runRemindersBench).', targets: {} };
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  };
  let r: { targetMet: boolean };
  try {
    r = await mod.runRemindersBench();
  } finally {
    console.log = log;
  }
  return { name: 'reminders', text: lines.join('\n'), targets: { 'reminders: none > 2 s late, 0 duplicates': r.targetMet } };
}

const BENCHES: Record<string, () => Promise<BenchOutcome>> = {
  ack: runAckBench,
  webhook: runWebhookBench,
  storm: runStormBench,
  'alert-to-channel': runAlertToChannelBench,
  ratelimit: runRateLimitBench,
  report: reportBench,
  reminders: remindersBench,
  web: runWebBench,
};

function selected(argv: string[]): string[] {
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--only') only.push(...(argv[++i] ?? '').split(','));
    else if (a.startsWith('--only=')) only.push(...a.slice('--only='.length).split(','));
  }
  const names = only.map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(n in BENCHES));
  if (unknown.length) throw new Error(`Unknown bench ${unknown.join(', ')}. Known: ${Object.keys(BENCHES).join(', ')}.`);
  return names.length ? names : Object.keys(BENCHES);
}

async function main(): Promise<number> {
  const names = selected(process.argv.slice(2));
  const t0 = Date.now();
  const outcomes: BenchOutcome[] = [];
  let crashed = 0;
  for (const name of names) {
    const run = BENCHES[name];
    if (!run) continue;
    const started = Date.now();
    progress(`${name}: starting (load average ${loadAverage()} on ${cpus().length} cores)`);
    try {
      const o = await run();
      outcomes.push(o);
      console.log(`\n## ${name}\n\n${o.text}\n`);
    } catch (e) {
      crashed++;
      const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
      outcomes.push({ name, text: `FAILED TO RUN: ${msg}`, targets: {} });
      console.log(`\n## ${name}\n\nFAILED TO RUN: ${msg}\n`);
    }
    progress(`${name}: done in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  console.log(`\n# All tables (${names.join(', ')}; ${Math.round((Date.now() - t0) / 1000)} s)\n`);
  for (const o of outcomes) console.log(`## ${o.name}\n\n${o.text}\n`);
  console.log('# Targets\n');
  for (const o of outcomes) for (const [t, met] of Object.entries(o.targets)) console.log(`- ${o.name}: ${t}: ${met ? 'met' : 'MISSED'}`);
  // A missed target is a finding, not a failure of the run; a bench that could not run is.
  return crashed ? 1 : 0;
}

main().then((code) => process.exit(code), (e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
