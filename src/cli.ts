/**
 * The `kranz` command's entry point. The commands live in `src/cli/`, one
 * module each; `src/cli/run.ts` dispatches.
 */
import { runCli } from './cli/run.ts';

const code = await runCli(process.argv.slice(2));
if (code >= 0) process.exit(code);
