#!/usr/bin/env node
// Runs Kranz in this process (so SIGTERM from an orchestrator reaches its own
// graceful shutdown): the built JavaScript in dist/ when it is a build of the
// current sources (`npm run build`), else the TypeScript sources through tsx's
// loader, which is a development dependency.
import { buildState } from '../scripts/build-state.mjs';

const state = buildState();
if (state === 'fresh') {
  await import('../dist/cli.js');
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    if (state === 'missing') {
      process.stderr.write('kranz: there is no build in dist/ and tsx (a development dependency) is not installed: run "npm run build" where dev dependencies are installed.\n');
      process.exit(1);
    }
    process.stderr.write('kranz: dist/ is older than src/ and tsx is not installed: running the old build; run "npm run build".\n');
  }
  if (register) {
    register();
    await import('../src/cli.ts');
  } else {
    await import('../dist/cli.js');
  }
}
