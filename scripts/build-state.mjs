// Whether dist/ holds a build of the current sources. Plain JavaScript so it
// runs before anything is built (from bin/kranz.js and `npm start`).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Written last by a successful build; its mtime is the build's. */
export const STAMP = join(ROOT, 'dist', '.build-stamp');

function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** 'fresh', 'stale' (a source changed after the build) or 'missing'. */
export function buildState() {
  if (!existsSync(STAMP) || !existsSync(join(ROOT, 'dist', 'cli.js'))) return 'missing';
  const built = statSync(STAMP).mtimeMs;
  const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((p) => join(ROOT, p)).filter((p) => existsSync(p));
  return inputs.some((p) => newestMtime(p) > built) ? 'stale' : 'fresh';
}
