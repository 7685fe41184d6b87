/**
 * The dependency rules must fire. Each probe below is a tiny tree laid out
 * like Kranz (src/…, test/…) that breaks exactly one rule; the real checker
 * runs on it with the real .dependency-cruiser.cjs and must name that rule.
 * A clean probe (imports every rule allows) must pass, so a rule that fires
 * on everything is caught too.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

type Tree = Record<string, string>;

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** Runs the project's dependency checker with the project's rules over `tree`; returns the violations. */
async function cruise(tree: Tree): Promise<Violation[]> {
  const dir = await mkdtemp(join(tmpdir(), 'kranz-deps-'));
  dirs.push(dir);
  await copyFile(join(REPO, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  await copyFile(join(REPO, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  // A stand-in for pg: the SQL rule looks at where an import resolves, not at what the package does.
  await mkdir(join(dir, 'node_modules/pg'), { recursive: true });
  await writeFile(join(dir, 'node_modules/pg/package.json'), JSON.stringify({ name: 'pg', version: '0.0.0', main: 'index.js' }));
  await writeFile(join(dir, 'node_modules/pg/index.js'), 'module.exports = {};\n');
  await mkdir(join(dir, 'test'), { recursive: true });
  for (const [path, text] of Object.entries(tree)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  const r = spawnSync(process.execPath, [join(REPO, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'src', 'test', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], { cwd: dir, encoding: 'utf8' });
  if (!r.stdout.trim().startsWith('{')) throw new Error(`the dependency checker did not answer: ${r.stderr || r.stdout}`);
  const out = JSON.parse(r.stdout) as { summary: { violations: Violation[] } };
  return out.summary.violations;
}

const leaf = 'export const x = 1;\n';
const uses = (...paths: string[]): string => paths.map((p, i) => `import { x as x${i} } from '${p}';\nvoid x${i};\n`).join('') + leaf;

/** One probe per rule: the rule's name, and a tree that breaks only it. */
const PROBES: [string, Tree][] = [
  ['domain-is-pure', { 'src/domain/a.ts': uses('node:fs'), 'src/adapters/db/b.ts': leaf }],
  ['app-only-domain-lib-and-ports', { 'src/app/a.ts': uses('../config/b.ts'), 'src/config/b.ts': leaf }],
  ['lib-is-a-leaf', { 'src/lib/a.ts': uses('../domain/b.ts'), 'src/domain/b.ts': leaf }],
  ['adapters-do-not-import-each-other', { 'src/adapters/slack/a.ts': uses('../statuspage/b.ts'), 'src/adapters/statuspage/b.ts': leaf }],
  ['the-inbox-reaches-only-the-database', { 'src/adapters/intake/a.ts': uses('../slack/b.ts'), 'src/adapters/slack/b.ts': leaf }],
  ['adapters-stay-below-the-root', { 'src/adapters/slack/a.ts': uses('../../web/b.ts'), 'src/web/b.ts': leaf }],
  ['only-the-cli-reaches-the-sandbox', { 'src/web/a.ts': uses('../sandbox/slack/b.ts'), 'src/sandbox/slack/b.ts': leaf }],
  ['sandbox-uses-the-runtime-contract', { 'src/sandbox/demo/a.ts': uses('../../customers-extension.ts'), 'src/customers-extension.ts': leaf }],
  ['only-entry-points-import-the-root', { 'src/web/a.ts': uses('../main.ts'), 'src/main.ts': leaf }],
  ['scheduler-reaches-app-only', { 'src/scheduler/a.ts': uses('../web/b.ts'), 'src/web/b.ts': leaf }],
  ['sql-only-in-db-adapter', { 'src/adapters/slack/a.ts': uses('pg') }],
  ['no-circular', { 'src/web/a.ts': uses('./b.ts'), 'src/web/b.ts': uses('./a.ts') }],
  ['tests-do-not-import-other-tests', { 'test/a.test.ts': uses('./b.test.ts'), 'test/b.test.ts': leaf }],
  ['production-does-not-import-tests', { 'src/web/a.ts': uses('../../test/helpers/b.ts'), 'test/helpers/b.ts': leaf }],
];

const ROOT_NAMES = new Set(['main', 'extensions', 'customers-extension']);

/** Every door the layering opens, in one tree: must pass. */
const ALLOWED: Tree = {
  'src/lib/l.ts': leaf,
  'src/domain/d.ts': uses('../lib/l.ts'),
  'src/app/a.ts': uses('../domain/d.ts', '../lib/l.ts'),
  'src/adapters/db/inbound-sql.ts': uses('pg'),
  'src/adapters/intake/intake.ts': uses('../db/inbound-sql.ts'),
  'src/adapters/slack/s.ts': uses('../../app/a.ts', '../intake/intake.ts', '../logging.ts'),
  'src/adapters/logging.ts': leaf,
  'src/scheduler/t.ts': uses('../app/a.ts'),
  'src/runtime.ts': uses('./app/a.ts'),
  'src/sandbox/demo/run.ts': uses('../../runtime.ts'),
  'src/main.ts': uses('./adapters/slack/s.ts', './scheduler/t.ts', './runtime.ts'),
  'src/extensions.ts': uses('./runtime.ts'),
  'src/cli/demo.ts': uses('../main.ts', '../extensions.ts', '../sandbox/demo/run.ts'),
  'test/helpers/h.ts': uses('../../src/main.ts'),
  'test/a.test.ts': uses('./helpers/h.ts', '../src/sandbox/demo/run.ts'),
};

describe('dependency rules', () => {
  it('pass on a tree that uses every door the layering opens', async () => {
    expect(await cruise(ALLOWED)).toEqual([]);
  }, 60_000);

  it('each fire on the probe that breaks it, and only there', async () => {
    // All probes in one tree (one run of the checker): each probe's files are its own, so a violation names its probe.
    const tree: Tree = {};
    const expected: string[] = [];
    PROBES.forEach(([rule, probe], i) => {
      // Names get the probe's number (a.ts → a_p3.ts, a.test.ts → a_p3.test.ts); the root's names must stay what the rules name.
      const tag = (name: string): string => (ROOT_NAMES.has(name) ? name : `${name}_p${i}`);
      for (const [path, text] of Object.entries(probe)) {
        const moved = path.replace(/([^/.]+)((?:\.test)?\.ts)$/, (_m, name: string, ext: string) => `${tag(name)}${ext}`);
        tree[moved] = text.replace(/from '([^']*?)([^/.']+)((?:\.test)?\.ts)'/g, (_m, pre: string, name: string, ext: string) => `from '${pre}${tag(name)}${ext}'`);
      }
      expected.push(rule);
    });
    const found = await cruise(tree);
    const byProbe = new Map<number, Set<string>>();
    for (const v of found) {
      const i = Number(/_p(\d+)(?:\.test)?\.ts$/.exec(v.from)?.[1] ?? -1);
      byProbe.set(i, (byProbe.get(i) ?? new Set()).add(v.rule.name));
    }
    // Probe i trips its own rule and no other (a probe that trips a neighbour proves nothing).
    const seen = PROBES.map((_p, i) => [...(byProbe.get(i) ?? [])].sort());
    expect(seen).toEqual(expected.map((r) => [r]));
    expect(byProbe.has(-1)).toBe(false);
  }, 120_000);
});
