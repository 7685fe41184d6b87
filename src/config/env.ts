/**
 * Environment variables: secrets and deployment settings (the policy lives in
 * the YAML). Validated all at once so a broken deploy shows every mistake in
 * one go, each naming its variable. Secret values are never echoed back.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { didYouMean } from './suggest.ts';
import { databaseUrlProblem } from './database-url.ts';
import { WEB_VIEW_ENV_KEYS, type WebViewSettings } from './web-view.ts';

/** pino's levels. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The validated environment. */
export interface EnvConfig {
  slack: {
    botToken?: string;
    signingSecret?: string;
    appToken?: string;
    /** Always ends with `/`. */
    apiUrl: string;
    /** True when `SLACK_APP_TOKEN` is set: Kranz connects out instead of receiving HTTP. */
    socketMode: boolean;
  };
  /** Unset → the embedded PostgreSQL in `dataDir`. */
  databaseUrl?: string;
  /** Absolute. */
  dataDir: string;
  port: number;
  pagerduty: {
    token?: string;
    /** No trailing `/`. */
    apiUrl: string;
    webhookSecrets: string[];
    /** `From` header on PagerDuty writes. */
    fromEmail?: string;
  };
  statuspage: {
    apiKey?: string;
    /** No trailing `/`, e.g. `https://api.statuspage.io/v1`. */
    apiUrl: string;
  };
  email: {
    /** `smtp://` or `smtps://` URL with credentials; unset → no email. */
    smtpUrl?: string;
    /** The From of customer emails: `ops@example.com` or `Example Status <ops@example.com>`. */
    from?: string;
  };
  /** Path to the policy YAML, as given. */
  configPath?: string;
  logLevel: LogLevel;
  tickSeconds: number;
  /** The web view's settings as given; it is on only when all four are set (see `webViewSettings`). */
  web?: Partial<WebViewSettings>;
}

export { WEB_VIEW_ENV_KEYS, webViewSettings, type WebViewSettings } from './web-view.ts';

/** `loadEnv`'s answer: the config, or every problem as `VARIABLE: what is wrong`. */
export type EnvResult = { ok: true; value: EnvConfig } | { ok: false; errors: string[] };

/** Every variable Kranz reads. */
export const ENV_KEYS = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'SLACK_API_URL',
  'DATABASE_URL',
  'KRANZ_DATA_DIR',
  'PORT',
  'PAGERDUTY_TOKEN',
  'PAGERDUTY_API_URL',
  'PAGERDUTY_WEBHOOK_SECRETS',
  'PAGERDUTY_FROM_EMAIL',
  'STATUSPAGE_API_KEY',
  'STATUSPAGE_API_URL',
  'SMTP_URL',
  'KRANZ_MAIL_FROM',
  'KRANZ_CONFIG',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'KRANZ_TICK_SECONDS',
  ...WEB_VIEW_ENV_KEYS,
] as const;

export { SECRET_ENV_KEYS, redactPaths } from './secrets.ts';

// Secrets are described, never shown: an error message may end up in a log.
function tokenWithPrefix(prefix: string, what: string): z.ZodString {
  return z.string().refine((v) => v.startsWith(prefix), {
    error: (iss) => {
      const seen = /^xox[a-z]-|^xapp-/.exec(String(iss.input))?.[0];
      return `must be ${what} starting with "${prefix}"${seen ? ` (this one starts with "${seen}")` : ''}`;
    },
  });
}

function httpUrl(name: string): z.ZodType<string> {
  return z.string().refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), {
    error: (iss) => `must be an http(s) URL, not ${JSON.stringify(iss.input)} (e.g. ${name})`,
  });
}

