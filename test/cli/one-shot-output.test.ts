/**
 * One-shot commands print only what a person reads: `kranz report INC-404`
 * on the embedded database answers with one sentence on stderr and a
 * non-zero exit, with no log records around it (the pool's connections cut
 * while the embedded PostgreSQL stops used to come out as two pino lines),
 * and what Kranz has to tell on the way (a PostgreSQL left running by a
 * killed Kranz, shut down first) comes out as a sentence, not JSON.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

function kranz(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env: { PATH: process.env['PATH'] ?? '', HOME: dir, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts the embedded PostgreSQL of `dataDir` in a child, then kills the child with SIGKILL: the server is left running. */
async function orphanPostgres(dataDir: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../helpers/embedded-child.ts'), dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  await new Promise((r) => {
    child.once('exit', r);
    child.kill('SIGKILL');
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kranz-one-shot-'));
  // Run as root, the embedded PostgreSQL (user "postgres") must be able to enter it.
  await chmod(dir, 0o755);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const MISSING = /^There is no INC-404 in postgres:\/\/kranz:\*\*\*@127\.0\.0\.1:\d+\/kranz \(KRANZ_DATA_DIR=\S+, embedded database\)\. "kranz list --all" shows the incidents there\.$/;

describe('kranz report for an incident that does not exist, on the embedded database', () => {
  it('says so in one sentence and exits 1, every time (the embedded server stopping adds nothing)', async () => {
    const dataDir = join(dir, 'data');
    // The first run also creates the cluster; the later ones race the pool's goodbyes against the server's stop.
    for (let run = 0; run < 4; run++) {
      const r = await kranz(['report', 'INC-404'], { KRANZ_DATA_DIR: dataDir });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(MISSING)]);
    }
  }, 120_000);

  it('tells a PostgreSQL left running by a killed Kranz as a sentence, then the answer', async () => {
    const dataDir = join(dir, 'orphan');
    await orphanPostgres(dataDir);
    const r = await kranz(['report', '404'], { KRANZ_DATA_DIR: dataDir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^kranz: warning: embedded postgres left running by a previous Kranz; shutting it down \(pgDir \S+, postmasterPid \d+\)$/),
      expect.stringMatching(MISSING),
    ]);
  }, 120_000);
});
