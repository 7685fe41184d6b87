/**
 * Start-up mistakes an operator makes, each answered with one line that names
 * the variable and the cause, a non-zero exit and no stack trace (unless
 * LOG_LEVEL=debug): KRANZ_DATA_DIR (a file, a missing parent, not writable, a
 * kernel filesystem such as /proc, which used to hang mkdir forever),
 * DATABASE_URL (scheme, port, host) and a busy PORT, naming who holds it.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDataDir } from '../../src/adapters/data-dir.ts';

interface Run { code: number | null; stdout: string; stderr: string; ms: number }

function kranz(args: string[], env: Record<string, string>, as?: { uid: number; gid: number }): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { PATH: process.env['PATH'] ?? '', HOME: tmpdir(), LOG_LEVEL: 'info', ...env },
      timeout: 30_000,
      ...(as ?? {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - t0 }));
  });
}

/** Exactly one line on stderr, nothing on stdout, exit 1, no stack. */
function oneLine(r: Run): string {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/^\s+at /m);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0] ?? '';
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kranz-startup-'));
  await chmod(dir, 0o755);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('KRANZ_DATA_DIR', () => {
  it('under /proc is refused at once instead of hanging', async () => {
    const r = await kranz(['migrate'], { KRANZ_DATA_DIR: '/proc/kranz' });
    expect(oneLine(r)).toBe('KRANZ_DATA_DIR=/proc/kranz: its parent /proc is on the proc filesystem, which the kernel provides and which cannot hold data; choose a directory on a disk');
    expect(await checkDataDir('/sys/kranz')).toMatch(/on the sysfs filesystem/);
  });

  it('that is a file, or whose parent is missing or a file, is named with the fix', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    expect(oneLine(await kranz(['migrate'], { KRANZ_DATA_DIR: file }))).toBe(`KRANZ_DATA_DIR=${file}: is a file, not a directory; choose a directory (it is created if only the last part is missing)`);
    const orphan = join(dir, 'missing', 'data');
    expect(oneLine(await kranz(['migrate'], { KRANZ_DATA_DIR: orphan }))).toBe(
      `KRANZ_DATA_DIR=${orphan}: its parent directory ${join(dir, 'missing')} does not exist; create it first (mkdir -p ${join(dir, 'missing')}) or choose another directory`,
    );
    expect(await checkDataDir(join(file, 'data'))).toBe(`KRANZ_DATA_DIR=${join(file, 'data')}: its parent ${file} is a file, not a directory; choose another directory`);
  });

  it('that this user cannot write is named with the uid', async () => {
    const ro = join(dir, 'read-only');
    await mkdir(ro, { mode: 0o555 });
    await chmod(ro, 0o555);
    // Root may write anywhere: run the command as "nobody" then.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
    const uid = asNobody ? 65534 : process.getuid?.();
    const r = await kranz(['migrate'], { KRANZ_DATA_DIR: join(ro, 'data') }, asNobody);
    expect(oneLine(r)).toBe(`KRANZ_DATA_DIR=${join(ro, 'data')}: cannot be created: its parent ${ro} is not writable by this user (uid ${uid}); fix the permissions or choose another directory`);
  });

  it('a usable one passes, existing or about to be created', async () => {
    expect(await checkDataDir(dir)).toBeUndefined();
    expect(await checkDataDir(join(dir, 'new'))).toBeUndefined();
  });

  it('prints the stack only with LOG_LEVEL=debug', async () => {
    const r = await kranz(['migrate'], { KRANZ_DATA_DIR: '/proc/kranz', LOG_LEVEL: 'debug' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^KRANZ_DATA_DIR=\/proc\/kranz: /);
    expect(r.stderr).toMatch(/^\s+at .*config\.ts/m);
  });
});

describe('DATABASE_URL', () => {
  it.each([
    ['mysql://kranz:hunter2@db:3306/kranz', 'DATABASE_URL: scheme "mysql:" is not PostgreSQL; use postgres:// or postgresql:// (postgres://user:password@host:5432/kranz)'],
    ['postgres://kranz:hunter2@db:99999/kranz', 'DATABASE_URL: port 99999 is out of range; expected 1 to 65535 (PostgreSQL\'s default is 5432)'],
    ['postgres://kranz:hunter2@:5432/kranz', 'DATABASE_URL: names no host; expected postgres://user:password@host:5432/kranz (a Unix socket: postgres:///kranz?host=/var/run/postgresql)'],
  ])('%s is refused naming the wrong part, never the password', async (url, message) => {
    const r = await kranz(['migrate'], { DATABASE_URL: url, KRANZ_DATA_DIR: join(dir, 'db-data') });
    expect(oneLine(r)).toBe(message);
    expect(r.stderr).not.toContain('hunter2');
  });
});

describe('PORT', () => {
  let holder: Server;
  let port: number;
  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, () => resolve()));
    port = (holder.address() as { port: number }).port;
  });
  afterAll(async () => new Promise<void>((resolve) => holder.close(() => resolve())));

  it('in use is refused before anything starts, naming the process that holds it', async () => {
    const r = await kranz(['start'], {
      PORT: String(port), KRANZ_DATA_DIR: join(dir, 'port-data'), SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret',
      // Never reached: the port is checked first.
      SLACK_API_URL: 'http://127.0.0.1:9/api/', PAGERDUTY_API_URL: 'http://127.0.0.1:9',
    });
    const line = oneLine(r);
    expect(line).toMatch(new RegExp(`^Kranz cannot start: PORT=${port}: the port is already in use by process ${process.pid} \\(.*node.*\\); stop that process or set PORT to a free port$`));
  });
});