/** `a@b.c` or `Display Name <a@b.c>` (no line breaks: it becomes a header). */
const MAIL_FROM = /^(?:[^<>\r\n@]*<[^<>\s@]+@[^<>\s@]+\.[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)$/;

const envSchema = z.object({
  SLACK_BOT_TOKEN: tokenWithPrefix('xoxb-', 'a bot token').optional(),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_APP_TOKEN: tokenWithPrefix('xapp-', 'an app-level token').optional(),
  SLACK_API_URL: httpUrl('https://slack.com/api/')
    .default('https://slack.com/api/')
    .transform((u) => (u.endsWith('/') ? u : `${u}/`)),
  DATABASE_URL: z
    .string()
    .superRefine((v, ctx) => {
      const problem = databaseUrlProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  KRANZ_DATA_DIR: z
    .string()
    .default('./.kranz')
    .transform((p) => resolve(p)),
  PORT: z
    .string()
    .default('3000')
    .refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535, { error: (iss) => `must be a whole number from 1 to 65535, not ${JSON.stringify(iss.input)}` })
    .transform(Number),
  PAGERDUTY_TOKEN: z.string().optional(),
  PAGERDUTY_API_URL: httpUrl('https://api.pagerduty.com')
    .default('https://api.pagerduty.com')
    .transform((u) => u.replace(/\/+$/, '')),
  PAGERDUTY_WEBHOOK_SECRETS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  PAGERDUTY_FROM_EMAIL: z.email({ error: (iss) => `must be an email address (a PagerDuty user's login), not ${JSON.stringify(iss.input)}` }).optional(),
  STATUSPAGE_API_KEY: z.string().optional(),
  STATUSPAGE_API_URL: httpUrl('https://api.statuspage.io/v1/')
    .default('https://api.statuspage.io/v1')
    .transform((u) => u.replace(/\/+$/, '')),
  SMTP_URL: z
    .string()
    .refine((v) => URL.canParse(v) && /^smtps?:$/.test(new URL(v).protocol) && new URL(v).hostname !== '', {
      // The URL carries the password: describe it, never echo it.
      error: 'must be an smtp:// or smtps:// URL (e.g. smtps://user:password@smtp.example.com:465)',
    })
    .optional(),
  KRANZ_MAIL_FROM: z
    .string()
    .refine((v) => MAIL_FROM.test(v), {
      error: (iss) => `must be an email address or "Name <address>" (e.g. "Example Status <status@example.com>"), not ${JSON.stringify(iss.input)}`,
    })
    .optional(),
  KRANZ_CONFIG: z.string().optional(),
  LOG_LEVEL: z
    .string()
    .default('info')
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(LOG_LEVELS, { error: (iss) => `must be one of ${LOG_LEVELS.join(', ')}, not ${JSON.stringify(iss.input)}` })),
  // Read by the logger itself (adapters/logging.ts); validated here so a typo is named.
  LOG_FORMAT: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(['json', 'pretty'], { error: (iss) => `must be json or pretty (unset: pretty on a terminal, JSON otherwise), not ${JSON.stringify(iss.input)}` }))
    .optional(),
  KRANZ_TICK_SECONDS: z
    .string()
    .default('5')
    .refine((v) => /^\d+(\.\d+)?$/.test(v) && Number(v) > 0 && Number(v) <= 3600, {
      error: (iss) => `must be a number of seconds above 0 and at most 3600, not ${JSON.stringify(iss.input)}`,
    })
    .transform(Number),
  SLACK_CLIENT_ID: z.string().optional(),
  SLACK_CLIENT_SECRET: z.string().optional(),
  KRANZ_PUBLIC_URL: httpUrl('https://kranz.example.com')
    .refine((v) => !URL.canParse(v) || (new URL(v).search === '' && new URL(v).hash === ''), { error: 'must be a plain base URL without ?query or #fragment (e.g. https://kranz.example.com)' })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  // Signs session cookies: 32 characters at least, so it cannot be guessed offline from a cookie.
  KRANZ_SESSION_SECRET: z
    .string()
    .refine((v) => v.length >= 32, { error: 'must be at least 32 characters (e.g. the output of `openssl rand -hex 32`); shared by every replica' })
    .optional(),
});

/**
 * Reads and validates Kranz's environment variables. Empty values count as
 * unset (env files often carry `NAME=`). Returns every problem, one per line.
 */
