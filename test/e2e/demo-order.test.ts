/**
 * The demo tells its story in causal order (no effect before its cause: an
 * invitation after the on-call lookup that chose the people, a relay after
 * the update it relays) and tells it the same way every time: `kranz demo
 * --exit` is run twice through the CLI, as a new user would run it, and the
 * two narrations must be identical once what legitimately differs (ports,
 * paths, wall-clock seconds) is masked.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
const runs: { lines: string[]; stderr: string; code: number | null }[] = [];

/** Lines with what legitimately differs between runs replaced by placeholders. */
function normalised(lines: string[], dataDir: string, reportPath: string): string[] {
  return lines.map((l) =>
    l
      .split(reportPath).join('<report>')
      .split(dataDir).join('<data>')
      .replace(/(https?|smtp):\/\/127\.0\.0\.1:\d+/g, '$1://127.0.0.1:<port>')
      .replace(/\b\d+\.\d s\b/g, '<seconds> s'),
  );
}

/**
 * `kranz demo --exit --speed 0` in a child process, as typed in a shell (stdin is not a terminal),
 * from the checkout (where tsx resolves); its files go to the temp dir by absolute path.
 */
function demo(dataDir: string, reportPath: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'demo', '--exit', '--speed', '0', '--data-dir', dataDir, '--report', reportPath], {
      env: { PATH: process.env['PATH'] ?? '', HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ stdout, stderr, code }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kranz-demo-order-'));
  // Run as root, the embedded PostgreSQL (user "postgres") must be able to enter it.
  await chmod(dir, 0o711);
  for (const n of [1, 2]) {
    const dataDir = join(dir, `data-${n}`);
    const reportPath = join(dir, `report-${n}.md`);
    const r = await demo(dataDir, reportPath);
    runs.push({ lines: normalised(r.stdout.trimEnd().split('\n'), dataDir, reportPath), stderr: r.stderr, code: r.code });
  }
}, 240_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kranz demo narration', () => {
  it('runs to the end with nothing on stderr', () => {
    for (const r of runs) {
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.lines.some((l) => l.startsWith('Report: Kranz drafted the INC-1 report'))).toBe(true);
    }
  });

  it('is identical across two runs', () => {
    const [first, second] = runs;
    expect(first?.lines.length).toBeGreaterThan(60);
    expect(second?.lines).toEqual(first?.lines);
  });

  it('tells each cause before its effect', () => {
    const lines = runs[0]?.lines ?? [];
    const index = (re: RegExp): number => lines.findIndex((l) => re.test(l));
    const lookup = index(/Kranz → PagerDuty {2}asked who is on call/);
    const invite = index(/Kranz → Slack {2}invited .*they are on call for/);
    expect(lookup).toBeGreaterThan(-1);
    expect(invite).toBeGreaterThan(lookup);
    const created = index(/Kranz → Slack {2}created #inc-1-/);
    expect(created).toBeGreaterThan(index(/PagerDuty → Kranz /));
    expect(invite).toBeGreaterThan(created);
    // Each status update is posted in the incident channel before it is relayed anywhere.
    for (const status of ['investigating', 'identified', 'monitoring']) {
      const typed = index(new RegExp(`/incident update → ${status}`));
      const posted = index(new RegExp(`posted the status update in #inc-1 \\(${status}\\)`));
      const relay = lines.findIndex((l, i) => i > posted && /relayed the status update to/.test(l));
      expect(typed).toBeGreaterThan(-1);
      expect(posted).toBeGreaterThan(typed);
      expect(relay).toBeGreaterThan(posted);
    }
    // A correction is recorded before the summary that shows it is updated.
    const typed = index(/\/incident times impact-started 13:57/);
    const corrected = index(/Kranz → timeline {2}corrected the impact started time to 13:57 \(was 14:00\)/);
    expect(corrected).toBeGreaterThan(typed);
    expect(typed).toBeGreaterThan(-1);
    // Times never run backwards.
    const stamps = lines.map((l) => /^\[(\d\d:\d\d)(?::\d\d)? sim\]/.exec(l)?.[1]).filter((t): t is string => t !== undefined);
    expect(stamps.length).toBeGreaterThan(50);
    expect(stamps).toEqual([...stamps].sort());
  });
});
