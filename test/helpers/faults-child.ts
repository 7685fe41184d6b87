/**
 * Kranz as a child process (`kranz start` through tsx), for the tests that
 * kill it with SIGKILL or watch it for crashes. The child is `node --import
 * tsx src/cli.ts start` rather than `npx tsx …`: npx and the tsx CLI each put
 * a parent process in front of Kranz, and a SIGKILL to that parent would
 * leave Kranz itself running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** An HTTP answer, or status 0 and the error when there was none. */
export interface HttpAnswer {
  status: number;
  text: string;
  error?: string;
}

/**
 * One request on a fresh connection (no keep-alive): a reused idle socket
 * that the server closes at the same moment would show up as a failed
 * request that Kranz never saw.
 */
export function httpRequest(url: string, o: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const body = o.body === undefined ? undefined : Buffer.from(o.body, 'utf8');
    const req = request(url, {
      method: o.method ?? 'GET', agent: false, timeout: o.timeoutMs ?? 20_000,
      headers: { ...o.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => resolve({ status: res.statusCode ?? 0, text: '', error: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${o.timeoutMs ?? 20_000} ms`)));
    req.on('error', (e) => resolve({ status: 0, text: '', error: e.message }));
    req.end(body);
  });
}

export interface KranzChild {
  pid: number;
  url: string;
  /** Everything the child wrote to stdout and stderr (for failure messages). */
  output(): string;
  /** True once the process has exited, however. */
  readonly exited: boolean;
  /** Exit code or signal, once exited. */
  readonly exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** SIGKILL: no handler runs, no shutdown, like the OOM killer or a pulled plug. */
  kill9(): Promise<void>;
  /** SIGTERM and wait (the graceful stop `kranz start` implements). */
  stop(): Promise<void>;
}

/**
 * Starts `kranz start` with exactly `env` (plus PATH and HOME) and waits
 * until `/healthz` answers 200 (migrations and the installation check done).
 */
export async function startKranzChild(env: Record<string, string>, o: { timeoutMs?: number } = {}): Promise<KranzChild> {
  const port = env['PORT'];
  if (!port) throw new Error('startKranzChild needs PORT');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
    cwd: REPO,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer): void => {
    out += b.toString('utf8');
    // Only the tail matters for a failure message.
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exit: KranzChild['exit'];
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  for (;;) {
    if (exit) throw new Error(`kranz start exited (${JSON.stringify(exit)}) before it was healthy:\n${out.slice(-4000)}`);
    const ok = (await httpRequest(`${url}/healthz`, { timeoutMs: 5_000 })).status === 200;
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`kranz start was not healthy within ${o.timeoutMs ?? 60_000} ms:\n${out.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid ?? -1;
  return {
    pid,
    url,
    output: () => out,
    get exited() {
      return exit !== undefined;
    },
    get exit() {
      return exit;
    },
    async kill9() {
      if (!exit) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!exit) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