export function loadEnv(env: Readonly<Record<string, string | undefined>> = process.env): EnvResult {
  const input: Record<string, string> = {};
  for (const key of ENV_KEYS) {
    const v = env[key]?.trim();
    if (v) input[key] = v;
  }
  const r = envSchema.safeParse(input);
  if (!r.success) {
    return { ok: false, errors: r.error.issues.map((i) => `${String(i.path[0] ?? 'environment')}: ${i.message}`) };
  }
  const e = r.data;
  if (e.SMTP_URL && !e.KRANZ_MAIL_FROM) {
    return { ok: false, errors: ['KRANZ_MAIL_FROM: must be set when SMTP_URL is set: it is the From address of customer emails (e.g. "Example Status <status@example.com>")'] };
  }
  const opt = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } => (value === undefined ? {} : ({ [key]: value } as { [P in K]?: V }));
  return {
    ok: true,
    value: {
      slack: {
        ...opt('botToken', e.SLACK_BOT_TOKEN),
        ...opt('signingSecret', e.SLACK_SIGNING_SECRET),
        ...opt('appToken', e.SLACK_APP_TOKEN),
        apiUrl: e.SLACK_API_URL,
        socketMode: e.SLACK_APP_TOKEN !== undefined,
      },
      ...opt('databaseUrl', e.DATABASE_URL),
      dataDir: e.KRANZ_DATA_DIR,
      port: e.PORT,
      pagerduty: {
        ...opt('token', e.PAGERDUTY_TOKEN),
        apiUrl: e.PAGERDUTY_API_URL,
        webhookSecrets: e.PAGERDUTY_WEBHOOK_SECRETS,
        ...opt('fromEmail', e.PAGERDUTY_FROM_EMAIL),
      },
      statuspage: { ...opt('apiKey', e.STATUSPAGE_API_KEY), apiUrl: e.STATUSPAGE_API_URL },
      email: { ...opt('smtpUrl', e.SMTP_URL), ...opt('from', e.KRANZ_MAIL_FROM) },
      ...opt('configPath', e.KRANZ_CONFIG),
      logLevel: e.LOG_LEVEL,
      tickSeconds: e.KRANZ_TICK_SECONDS,
      ...(e.SLACK_CLIENT_ID || e.SLACK_CLIENT_SECRET || e.KRANZ_PUBLIC_URL || e.KRANZ_SESSION_SECRET
        ? {
            web: {
              ...opt('clientId', e.SLACK_CLIENT_ID),
              ...opt('clientSecret', e.SLACK_CLIENT_SECRET),
              ...opt('publicUrl', e.KRANZ_PUBLIC_URL),
              ...opt('sessionSecret', e.KRANZ_SESSION_SECRET),
            },
          }
        : {}),
    },
  };
}

/**
 * What `kranz start` still needs, as messages for the operator; empty when it
 * can start. The bot token is always needed; over HTTP the signing secret
 * verifies Slack's requests, in Socket Mode the app token opens the socket.
 */
export function requireForStart(env: EnvConfig): string[] {
  const missing: string[] = [];
  if (!env.slack.botToken) {
    missing.push('SLACK_BOT_TOKEN is not set: kranz start needs the bot token (xoxb-…) from your Slack app\'s "OAuth & Permissions" page.');
  }
  if (!env.slack.socketMode && !env.slack.signingSecret) {
    missing.push(
      'SLACK_SIGNING_SECRET is not set: it verifies requests from Slack (app settings → "Basic Information" → "Signing Secret"). ' +
        'Or set SLACK_APP_TOKEN (xapp-…) to use Socket Mode, which needs no public URL.',
    );
  }
  return missing;
}

/**
 * `KRANZ_*` variables that Kranz does not read: almost always a typo that
 * would otherwise silently leave a default in place.
 */
export function unknownKranzVariables(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const known: readonly string[] = ENV_KEYS;
  return Object.keys(env)
    .filter((k) => k.startsWith('KRANZ_') && !known.includes(k))
    .map((k) => `${k} is not a Kranz setting${didYouMean(k, ENV_KEYS)}; it is ignored`);
}
