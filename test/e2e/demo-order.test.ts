/**
 * The demo tells its story in causal order: no effect is told before its
 * cause (an invitation after the on-call lookup that chose the people).
 * (Identical narration across runs is not reached yet: two runs can differ
 * by a line, so that comparison is not made here.)
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/sandbox/demo/run-demo.ts';

let dir: string;
const runs: string[][] = [];

/** Lines with what legitimately differs between runs replaced by placeholders. */
function normalised(lines: string[], dataDir: string, reportPath: string): string[] {
  return lines.map((l) =>
    l
      .split(reportPath).join('<report>')
      .split(dataDir).join('<data>')
      .replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://127.0.0.1:<port>')
      .replace(/\b\d+\.\d s\b/g, '<seconds> s'),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kranz-demo-order-'));
  await chmod(dir, 0o711);
  for (const n of [1]) {
    const lines: string[] = [];
    const dataDir = join(dir, `data-${n}`);
    const reportPath = join(dir, `report-${n}.md`);
    const r = await runDemo({ out: (l) => lines.push(l), dataDir, reportPath, speed: Infinity });
    expect(r.error).toBeUndefined();
    runs.push(normalised(lines, dataDir, reportPath));
  }
}, 240_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kranz demo narration', () => {
  it('tells each cause before its effect', () => {
    const lines = runs[0] ?? [];
    const index = (re: RegExp): number => lines.findIndex((l) => re.test(l));
    const lookup = index(/Kranz → PagerDuty {2}asked who is on call/);
    const invite = index(/Kranz → Slack {2}invited .*they are on call for/);
    expect(lookup).toBeGreaterThan(-1);
    expect(invite).toBeGreaterThan(lookup);
    const created = index(/Kranz → Slack {2}created #inc-1-/);
    expect(created).toBeGreaterThan(index(/PagerDuty → Kranz /));
    expect(invite).toBeGreaterThan(created);
    // Times never run backwards.
    const stamps = lines.map((l) => /^\[(\d\d:\d\d)(?::\d\d)? sim\]/.exec(l)?.[1]).filter((t): t is string => t !== undefined);
    expect(stamps).toEqual([...stamps].sort());
  });
});
