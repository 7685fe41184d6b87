// `npm run build`: compiles src/ to dist/ (JavaScript, source maps), then
// stamps the build. With --if-stale (what `npm start` runs first), does
// nothing when dist/ already holds a build of the current sources.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildState, ROOT, STAMP } from './build-state.mjs';

const ifStale = process.argv.includes('--if-stale');
const state = buildState();
if (ifStale && state === 'fresh') process.exit(0);

let tsc;
try {
  tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  process.stderr.write(`dist/ is ${state} and TypeScript is not installed here (production install?): run "npm run build" where dev dependencies are installed, and ship dist/.\n`);
  process.exit(1);
}
if (ifStale) process.stderr.write(`dist/ is ${state}: building first.\n`);
// A clean output: no compiled file of a deleted source lingers.
rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit', cwd: ROOT });
if (r.status !== 0) process.exit(r.status ?? 1);
mkdirSync(join(ROOT, 'dist'), { recursive: true });
writeFileSync(STAMP, `${new Date().toISOString()}\n`);
