// `npm run build`: compiles src/ to dist/ (JavaScript, source maps), then
// stamps the build. With --if-stale (what `npm start` runs first), does
// nothing when dist/ already holds a build of the current sources.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
// A clean output (no compiled file of a deleted source lingers), built beside dist/ and
// swapped in at the end: a Kranz already running from dist/ (or starting from it while
// this builds) never finds half a build, only the old one or the new one.
const DIST = join(ROOT, 'dist');
const building = join(ROOT, `dist.building-${process.pid}`);
const old = join(ROOT, `dist.old-${process.pid}`);
rmSync(building, { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', building], { stdio: 'inherit', cwd: ROOT });
if (r.status !== 0) {
  rmSync(building, { recursive: true, force: true });
  process.exit(r.status ?? 1);
}
writeFileSync(join(building, '.build-stamp'), `${new Date().toISOString()}\n`);
if (existsSync(DIST)) renameSync(DIST, old);
renameSync(building, DIST);
rmSync(old, { recursive: true, force: true });
if (!existsSync(STAMP)) throw new Error(`the build did not leave ${STAMP}`);
