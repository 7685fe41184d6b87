/**
 * Dispatch: `kranz [--version | --help] <command> [<subcommand>] [flags]`.
 * Finds the command in the table, handles `--help` at every level, parses
 * the flags and turns every failure into one line on stderr and a non-zero
 * exit (a stack trace only with LOG_LEVEL=debug or trace).
 */
import { ENV_KEYS } from '../config/env.ts';
import { closest } from '../config/suggest.ts';
import { CliError, UsageError, commandHelp, type CliCommand, type CliIo } from './command.ts';
import { COMMANDS } from './commands.ts';
import { parseCommandArgs, wantsHelp } from './parse.ts';
import { kranzVersion } from './version.ts';
import { describeFailure } from './failure.ts';

export const stdio: CliIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

/** `kranz --help`. */
export function mainHelp(commands: readonly CliCommand[] = COMMANDS): string {
  const w = Math.max(...commands.map((c) => `${c.name}${c.args ? ` ${c.args}` : ''}`.length));
  return [
    'kranz: an incident commander that lives in Slack',
    '',
    'Usage: kranz <command> [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${`${c.name}${c.args ? ` ${c.args}` : ''}`.padEnd(w)}   ${c.summary}`),
    '',
    'Run "kranz <command> --help" for a command\'s flags; "kranz --version" for the version.',
    ...wrapped(`Configuration is read from the environment (see docs/configuration.md): ${ENV_KEYS.join(', ')}.`, 110),
  ].join('\n');
}

/** `text` in lines of at most `width` characters, broken at spaces. */
function wrapped(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

/** Runs one `kranz` invocation. Returns the exit code, or -1 when the command keeps running (start). */
export async function runCli(argv: readonly string[], io: CliIo = stdio, commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    if (first === 'help' && rest[0]) return runCli([...rest, '--help'], io, commands);
    io.out(`${mainHelp(commands)}\n`);
    return 0;
  }
  if (first === '--version' || first === '-V' || first === 'version') {
    io.out(`kranz ${kranzVersion()}\n`);
    return 0;
  }
  let path: string[] = [];
  try {
    let command = find(commands, first, []);
    path = [command.name];
    let args = rest;
    while (command.subcommands?.length) {
      const [sub, ...more] = args;
      if (sub === undefined || sub.startsWith('-')) {
        if (sub === undefined || wantsHelp(args)) {
          (sub === undefined ? io.err : io.out)(`${commandHelp(path, command)}\n`);
          return sub === undefined ? 2 : 0;
        }
        throw new UsageError(`kranz ${path.join(' ')}: name a subcommand first (${command.subcommands.map((s) => s.name).join(', ')})`);
      }
      command = find(command.subcommands, sub, path);
      path = [...path, command.name];
      args = more;
    }
    if (wantsHelp(args)) {
      io.out(`${commandHelp(path, command)}\n`);
      return 0;
    }
    const { flags, positionals } = parseCommandArgs(path, command, args);
    if (!command.run) throw new Error(`kranz ${path.join(' ')} has nothing to run`);
    return await command.run({ flags, positionals, io });
  } catch (e) {
    io.err(`${describeFailure(e, path)}\n`);
    if (e instanceof UsageError) io.err(`Run "kranz ${path.length ? `${path.join(' ')} ` : ''}--help" for usage.\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

function find(commands: readonly CliCommand[], name: string, parent: string[]): CliCommand {
  const hit = commands.find((c) => c.name === name);
  if (hit) return hit;
  const names = commands.map((c) => c.name);
  const near = closest(name, names);
  const where = parent.length ? `kranz ${parent.join(' ')}` : 'kranz';
  throw new UsageError(`${where}: unknown ${parent.length ? 'subcommand' : 'command'} "${name}"${near ? `; did you mean "${near}"?` : `; commands: ${names.join(', ')}`}`);
}

export { CliError };
