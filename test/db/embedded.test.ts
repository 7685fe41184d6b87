import { spawn } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/adapters/db/embedded.ts';
import { cleanupTemp, recordingLogger, refusal, tempDir } from '../helpers/db-kit.ts';

const log = recordingLogger();
const running: EmbeddedPostgresHandle[] = [];

async function start(dataDir: string, port?: number): Promise<EmbeddedPostgresHandle> {
  const h = await startEmbeddedPostgres({ dataDir, log, ...(port ? { port } : {}) });
  running.push(h);
  return h;
}

async function sql<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text)).rows;
  } finally {
    await c.end();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const pidOf = async (dataDir: string) => Number((await readFile(join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);

afterAll(async () => {
  for (const h of running) await h.stop();
  await cleanupTemp();
});

describe('startEmbeddedPostgres', () => {
  it('initialises once, keeps data across stop/start, and records credentials and port', async () => {
    const dataDir = await tempDir();
    const t0 = Date.now();
    const a = await start(dataDir);
    const firstStartMs = Date.now() - t0;
    expect(a.url).toMatch(/^postgres:\/\/kranz:[0-9a-f]{48}@127\.0\.0\.1:\d+\/kranz$/);
    await sql(a.url, 'create table notes (body text)');
    await sql(a.url, "insert into notes values ('survives restarts')");

    const credsFile = join(dataDir, 'pg-credentials.json');
    expect((await stat(credsFile)).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(await readFile(credsFile, 'utf8'));
    expect(creds).toEqual({ user: 'kranz', password: expect.any(String), port: a.port });
    const version = await readFile(join(dataDir, 'pg', 'PG_VERSION'), 'utf8');

    await a.stop();
    await a.stop(); // idempotent
    await expect(sql(a.url, 'select 1')).rejects.toThrow();

    const t1 = Date.now();
    const b = await start(dataDir);
    const restartMs = Date.now() - t1;
    expect(b.url).toBe(a.url); // same password, same recorded port
    expect(await sql<{ body: string }>(b.url, 'select body from notes')).toEqual([{ body: 'survives restarts' }]);
    expect(await readFile(join(dataDir, 'pg', 'PG_VERSION'), 'utf8')).toBe(version);
    expect(log.entries.filter((e) => e.msg === 'embedded postgres initialised')).toHaveLength(1);
    // Postgres' own output reaches the logger at debug level.
    expect(log.entries.some((e) => e.level === 'debug' && e.msg?.includes('ready to accept connections'))).toBe(true);
    await b.stop();
    console.info(`embedded postgres: first start (initdb + start) ${firstStartMs} ms, restart ${restartMs} ms`);
  });

  it('moves to a free port when the recorded one is taken, and records the move', async () => {
    const dataDir = await tempDir();
    const a = await start(dataDir);
    await a.stop();
    const squatter: Server = createServer();
    await new Promise<void>((r) => squatter.listen(a.port, '127.0.0.1', r));
    try {
      const b = await start(dataDir);
      expect(b.port).not.toBe(a.port);
      expect(JSON.parse(await readFile(join(dataDir, 'pg-credentials.json'), 'utf8')).port).toBe(b.port);
      await b.stop();
      // An explicit port is honoured strictly.
      const err = await refusal(startEmbeddedPostgres({ dataDir, log, port: a.port }));
      expect(err.code).toBe('KRANZ_EMBEDDED_PORT_IN_USE');
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });

  it('refuses a second start of a cluster that is already running here', async () => {
    const dataDir = await tempDir();
    await start(dataDir);
    const err = await refusal(startEmbeddedPostgres({ dataDir, log }));
    expect(err.code).toBe('KRANZ_EMBEDDED_IN_USE');
  });

  it('refuses a cluster whose credentials file was lost, and a pg dir that is not a cluster', async () => {
    const dataDir = await tempDir();
    const a = await start(dataDir);
    await a.stop();
    await writeFile(join(dataDir, 'pg-credentials.json'), '{}');
    expect((await refusal(startEmbeddedPostgres({ dataDir, log }))).code).toBe('KRANZ_EMBEDDED_CREDENTIALS_INVALID');

    const junk = await tempDir();
    await mkdir(join(junk, 'pg'));
    await writeFile(join(junk, 'pg', 'something'), 'x');
    expect((await refusal(startEmbeddedPostgres({ dataDir: junk, log }))).code).toBe('KRANZ_EMBEDDED_DATA_INVALID');
  });

  it('recovers after the server itself was killed with SIGKILL (stale postmaster.pid)', async () => {
    const dataDir = await tempDir();
    const a = await start(dataDir);
    await sql(a.url, 'create table t as select 42 as n');
    const pid = await pidOf(dataDir);
    process.kill(pid, 'SIGKILL');
    await a.stop(); // must not hang on a server that is already gone
    const before = log.entries.length;
    const b = await start(dataDir);
    expect(log.entries.slice(before).some((e) => e.msg?.includes('stale postmaster.pid'))).toBe(true);
    expect(await sql<{ n: number }>(b.url, 'select n from t')).toEqual([{ n: 42 }]);
    await b.stop();
  });

  it('recovers after Kranz was killed with SIGKILL and left the server running as an orphan', async () => {
    const dataDir = await tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../helpers/embedded-child.ts'), dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
      createInterface({ input: child.stdout! }).once('line', resolve);
    });
    const { url } = JSON.parse(line) as { url: string };
    await sql(url, 'create table t as select 7 as n');
    const orphanPid = await pidOf(dataDir);

    await new Promise((r) => {
      child.once('exit', r);
      child.kill('SIGKILL');
    });
    expect(alive(orphanPid)).toBe(true); // the server outlived its parent

    const before = log.entries.length;
    const b = await start(dataDir);
    expect(log.entries.slice(before).some((e) => e.level === 'warn' && e.msg?.includes('left running'))).toBe(true);
    expect(await sql<{ n: number }>(b.url, 'select n from t')).toEqual([{ n: 7 }]);
    await b.stop();
  });
});
