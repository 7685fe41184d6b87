/**
 * How `kranz` reads its arguments: `--flag value` and `--flag=value`, a
 * missing value, an unknown flag or a stray argument is an error naming it
 * (exit 2), `--help` works at every level and wins over other mistakes,
 * `--version` prints the package version, and subcommands dispatch.
 * In-process through `runCli` with the real command table and a small one.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CliCommand, CliIo } from '../../src/cli/command.ts';
import { runCli } from '../../src/cli/run.ts';
import { ENV_KEYS } from '../../src/config/env.ts';
import { parseIncidentRef } from '../../src/cli/report.ts';
import { formatIncidentTable, shortDuration } from '../../src/cli/list.ts';

function capture(): CliIo & { stdout: string; stderr: string } {
  const c = { stdout: '', stderr: '', out: (t: string) => void (c.stdout += t), err: (t: string) => void (c.stderr += t) };
  return c;
}

async function run(argv: string[], commands?: CliCommand[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capture();
  const code = await runCli(argv, io, commands);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** A table like the real one: a command with flags and positionals, and one with subcommands. */
const seen: unknown[] = [];
const TABLE: CliCommand[] = [
  {
    name: 'greet',
    summary: 'say hello',
    args: '<name>',
    positionals: { min: 1, max: 1 },
    flags: { loud: { type: 'boolean', description: 'shout' }, times: { type: 'string', value: 'N', description: 'how often' } },
    async run({ flags, positionals, io }) {
      seen.push({ flags, positionals });
      io.out(`hello ${positionals[0]}\n`);
      return 0;
    },
  },
  {
    name: 'outbox',
    summary: 'the outbox',
    subcommands: [
      { name: 'list', summary: 'list rows', flags: { all: { type: 'boolean', description: 'every row' } }, async run({ flags, io }) { io.out(`list all=${String(flags['all'] ?? false)}\n`); return 0; } },
      { name: 'retry', summary: 'retry a row', args: '<id>', positionals: { min: 1, max: 1 }, async run({ positionals, io }) { io.out(`retry ${positionals[0]}\n`); return 0; } },
    ],
  },
];

describe('flags', () => {
  it('takes --flag value and --flag=value alike', async () => {
    seen.length = 0;
    expect((await run(['greet', 'dana', '--times', '3', '--loud'], TABLE)).code).toBe(0);
    expect((await run(['greet', '--times=3', 'dana', '--loud'], TABLE)).code).toBe(0);
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[0]).toEqual({ flags: { times: '3', loud: true }, positionals: ['dana'] });
  });

  it('refuses a flag missing its value, naming the flag and both forms', async () => {
    for (const argv of [['greet', 'dana', '--times'], ['greet', 'dana', '--times', '--loud']]) {
      const r = await run(argv, TABLE);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('kranz greet: --times needs a value: --times N or --times=N');
      expect(r.stderr).toContain('kranz greet --help');
    }
  });

  it('refuses unknown flags with a suggestion, and a value on a boolean flag', async () => {
    const typo = await run(['greet', 'dana', '--lod'], TABLE);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^kranz greet: unknown flag --lod; did you mean --loud\?$/m);
    const far = await run(['greet', 'dana', '--frobnicate'], TABLE);
    expect(far.stderr).toMatch(/unknown flag --frobnicate; known flags: --loud, --times/);
    const valued = await run(['greet', 'dana', '--loud=yes'], TABLE);
    expect(valued.code).toBe(2);
    expect(valued.stderr).toMatch(/--loud takes no value/);
  });

  it('refuses stray and missing positional arguments', async () => {
    expect((await run(['greet', 'a', 'b'], TABLE)).stderr).toMatch(/kranz greet: unexpected argument "b"/);
    const none = await run(['greet'], TABLE);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/kranz greet: missing <name>/);
  });
});

describe('help and version', () => {
  it('prints help for the program and each command, on stdout with exit 0, even beside a mistake', async () => {
    const top = await run(['--help']);
    expect(top.code).toBe(0);
    for (const c of ['start', 'migrate', 'doctor', 'report', 'manifest', 'demo']) expect(top.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    // Every variable Kranz reads is named, the web view's, email's and the status page's included.
    for (const key of ENV_KEYS) expect(top.stdout).toMatch(new RegExp(`\\b${key}\\b`));
    const m = await run(['manifest', '--help']);
    expect(m.code).toBe(0);
    expect(m.stdout).toMatch(/^Usage: kranz manifest/m);
    expect(m.stdout).toMatch(/--url URL/);
    expect(m.stdout).not.toContain('slack/events');
    // --help wins over a missing value.
    expect((await run(['manifest', '--url', '--help'])).stdout).toMatch(/^Usage: kranz manifest/m);
    expect((await run(['help', 'report'])).stdout).toMatch(/^Usage: kranz report <INC-n \| n>/m);
  });

  it('prints the version from package.json', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await run([flag]);
      expect(r).toEqual({ code: 0, stdout: `kranz ${pkg.version}\n`, stderr: '' });
    }
  });

  it('names an unknown command and suggests the near one', async () => {
    const r = await run(['reprot', '7']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^kranz: unknown command "reprot"; did you mean "report"\?$/m);
  });
});

