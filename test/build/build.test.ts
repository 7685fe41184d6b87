/**
 * The production build: `npm run build` emits JavaScript to dist/ that runs
 * without TypeScript or tsx (and still finds manifest.yml, the migrations and
 * package.json), `npm start` runs that build, building first when dist/ is
 * missing or older than a source, and bin/kranz uses it when it is current.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STAMP = join(ROOT, 'dist', '.build-stamp');

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? tmpdir(), npm_config_update_notifier: 'false', LOG_LEVEL: 'warn', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

let db: TestDatabase;
let tmp: string;
beforeAll(async () => {
  db = await createTestDatabase('build');
  tmp = await mkdtemp(join(tmpdir(), 'kranz-build-'));
  await chmod(tmp, 0o755);
});
afterAll(async () => {
  await db?.drop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('npm run build', () => {
  it('emits JavaScript only, which runs with plain node (no tsx) and finds its files', async () => {
    const b = await run('npm', ['run', '--silent', 'build']);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    const out = files(join(ROOT, 'dist'));
    expect(out).toContain(join(ROOT, 'dist', 'cli.js'));
    expect(out.filter((f) => f.endsWith('.ts'))).toEqual([]);
    expect(out.some((f) => f.includes(`${join('dist', 'cli')}/`) && f.endsWith('list.js'))).toBe(true);

    // Plain node: a .ts import anywhere would fail to load.
    const version = await run(process.execPath, ['dist/cli.js', '--version']);
    expect(version.stdout).toMatch(/^kranz \d+\.\d+\.\d+\n$/);
    const manifest = await run(process.execPath, ['dist/cli.js', 'manifest', '--url', 'https://kranz.acme.io']);
    expect(manifest.code).toBe(0);
    expect(manifest.stdout).toContain('request_url: https://kranz.acme.io/slack/events');
    const migrate = await run(process.execPath, ['dist/cli.js', 'migrate'], { DATABASE_URL: db.url, KRANZ_DATA_DIR: join(tmp, 'data') });
    expect(migrate.stderr).toBe('');
    expect(migrate.stdout).toMatch(/applied 0001_kranz_meta/);
    // The demo's modules load from dist too (its help needs no network).
    expect((await run(process.execPath, ['dist/cli.js', 'demo', '--help'])).code).toBe(0);
  }, 240_000);
});

describe('npm start', () => {
  it('runs the build, building first when a source is newer than dist/', async () => {
    // Make dist/ stale: a source newer than the build.
    const source = join(ROOT, 'src', 'cli.ts');
    const later = new Date(statSync(STAMP).mtimeMs + 5_000);
    await utimes(source, later, later);
    // SLACK_BOT_TOKEN unset: start stops at once; with LOG_LEVEL=debug its stack shows which code ran.
    const r = await run('npm', ['start', '--silent'], { LOG_LEVEL: 'debug', KRANZ_DATA_DIR: join(tmp, 'start') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('dist/ is stale: building first.');
    expect(r.stderr).toContain('SLACK_BOT_TOKEN is not set');
    expect(r.stderr).toMatch(/at .*\/dist\/cli\/start\.js/);
    expect(r.stderr).not.toMatch(/\/src\/cli\/start\.ts/);
    expect(statSync(STAMP).mtimeMs).toBeGreaterThan(later.getTime() - 5_000);

    // Fresh now: no second build.
    const again = await run('npm', ['start', '--silent'], { KRANZ_DATA_DIR: join(tmp, 'start') });
    expect(again.stderr).not.toContain('building first');
    expect(again.stderr).toContain('SLACK_BOT_TOKEN is not set');
  }, 240_000);

  it('bin/kranz uses the build when it is current', async () => {
    expect(existsSync(STAMP)).toBe(true);
    const r = await run(process.execPath, ['bin/kranz.js', 'report', 'x'], { LOG_LEVEL: 'debug' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/at .*\/dist\/cli\/report\.js/);
  }, 60_000);
});
