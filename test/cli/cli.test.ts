/**
 * The `kranz` command as an operator runs it: migrate, report, refusing the
 * wrong database, and configuration errors listed all at once.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { asSlackUserId } from '../../src/domain/ids.ts';

function kranz(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

let a: TestDatabase;
let b: TestDatabase;
let dir: string;
beforeAll(async () => {
  [a, b] = await Promise.all([createTestDatabase('cli'), createTestDatabase('cliempty')]);
  dir = await mkdtemp(join(tmpdir(), 'kranz-cli-'));
  await chmod(dir, 0o755);
});
afterAll(async () => {
  await Promise.all([a.drop(), b.drop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('kranz CLI', () => {
  it('migrates, then prints an incident report, then refuses an empty database naming both sides', async () => {
    const dataDir = join(dir, 'data');
    const first = await kranz(['migrate'], { DATABASE_URL: a.url, KRANZ_DATA_DIR: dataDir });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied 0001_kranz_meta/);
    const again = await kranz(['migrate'], { DATABASE_URL: a.url, KRANZ_DATA_DIR: dataDir });
    expect(again.stdout).toMatch(/already up to date/);

    // An incident recorded through the app, then `kranz report INC-1` drafts it from the database.
    const { appHarnessOn } = await import('../helpers/app.ts');
    const h = await appHarnessOn(a.url);
    const { declareIncident } = await import('../../src/app/declare-incident.ts');
    const d = await declareIncident(h.deps, { title: 'Search is slow', severity: 'SEV3' }, { actor: { kind: 'user', userId: asSlackUserId('UDANA') }, source: { kind: 'cli' }, idempotencyKey: 'cli-1' });
    await h.pool.end();
    expect(d.ok).toBe(true);
    const report = await kranz(['report', 'INC-1'], { DATABASE_URL: a.url, KRANZ_DATA_DIR: dataDir });
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/^# INC-1: Search is slow/);
    for (const s of ['## Summary', '## Resolution and recovery timeline', '## Root cause', '## Corrective and preventive measures']) expect(report.stdout).toContain(s);
    const byNumber = await kranz(['report', '1'], { DATABASE_URL: a.url, KRANZ_DATA_DIR: dataDir });
    expect(byNumber.stdout).toBe(report.stdout);
    const list = await kranz(['list'], { DATABASE_URL: a.url, KRANZ_DATA_DIR: dataDir });
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^INCIDENT +SEVERITY +STATUS +AGE +NEXT UPDATE +TITLE\nINC-1 +SEV3 +investigating +\d+[smhd]( \d+[mh])? +(-|in \S+( \S+)?|overdue \S+( \S+)?) +Search is slow\n$/);
    const missing = await kranz(['report', 'INC-99'], { DATABASE_URL: a.url, KRANZ_DATA_DIR: dataDir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no INC-99/i);

    // Same data dir, a different (empty) database: the Tinybird failure. Refuse, name both.
    const wrong = await kranz(['migrate'], { DATABASE_URL: b.url, KRANZ_DATA_DIR: dataDir });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(dataDir);
    expect(wrong.stderr).toContain(b.name);
    const c = new pg.Client({ connectionString: b.url });
    await c.connect();
    const tables = await c.query("select count(*)::int as n from pg_tables where schemaname = 'public'");
    await c.end();
    expect(tables.rows[0]?.n).toBe(0);
    // Five processes, each starting Node and TypeScript: slow on a loaded machine.
  }, 120_000);

  it('lists every configuration problem, naming the key and line, with exit 1', async () => {
    const file = join(dir, 'bad.yml');
    await writeFile(file, ['severities:', '  SEV1:', '    update_cadence: fast', 'report_timezone: Mars/Olympus', 'chanel_name_template: "x"', ''].join('\n'));
    const r = await kranz(['migrate'], { KRANZ_CONFIG: file, PORT: 'abc', KRANZ_DATA_DIR: join(dir, 'unused') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PORT/);
    expect(r.stderr).toMatch(/bad\.yml:3:\d+ severities\.SEV1\.update_cadence/);
    expect(r.stderr).toMatch(/report_timezone/);
    expect(r.stderr).toMatch(/chanel_name_template.*channel_name_template/);
  });

  it('names an unknown command and points at the help', async () => {
    const r = await kranz(['frobnicate'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "frobnicate"/);
    expect(r.stderr).toMatch(/kranz --help/);
  });
});
