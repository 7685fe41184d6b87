/**
 * Shared numbers and output: latency percentiles, Markdown tables (so
 * BENCHMARKS.md can quote the printed output as is) and the results file.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** Latency summary in ms. */
export interface Latency {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles (no interpolation: every figure is a real sample). */
export function latency(samples: readonly number[]): Latency {
  const a = [...samples].sort((x, y) => x - y);
  const at = (q: number): number => round(a[Math.min(a.length - 1, Math.max(0, Math.ceil(q * a.length) - 1))] ?? Number.NaN, 1);
  return { n: a.length, p50: at(0.5), p99: at(0.99), max: at(1) };
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A Markdown table; the first row is the header. Numbers are printed as given. */
export function table(rows: readonly (readonly (string | number)[])[]): string {
  const [head, ...body] = rows;
  if (!head) return '';
  const line = (r: readonly (string | number)[]): string => `| ${r.map(String).join(' | ')} |`;
  const sep = `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`;
  return [line(head), sep, ...body.map(line)].join('\n');
}

export const yesNo = (met: boolean): string => (met ? 'met' : 'MISSED');

/** Writes `bench/results/<name>.json` with the machine it ran on. */
export function writeResult(name: string, data: object): string {
  const file = join(RESULTS_DIR, `${name}.json`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memGb: round(totalmem() / 2 ** 30, 1), node: process.version };
  writeFileSync(file, `${JSON.stringify({ bench: name, at: new Date().toISOString(), machine, ...data }, null, 2)}\n`);
  return file;
}

/** What every bench module returns to `bench/run-all.ts`. */
export interface BenchOutcome {
  name: string;
  /** The printed table(s) and verdict lines. */
  text: string;
  /** Target name → met. */
  targets: Record<string, boolean>;
}

/** Sleeps; for polling loops that are bounded by a deadline. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every `everyMs` until it returns true; returns false after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}

/** A progress line on stderr, so stdout carries only the tables. */
export function progress(msg: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** One-minute load average now: the machine may be shared, and every figure should be read with it. */
export function loadAverage(): number {
  return round(loadavg()[0] ?? 0, 2);
}

/** What `uptime` prints (the machine's 1, 5 and 15 minute load), for the record of how quiet the run was. */
export function uptimeLine(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    const [a, b, c] = loadavg();
    return `load average: ${round(a ?? 0, 2)}, ${round(b ?? 0, 2)}, ${round(c ?? 0, 2)}`;
  }
}