describe('subcommands', () => {
  it('dispatches, parses per subcommand and lists them in help', async () => {
    expect((await run(['outbox', 'list', '--all'], TABLE)).stdout).toBe('list all=true\n');
    expect((await run(['outbox', 'retry', '42'], TABLE)).stdout).toBe('retry 42\n');
    const help = await run(['outbox', '--help'], TABLE);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^  list\s+list rows$/m);
    expect(help.stdout).toMatch(/^  retry <id>\s+retry a row$/m);
    const bare = await run(['outbox'], TABLE);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/Subcommands:/);
    const typo = await run(['outbox', 'lst'], TABLE);
    expect(typo.stderr).toMatch(/kranz outbox: unknown subcommand "lst"; did you mean "list"\?/);
  });
});

describe('kranz manifest --url', () => {
  it('accepts an https URL either way and points every request URL at it', async () => {
    const a = await run(['manifest', '--url', 'https://kranz.acme.io']);
    const b = await run(['manifest', '--url=https://kranz.acme.io']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain('request_url: https://kranz.acme.io/slack/events');
    expect(a.stdout).not.toContain('kranz.example.com');
  });

  it('refuses a missing URL, a missing value and anything but https, printing no manifest', async () => {
    const cases: [string[], RegExp][] = [
      [['manifest'], /--url is required/],
      [['manifest', '--url'], /--url needs a value/],
      [['manifest', '--url', 'http://kranz.acme.io'], /--url must be an https:\/\/ URL \(Slack sends requests only over https\), not "http:\/\/kranz.acme.io"/],
      [['manifest', '--url', 'kranz.acme.io'], /"kranz.acme.io" is not a URL/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('kranz manifest --socket-mode', () => {
  it('prints the Socket Mode manifest without any URL, and asks for --url only with --web', async () => {
    const r = await run(['manifest', '--socket-mode']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('socket_mode_enabled: true');
    expect(r.stdout).not.toMatch(/request_url|kranz\.example\.com/);
    const web = await run(['manifest', '--socket-mode', '--web', '--url', 'https://kranz.acme.io']);
    expect(web.code).toBe(0);
    expect(web.stdout).toContain('https://kranz.acme.io/auth/slack/callback');
    expect(web.stdout).not.toContain('request_url');
  });
});

describe('kranz report <ref>', () => {
  it('reads INC-7, inc-7 and 7 as incident 7, and nothing else', () => {
    expect(['INC-7', 'inc-7', '7', ' 7 '].map(parseIncidentRef)).toEqual([7, 7, 7, 7]);
    expect(['INC-', 'seven', '0', '-7', '7.5', 'INC-7x'].map(parseIncidentRef)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('kranz list table', () => {
  it('shows status, severity, age and when the next update is due (or overdue), newest first as given', () => {
    const now = Date.parse('2026-03-10T14:30:00Z');
    const table = formatIncidentTable([
      { number: 12, title: 'Checkout is failing', severity: 'SEV1', status: 'investigating', declaredAt: '2026-03-10T14:18:00Z', nextUpdateDueAt: '2026-03-10T14:26:00Z' },
      { number: 11, title: 'Search is slow', severity: 'SEV3', status: 'monitoring', declaredAt: '2026-03-10T11:15:00Z', nextUpdateDueAt: '2026-03-10T15:00:00Z' },
      { number: 9, title: 'Old one', severity: 'SEV2', status: 'closed', declaredAt: '2026-03-07T10:30:00Z', nextUpdateDueAt: '2026-03-07T11:00:00Z' },
    ], now);
    expect(table.split('\n')).toEqual([
      'INCIDENT  SEVERITY  STATUS         AGE     NEXT UPDATE  TITLE',
      'INC-12    SEV1      investigating  12m     overdue 4m   Checkout is failing',
      'INC-11    SEV3      monitoring     3h 15m  in 30m       Search is slow',
      'INC-9     SEV2      closed         3d 4h   -            Old one',
    ]);
    expect([45_000, 60_000, 3_600_000 + 5 * 60_000].map(shortDuration)).toEqual(['45s', '1m', '1h 05m']);
  });
});
