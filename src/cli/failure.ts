/**
 * How a failed command is reported: one line (or the lines the error itself
 * carries, e.g. a list of configuration problems), never a stack trace unless
 * LOG_LEVEL asks for debug output.
 */
import { CliError } from './command.ts';

const DEBUG_LEVELS = new Set(['debug', 'trace']);

export function describeFailure(e: unknown, path: string[], env: Readonly<Record<string, string | undefined>> = process.env): string {
  const debug = DEBUG_LEVELS.has((env['LOG_LEVEL'] ?? '').trim().toLowerCase());
  if (e instanceof CliError) return debug && e.stack ? `${e.message}\n${stackOnly(e.stack)}` : e.message;
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as { code?: unknown }).code;
  const where = path.length ? `kranz ${path.join(' ')}: ` : '';
  const line = `${where}${err.message}${typeof code === 'string' && !err.message.includes(code) ? ` (${code})` : ''}`;
  return debug && err.stack ? `${line}\n${stackOnly(err.stack)}` : line;
}

function stackOnly(stack: string): string {
  return stack.split('\n').filter((l) => /^\s+at /.test(l)).join('\n');
}
