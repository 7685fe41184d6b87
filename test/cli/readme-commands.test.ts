/**
 * Every command in the README's and docs' shell blocks works as written.
 * Each line of a ```sh block is either run (offline: the test database, a
 * temporary data directory and npm prefix) and must succeed, or is named
 * below with the reason it cannot run here and the test that covers it. A
 * new command in the docs that is neither fails this test.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Commands that cannot run offline in a test, and what covers them instead. */
const NOT_RUN: [RegExp, string][] = [
  [/^npm (install|ci)$/, 'installs from the npm registry; the tests run in an installed checkout'],
  [/^npm test$/, 'the test suite itself'],
  [/^npm run build$/, 'rewrites dist/, which other test files use at the same time; test/build/build.test.ts runs it'],
  [/^npm run doctor$/, 'checks the live Slack and PagerDuty; test/reliability/doctor.test.ts runs it against the stand-ins'],
  [/^npm start$/, 'runs until stopped; test/build/build.test.ts runs it from the build, test/reliability/shutdown.test.ts stops it'],
];

/** Files a command may write into the checkout, removed afterwards unless they were there before. */
const WRITES = ['manifest.out.yml', 'kranz-report-INC-1.md'];

interface DocCommand {
  file: string;
  line: number;
  command: string;
}

function shellCommands(file: string): DocCommand[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: DocCommand[] = [];
  let inSh = false;
  text.split('\n').forEach((raw, i) => {
    if (/^```(sh|bash|shell|console)\s*$/.test(raw)) inSh = true;
    else if (raw.startsWith('```')) inSh = false;
    else if (inSh) {
      const line = raw.replace(/\s+#\s.*$/, '').replace(/^\$\s+/, '').trim();
      if (!line || line.startsWith('#')) return;
      for (const command of line.split('&&').map((c) => c.trim())) out.push({ file, line: i + 1, command });
    }
  });
  return out;
}

const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const commands = docs.flatMap(shellCommands);

let db: TestDatabase;
let tmp: string;
let env: Record<string, string>;
const existedBefore = new Set(WRITES.filter((f) => existsSync(join(ROOT, f))));

beforeAll(async () => {
  db = await createTestDatabase('readme');
  tmp = await mkdtemp(join(tmpdir(), 'kranz-readme-'));
  await chmod(tmp, 0o755);
  const prefix = join(tmp, 'npm-prefix');
  env = {
    PATH: `${join(prefix, 'bin')}:${process.env['PATH'] ?? ''}`,
    HOME: process.env['HOME'] ?? tmp,
    npm_config_prefix: prefix,
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    DATABASE_URL: db.url,
    KRANZ_DATA_DIR: join(tmp, 'data'),
    LOG_LEVEL: 'warn',
  };
});

afterAll(async () => {
  for (const f of WRITES) if (!existedBefore.has(f)) await rm(join(ROOT, f), { force: true });
  await db?.drop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function sh(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** What a command's success looks like beyond exit 0, where there is more to say. */
const EXPECT: [RegExp, (r: { stdout: string; stderr: string }) => Promise<void> | void][] = [
  [/^kranz --version$/, (r) => expect(r.stdout).toMatch(/^kranz \d+\.\d+\.\d+/)],
  [/^kranz --help$/, (r) => expect(r.stdout).toMatch(/^Usage: kranz <command>/m)],
  [/^kranz manifest --url https:\/\/kranz\.example\.com > manifest\.out\.yml$/, async () => {
    expect(await readFile(join(ROOT, 'manifest.out.yml'), 'utf8')).toContain('request_url: https://kranz.example.com/slack/events');
  }],
  [/^kranz list$/, (r) => expect(r.stdout).toMatch(/^No open incidents in /)],
  [/^npm run migrate$/, (r) => expect(r.stdout).toMatch(/Migrated .*(applied|already up to date)/)],
  [/^npm run demo$/, (r) => expect(r.stdout).toMatch(/^Report: Kranz drafted the INC-1 report/m)],
];

describe('commands in the README and docs', () => {
  it('finds the README\'s commands', () => {
    expect(commands.map((c) => c.command)).toEqual(expect.arrayContaining(['npm link', 'kranz --version', 'npm run demo']));
  });

  it('runs each one that can run offline, in document order, and each succeeds', async () => {
    const ran: string[] = [];
    for (const c of commands) {
      if (NOT_RUN.some(([re]) => re.test(c.command))) continue;
      const r = await sh(c.command);
      expect({ where: `${c.file}:${c.line}`, command: c.command, code: r.code, stderr: r.stderr.slice(0, 2000) }).toEqual({ where: `${c.file}:${c.line}`, command: c.command, code: 0, stderr: expect.any(String) });
      for (const [re, check] of EXPECT) if (re.test(c.command)) await check(r);
      ran.push(c.command);
    }
    // The commands that prove the README's own promises did run.
    expect(ran).toEqual(expect.arrayContaining(['npm link', 'kranz --version', 'npm run migrate', 'npm run demo']));
  }, 240_000);
});
