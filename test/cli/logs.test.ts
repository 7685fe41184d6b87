/**
 * Logs fit log shippers and people: the service logs pino JSON lines on
 * stdout; one-shot commands print their result on stdout and their logs on
 * stderr; Slack's WebClient and the PagerDuty client log through pino (no
 * `[WARN] web-api:` text); logs are pretty on a terminal unless LOG_FORMAT=json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chooseLogFormat, plainLine } from '../../src/adapters/logging.ts';
import { PagerDutyClient } from '../../src/adapters/pagerduty/client.ts';
import { outboxWebClient } from '../../src/adapters/slack/bolt-app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { freePort } from '../helpers/net.ts';

function node(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env: { PATH: process.env['PATH'] ?? '', HOME: tmpdir(), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A pino logger writing JSON records into an array. */
function memoryLogger(): { log: pino.Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { records.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb(); } });
  return { log: pino({ level: 'debug' }, sink), records };
}

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase('logs');
  dir = await mkdtemp(join(tmpdir(), 'kranz-logs-'));
  await chmod(dir, 0o755);
});
afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('one-shot commands', () => {
  it('kranz migrate prints its result alone on stdout and its logs as sentences on stderr (JSON with LOG_FORMAT=json)', async () => {
    const r = await node(['src/cli.ts', 'migrate'], { DATABASE_URL: db.url, KRANZ_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'info' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Migrated \S+ \(installation [0-9a-f-]+\): applied 0001_kranz_meta.*\.\n$/);
    const lines = r.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(line).toMatch(/^kranz: [^{]/);
    expect(lines).toContainEqual(expect.stringMatching(/^kranz: migration applied \(/));
    // For a log shipper (an init container, a CI job), LOG_FORMAT=json keeps pino's JSON records.
    const shipped = await node(['src/cli.ts', 'migrate'], { DATABASE_URL: db.url, KRANZ_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
    expect(shipped.code).toBe(0);
    const records = shipped.stderr.trim().split('\n');
    expect(records.length).toBeGreaterThan(0);
    for (const line of records) expect(JSON.parse(line)).toEqual(expect.objectContaining({ level: expect.any(Number), msg: expect.any(String) }));
  }, 60_000);

  it('writes a record as one sentence: level, message, then the details', () => {
    expect(plainLine('{"level":40,"time":1,"pid":2,"hostname":"h","pgDir":"/d/pg","postmasterPid":7,"msg":"embedded postgres left running"}'))
      .toBe('kranz: warning: embedded postgres left running (pgDir /d/pg, postmasterPid 7)\n');
    expect(plainLine('{"level":30,"msg":"database connected"}')).toBe('kranz: database connected\n');
    expect(plainLine('{"level":50,"err":{"message":"boom","stack":"…"},"msg":"failed"}')).toBe('kranz: error: failed (err boom)\n');
  });

  it('pretty-prints with LOG_FORMAT=pretty, and names a wrong LOG_FORMAT', async () => {
    const r = await node(['src/cli.ts', 'migrate'], { DATABASE_URL: db.url, KRANZ_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Migrated .*already up to date\.\n$/);
    expect(r.stderr).toMatch(/INFO.*database connected/);
    expect(() => JSON.parse(r.stderr.split('\n')[0] ?? '')).toThrow();
    const bad = await node(['src/cli.ts', 'migrate'], { DATABASE_URL: db.url, KRANZ_DATA_DIR: join(dir, 'data'), LOG_FORMAT: 'fancy' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('LOG_FORMAT: must be json or pretty (unset: pretty on a terminal, JSON otherwise), not "fancy"\n');
  }, 60_000);
});

describe('the service logger', () => {
  it('writes JSON lines to stdout when not on a terminal, pretty on a terminal unless LOG_FORMAT=json', async () => {
    const r = await node(['-e', "import('./src/main.ts').then((m) => m.createLogger('info').info({ incident: 'INC-1' }, 'hello'))"], {});
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(expect.objectContaining({ level: 30, msg: 'hello', incident: 'INC-1' }));
    // On a terminal (a pseudo-terminal from util-linux `script`): pretty, unless LOG_FORMAT=json.
    if (existsSync('/usr/bin/script')) {
      const onTty = (env: Record<string, string>): string =>
        spawnSync('script', ['-qec', `${process.execPath} --import tsx -e "import('./src/main.ts').then((m) => m.createLogger('info').info('hello'))"`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, ...env } }).stdout;
      const pretty = onTty({});
      expect(pretty).toMatch(/INFO.*hello/);
      expect(pretty).not.toContain('"level"');
      expect(onTty({ LOG_FORMAT: 'json' })).toContain('"msg":"hello"');
    }
    expect(chooseLogFormat(undefined, true)).toBe('pretty');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat(undefined, false)).toBe('json');
    expect(chooseLogFormat('PRETTY', false)).toBe('pretty');
  }, 60_000);
});

describe('Slack and PagerDuty clients', () => {
  it('log through pino, never to the console', async () => {
    const port = await freePort();
    const consoleCalls = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation(() => undefined));
    const stderr = vi.spyOn(process.stderr, 'write');
    try {
      const { log, records } = memoryLogger();
      const slack = outboxWebClient('xoxb-test', `http://127.0.0.1:${port}/api/`, log);
      await expect(slack.auth.test()).rejects.toThrow();
      expect(records.some((r) => r['component'] === 'slack-web-api' && /http request failed/.test(String(r['msg'])))).toBe(true);

      const pd = new PagerDutyClient({ token: 't', from: '', apiUrl: `http://127.0.0.1:${port}`, log, timeoutMs: 2_000 });
      const res = await pd.getIncident('PABC123');
      expect(res.ok).toBe(false);
      expect(records).toContainEqual(expect.objectContaining({ component: 'pagerduty-api', method: 'GET', path: '/incidents/PABC123', error: 'unavailable', msg: 'pagerduty request' }));
      for (const c of consoleCalls) expect(c).not.toHaveBeenCalled();
      expect(stderr.mock.calls.filter(([chunk]) => String(chunk).includes('web-api'))).toEqual([]);
    } finally {
      for (const c of consoleCalls) c.mockRestore();
      stderr.mockRestore();
    }
  });
});
