/**
 * What a `kranz` command is: its name, its flags and what it does. Each
 * command lives in its own module in this folder and is listed once in
 * `commands.ts`; the parsing, `--help` and error wording are shared here, so
 * adding a command or a flag is adding a table entry.
 */

/** One flag. `string` flags take a value (`--url https://…` or `--url=https://…`). */
export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** How the value is shown in help, e.g. `URL`. Only for `string` flags. */
  value?: string;
  /** One line for `--help`. */
  description: string;
  /** May be given more than once (values come back as an array). */
  multiple?: boolean;
}

/** Flags after parsing: a string (or strings) per `string` flag, `true` per boolean flag given. */
export type ParsedFlags = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What a command receives. */
export interface CommandInput {
  flags: ParsedFlags;
  positionals: string[];
  io: CliIo;
}

/** Where a command writes: its result to `out` (stdout), everything else to `err` (stderr). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/**
 * A command (or a subcommand: `kranz outbox list` is the `list` subcommand
 * of `outbox`). `run` returns the exit code; -1 means "keep running" (start).
 */
export interface CliCommand {
  name: string;
  /** One line for `kranz --help`. */
  summary: string;
  /** Positional arguments as shown in help, e.g. `<INC-n | n>`. */
  args?: string;
  /** How many positional arguments are accepted. Default none. */
  positionals?: { min: number; max: number };
  /** Further lines for `kranz <command> --help`. */
  details?: string;
  flags?: Record<string, FlagSpec>;
  /** Either `run` or `subcommands`. */
  run?(input: CommandInput): Promise<number>;
  subcommands?: CliCommand[];
}

/** A mistake in how a command was called or configured: printed as its message alone, exit 1. */
export class CliError extends Error {
  override name = 'CliError';
}

/** A usage mistake: printed with a pointer to `--help`, exit 2 (the shell convention for usage errors). */
export class UsageError extends CliError {
  override name = 'UsageError';
}

/** The help text of one command. `path` is e.g. `['outbox', 'list']`. */
export function commandHelp(path: string[], c: CliCommand): string {
  const lines = [`kranz ${path.join(' ')}: ${c.summary}`, ''];
  if (c.subcommands?.length) {
    lines.push(`Usage: kranz ${path.join(' ')} <subcommand> [flags]`, '', 'Subcommands:');
    const w = Math.max(...c.subcommands.map((s) => s.name.length + (s.args ? s.args.length + 1 : 0)));
    for (const s of c.subcommands) lines.push(`  ${`${s.name}${s.args ? ` ${s.args}` : ''}`.padEnd(w)}   ${s.summary}`);
    lines.push('', `Run "kranz ${path.join(' ')} <subcommand> --help" for its flags.`);
  } else {
    const flags = Object.keys(c.flags ?? {}).length ? ' [flags]' : '';
    lines.push(`Usage: kranz ${path.join(' ')}${c.args ? ` ${c.args}` : ''}${flags}`);
  }
  if (c.details) lines.push('', c.details);
  const rows = flagRows(c.flags ?? {});
  lines.push('', 'Flags:');
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [left, right] of rows) lines.push(`  ${left.padEnd(w)}   ${right}`);
  return lines.join('\n');
}

function flagRows(flags: Record<string, FlagSpec>): [string, string][] {
  const rows: [string, string][] = Object.entries(flags).map(([name, f]) => [
    `${f.short ? `-${f.short}, ` : ''}--${name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`,
    f.description,
  ]);
  rows.push(['-h, --help', 'show this help']);
  return rows;
}
