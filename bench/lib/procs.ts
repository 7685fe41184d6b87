/**
 * Child processes the benches start: Kranz itself (`src/cli.ts start`, the
 * production entry point with production defaults) and the baseline servers.
 * Each runs as `node --import tsx <script>`, which is what `npx tsx` runs in
 * the end, without the npx and tsx wrapper processes, so the pid we signal is
 * the server itself. Output goes to a log file shown when something fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';

/** The repository root (bench/lib/../..). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A running child server. */
export interface ChildServer {
  name: string;
  pid: number;
  url: string;
  logFile: string;
  /** The last lines of its log, for error messages. */
  tail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every child still running when the bench process exits (a crash, Ctrl-C), by pid. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of running) if (c.exitCode === null && c.pid !== undefined) {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch { /* already gone */ }
    }
  });
}

/** Base environment for children: no inherited secrets or DATABASE_URL, just what node needs. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return env;
}

/** GETs `url` until it answers `expect`, or throws after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number, alive: () => boolean = () => true, expect = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await new Promise<number>((res) => {
      const req = http.get(url, { agent: false, timeout: 1_000 }, (r) => {
        r.resume();
        res(r.statusCode ?? 0);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => res(0));
    });
    if (status === expect) return;
    if (!alive()) throw new Error(`${url}: the process exited before it answered`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${expect} within ${timeoutMs} ms (last: ${status})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts `script` (relative to the repo root) with `args` and `env`, waits
 * until `readyPath` on `port` answers 200, and returns a handle.
 */
export async function startChild(o: { name: string; script: string; args?: string[]; env: Record<string, string>; port: number; readyPath: string; logDir: string; readyTimeoutMs?: number }): Promise<ChildServer> {
  installExitHook();
  const logFile = join(o.logDir, `${o.name}.log`);
  const fd = openSync(logFile, 'a');
  // For profiling the servers: KRANZ_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = (process.env['KRANZ_BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', o.script, ...(o.args ?? [])], { cwd: ROOT, env: o.env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  running.add(child);
  const exited = new Promise<void>((res) => child.once('exit', () => {
    running.delete(child);
    res();
  }));
  const tail = (lines = 20): string => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(killer);
  };
  const url = `http://127.0.0.1:${o.port}`;
  try {
    await waitForHttp(`${url}${o.readyPath}`, o.readyTimeoutMs ?? 60_000, () => child.exitCode === null);
  } catch (e) {
    await stop(2_000);
    throw new Error(`${o.name} did not start: ${(e as Error).message}\n--- ${logFile} ---\n${tail()}`);
  }
  return { name: o.name, pid: child.pid ?? -1, url, logFile, tail, stop };
}

/** Environment for `kranz start` against the bench's stand-ins. */
export interface KranzEnv {
  databaseUrl: string;
  dataDir: string;
  port: number;
  slackApiUrl: string;
  botToken: string;
  signingSecret: string;
  pagerduty?: { apiUrl: string; token: string; fromEmail: string; webhookSecret: string };
  configPath?: string;
  logLevel?: string;
}

/** Starts one Kranz (`src/cli.ts start`) and waits for GET /healthz. */
export async function startKranzProcess(name: string, k: KranzEnv, logDir: string): Promise<ChildServer> {
  const env: Record<string, string> = {
    ...baseEnv(),
    SLACK_BOT_TOKEN: k.botToken,
    SLACK_SIGNING_SECRET: k.signingSecret,
    SLACK_API_URL: k.slackApiUrl,
    DATABASE_URL: k.databaseUrl,
    KRANZ_DATA_DIR: k.dataDir,
    PORT: String(k.port),
    // Kranz's default level: the benches measure Kranz as it is deployed, logging included.
    // KRANZ_BENCH_LOG_LEVEL=warn shows what the info lines cost.
    LOG_LEVEL: k.logLevel ?? process.env['KRANZ_BENCH_LOG_LEVEL'] ?? 'info',
  };
  if (k.pagerduty) {
    env['PAGERDUTY_API_URL'] = k.pagerduty.apiUrl;
    env['PAGERDUTY_TOKEN'] = k.pagerduty.token;
    env['PAGERDUTY_FROM_EMAIL'] = k.pagerduty.fromEmail;
    env['PAGERDUTY_WEBHOOK_SECRETS'] = k.pagerduty.webhookSecret;
  }
  if (k.configPath) env['KRANZ_CONFIG'] = k.configPath;
  return startChild({ name, script: 'src/cli.ts', args: ['start'], env, port: k.port, readyPath: '/healthz', logDir });
}
