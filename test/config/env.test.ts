import { isAbsolute, resolve } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SECRET_ENV_KEYS, loadEnv, redactPaths, requireForStart, unknownKranzVariables } from '../../src/config/env.ts';
import type { EnvConfig } from '../../src/config/env.ts';

function configOf(env: Record<string, string>): EnvConfig {
  const r = loadEnv(env);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}

function errorsOf(env: Record<string, string>): string[] {
  const r = loadEnv(env);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.errors;
}

describe('loadEnv', () => {
  it('fills in defaults when nothing is set', () => {
    expect(configOf({})).toEqual({
      slack: { apiUrl: 'https://slack.com/api/', socketMode: false },
      dataDir: resolve('.kranz'),
      port: 3000,
      pagerduty: { apiUrl: 'https://api.pagerduty.com', webhookSecrets: [] },
      statuspage: { apiUrl: 'https://api.statuspage.io/v1' },
      email: {},
      logLevel: 'info',
      tickSeconds: 5,
    });
  });

  it('reads every variable', () => {
    const c = configOf({
      SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
      SLACK_SIGNING_SECRET: 'shh',
      SLACK_APP_TOKEN: 'xapp-1-A-abc',
      SLACK_API_URL: 'http://localhost:4010/api',
      DATABASE_URL: 'postgresql://kranz:pw@db:5432/kranz',
      KRANZ_DATA_DIR: '/var/lib/kranz',
      PORT: '8080',
      PAGERDUTY_TOKEN: 'pd-token',
      PAGERDUTY_API_URL: 'http://localhost:4020/',
      PAGERDUTY_WEBHOOK_SECRETS: 'one',
      PAGERDUTY_FROM_EMAIL: 'oncall@example.com',
      STATUSPAGE_API_KEY: 'sp-key',
      STATUSPAGE_API_URL: 'http://localhost:4030/v1/',
      SMTP_URL: 'smtps://mailer:pw@smtp.example.com:465',
      KRANZ_MAIL_FROM: 'Example Status <status@example.com>',
      KRANZ_CONFIG: 'kranz.yml',
      LOG_LEVEL: 'DEBUG',
      KRANZ_TICK_SECONDS: '0.5',
    });
    expect(c).toEqual({
      slack: { botToken: 'xoxb-1-2-abc', signingSecret: 'shh', appToken: 'xapp-1-A-abc', apiUrl: 'http://localhost:4010/api/', socketMode: true },
      databaseUrl: 'postgresql://kranz:pw@db:5432/kranz',
      dataDir: '/var/lib/kranz',
      port: 8080,
      pagerduty: { token: 'pd-token', apiUrl: 'http://localhost:4020', webhookSecrets: ['one'], fromEmail: 'oncall@example.com' },
      statuspage: { apiKey: 'sp-key', apiUrl: 'http://localhost:4030/v1' },
      email: { smtpUrl: 'smtps://mailer:pw@smtp.example.com:465', from: 'Example Status <status@example.com>' },
      configPath: 'kranz.yml',
      logLevel: 'debug',
      tickSeconds: 0.5,
    });
  });

  it('checks the status page and mail variables, naming each and never echoing the SMTP URL', () => {
    expect(errorsOf({ STATUSPAGE_API_URL: 'ftp://x' })).toEqual(['STATUSPAGE_API_URL: must be an http(s) URL, not "ftp://x" (e.g. https://api.statuspage.io/v1/)']);
    const smtp = errorsOf({ SMTP_URL: 'http://user:secretpw@mail.example.com', KRANZ_MAIL_FROM: 'a@b.example' });
    expect(smtp).toEqual(['SMTP_URL: must be an smtp:// or smtps:// URL (e.g. smtps://user:password@smtp.example.com:465)']);
    expect(smtp.join('')).not.toContain('secretpw');
    expect(errorsOf({ KRANZ_MAIL_FROM: 'not an address' })[0]).toMatch(/^KRANZ_MAIL_FROM: must be an email address or "Name <address>"/);
    expect(errorsOf({ KRANZ_MAIL_FROM: 'Evil\r\nBcc: x@y.z <a@b.example>' })[0]).toMatch(/^KRANZ_MAIL_FROM: /);
    expect(errorsOf({ SMTP_URL: 'smtp://localhost:2525' })).toEqual([expect.stringMatching(/^KRANZ_MAIL_FROM: must be set when SMTP_URL is set/)]);
    expect(configOf({ SMTP_URL: 'smtp://localhost:2525', KRANZ_MAIL_FROM: 'status@example.com' }).email).toEqual({ smtpUrl: 'smtp://localhost:2525', from: 'status@example.com' });
  });

  it('splits webhook secrets on commas, trimming and dropping empties', () => {
    expect(configOf({ PAGERDUTY_WEBHOOK_SECRETS: ' old-secret , ,new-secret,, ' }).pagerduty.webhookSecrets).toEqual(['old-secret', 'new-secret']);
  });

  it('treats empty values as unset', () => {
    const c = configOf({ PORT: '', SLACK_BOT_TOKEN: '  ', DATABASE_URL: '' });
    expect(c.port).toBe(3000);
    expect(c.slack.botToken).toBeUndefined();
    expect(c.databaseUrl).toBeUndefined();
  });

  it('resolves a relative data dir to an absolute path', () => {
    const dir = configOf({ KRANZ_DATA_DIR: 'data/kranz' }).dataDir;
    expect(isAbsolute(dir)).toBe(true);
    expect(dir).toBe(resolve('data/kranz'));
  });

  it.each(['0', '65536', 'abc', '80.5', '-1'])('rejects PORT=%s, naming the variable', (port) => {
    expect(errorsOf({ PORT: port })).toEqual([`PORT: must be a whole number from 1 to 65535, not "${port}"`]);
  });

  it('rejects bad URLs', () => {
    const errors = errorsOf({ SLACK_API_URL: 'slack.com/api', PAGERDUTY_API_URL: 'ftp://pd.example', DATABASE_URL: 'mysql://db/kranz' });
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/^SLACK_API_URL: must be an http\(s\) URL, not "slack.com\/api"/);
    expect(errors[1]).toMatch(/^DATABASE_URL: scheme "mysql:" is not PostgreSQL; use postgres:\/\/ or postgresql:\/\//);
    expect(errors[2]).toMatch(/^PAGERDUTY_API_URL: must be an http\(s\) URL/);
  });

  it.each([
    ['mysql://u:hunter2@db:3306/kranz', 'DATABASE_URL: scheme "mysql:" is not PostgreSQL; use postgres:// or postgresql:// (postgres://user:password@host:5432/kranz)'],
    ['postgres://u:hunter2@db:99999/kranz', 'DATABASE_URL: port 99999 is out of range; expected 1 to 65535 (PostgreSQL\'s default is 5432)'],
    ['postgres://u:hunter2@db:0/kranz', 'DATABASE_URL: port 0 is out of range; expected 1 to 65535 (PostgreSQL\'s default is 5432)'],
    ['postgres://u:hunter2@db:54x2/kranz', 'DATABASE_URL: port "54x2" is not a number; expected 1 to 65535 (PostgreSQL\'s default is 5432)'],
    ['postgres://u:hunter2@/kranz', 'DATABASE_URL: names no host; expected postgres://user:password@host:5432/kranz (a Unix socket: postgres:///kranz?host=/var/run/postgresql)'],
    ['postgres://u:hunter2@db_1!x:5432/kranz', 'DATABASE_URL: host "db_1!x" is not a valid host name'],
    ['db.internal:5432', 'DATABASE_URL: is not a URL; expected postgres://user:password@host:5432/kranz (or leave it unset to use the embedded database)'],
  ])('names the wrong part of DATABASE_URL=%s, never its password', (url, message) => {
    const errors = errorsOf({ DATABASE_URL: url });
    expect(errors).toEqual([message]);
    expect(errors[0]).not.toContain('hunter2');
  });

  it.each(['postgres://u:p@db:5432/kranz', 'postgresql://db/kranz', 'postgres:///kranz?host=/var/run/postgresql', 'postgres://u:p@[::1]:5432/kranz'])('accepts DATABASE_URL=%s', (url) => {
    expect(configOf({ DATABASE_URL: url }).databaseUrl).toBe(url);
  });

  it('rejects tokens with the wrong prefix without echoing them', () => {
    const errors = errorsOf({ SLACK_BOT_TOKEN: 'xoxp-user-token-secret', SLACK_APP_TOKEN: 'xoxb-bot-token-secret' });
    expect(errors).toEqual([
      'SLACK_BOT_TOKEN: must be a bot token starting with "xoxb-" (this one starts with "xoxp-")',
      'SLACK_APP_TOKEN: must be an app-level token starting with "xapp-" (this one starts with "xoxb-")',
    ]);
    expect(errors.join('\n')).not.toContain('secret');
  });

  it('reports every problem at once', () => {
    const errors = errorsOf({ PORT: 'x', LOG_LEVEL: 'loud', KRANZ_TICK_SECONDS: '0', PAGERDUTY_FROM_EMAIL: 'oncall', SLACK_BOT_TOKEN: 'nope' });
    expect(errors.map((e) => e.split(':')[0])).toEqual(['SLACK_BOT_TOKEN', 'PORT', 'PAGERDUTY_FROM_EMAIL', 'LOG_LEVEL', 'KRANZ_TICK_SECONDS']);
    expect(errors).toContain('LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, not "loud"');
  });
});

