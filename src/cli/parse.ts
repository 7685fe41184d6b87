/**
 * Flag parsing on `node:util` parseArgs, strict: `--flag value` and
 * `--flag=value` both work, a flag missing its value, an unknown flag and a
 * stray argument are errors that say which and what to do instead.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from '../config/suggest.ts';
import { UsageError, type CliCommand, type ParsedFlags } from './command.ts';

/** True when `--help` or `-h` appears before any `--`: help wins over every other mistake. */
export function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/** Parses `args` against `c.flags` and `c.positionals`; throws UsageError naming the problem. */
export function parseCommandArgs(path: string[], c: CliCommand, args: string[]): { flags: ParsedFlags; positionals: string[] } {
  const specs = c.flags ?? {};
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, f] of Object.entries(specs)) {
    options[name] = { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) };
  }
  const where = `kranz ${path.join(' ')}`;
  let parsed: { values: ParsedFlags; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true }) as { values: ParsedFlags; positionals: string[] };
  } catch (e) {
    throw new UsageError(`${where}: ${describeParseError(e, specs)}`);
  }
  const { min, max } = c.positionals ?? { min: 0, max: 0 };
  const n = parsed.positionals.length;
  if (n > max) {
    const extra = parsed.positionals.slice(max).map((p) => JSON.stringify(p)).join(' ');
    throw new UsageError(`${where}: unexpected argument ${extra}${max === 0 ? ' (this command takes none)' : ''}`);
  }
  if (n < min) throw new UsageError(`${where}: missing ${c.args ?? 'argument'}`);
  return { flags: parsed.values, positionals: parsed.positionals };
}

function describeParseError(e: unknown, specs: NonNullable<CliCommand['flags']>): string {
  const err = e as { code?: string; message?: string };
  const flag = /'(-{1,2}[^' =]+)/.exec(err.message ?? '')?.[1] ?? '';
  const name = flag.replace(/^-+/, '');
  const byShort = Object.entries(specs).find(([, s]) => s.short === name)?.[0];
  const spec = specs[name] ?? (byShort ? specs[byShort] : undefined);
  const long = byShort ?? name;
  const known = Object.keys(specs).map((k) => `--${k}`);
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const near = closest(name, Object.keys(specs));
      const hint = near ? `; did you mean --${near}?` : known.length ? `; known flags: ${known.join(', ')}` : '; this command takes no flags';
      return `unknown flag ${flag}${hint}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (spec?.type === 'boolean') return `--${long} takes no value`;
      return `--${long} needs a value: --${long} ${spec?.value ?? 'VALUE'} or --${long}=${spec?.value ?? 'VALUE'}`;
    default:
      return err.message ?? String(e);
  }
}