describe('requireForStart', () => {
  it('is satisfied by a bot token and signing secret (HTTP)', () => {
    expect(requireForStart(configOf({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }))).toEqual([]);
  });

  it('is satisfied by a bot token and app token (Socket Mode, no signing secret)', () => {
    const c = configOf({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' });
    expect(c.slack.socketMode).toBe(true);
    expect(requireForStart(c)).toEqual([]);
  });

  it('names each missing variable', () => {
    const missing = requireForStart(configOf({}));
    expect(missing).toHaveLength(2);
    expect(missing[0]).toMatch(/^SLACK_BOT_TOKEN is not set/);
    expect(missing[1]).toMatch(/^SLACK_SIGNING_SECRET is not set.*SLACK_APP_TOKEN/);
  });
});

describe('unknownKranzVariables', () => {
  it('flags KRANZ_* typos with a suggestion and ignores other variables', () => {
    expect(unknownKranzVariables({ KRANZ_TICK_SECOND: '1', KRANZ_CONFIG: 'k.yml', HOME: '/root', KRANZ_WHATEVER: 'x' })).toEqual([
      'KRANZ_TICK_SECOND is not a Kranz setting (did you mean "KRANZ_TICK_SECONDS"?); it is ignored',
      'KRANZ_WHATEVER is not a Kranz setting; it is ignored',
    ]);
  });
});

describe('redactPaths', () => {
  it('keeps secrets out of pino output, however the config is logged', () => {
    const lines: string[] = [];
    const log = pino({ redact: { paths: [...redactPaths], censor: '[redacted]' } }, { write: (s: string) => void lines.push(s) });
    const env = configOf({
      SLACK_BOT_TOKEN: 'xoxb-SECRET1',
      SLACK_SIGNING_SECRET: 'SECRET2',
      SLACK_APP_TOKEN: 'xapp-SECRET3',
      DATABASE_URL: 'postgres://u:SECRET4@db/kranz',
      PAGERDUTY_TOKEN: 'SECRET5',
      PAGERDUTY_WEBHOOK_SECRETS: 'SECRET6',
    });
    log.info(env, 'flat');
    log.info({ env }, 'nested');
    log.info({ env: { SLACK_BOT_TOKEN: 'xoxb-SECRET7' } }, 'raw env');
    log.info({ headers: { authorization: 'Token SECRET8', 'x-slack-signature': 'v0=SECRET9', 'x-pagerduty-signature': 'v1=SECRET10' } }, 'request');
    log.info({ req: { headers: { authorization: 'Bearer SECRET11' } } }, 'http');
    expect(lines).toHaveLength(5);
    expect(lines.join('')).not.toMatch(/SECRET/);
    expect(lines.join('')).toContain('[redacted]');
    // Non-secret settings stay readable.
    expect(lines[0]).toContain('https://slack.com/api/');
  });

  it('covers every secret variable', () => {
    for (const key of SECRET_ENV_KEYS) expect(redactPaths).toContain(`env.${key}`);
  });
});
