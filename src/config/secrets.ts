/**
 * What must never reach a log or an error message: the secret variables, and
 * the pino `redact` paths that keep them (and signature headers) out of logs.
 */

/** Variables whose values must never reach a log or an error message. */
export const SECRET_ENV_KEYS = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'DATABASE_URL',
  'PAGERDUTY_TOKEN',
  'PAGERDUTY_WEBHOOK_SECRETS',
  'SLACK_CLIENT_SECRET',
  'KRANZ_SESSION_SECRET',
  'STATUSPAGE_API_KEY',
  'SMTP_URL',
] as const;

const SECRET_FIELDS = ['token', 'botToken', 'signingSecret', 'appToken', 'webhookSecrets', 'databaseUrl', 'password', 'clientSecret', 'sessionSecret', 'apiKey', 'smtpUrl'];
const SIGNATURE_HEADERS = ['authorization', 'cookie', '["x-slack-signature"]', '["x-pagerduty-signature"]'];

/**
 * pino `redact` paths. Each secret field is covered at the top level, one and
 * two levels down, so both `log.info(env.slack)` and `log.info({ env })` are safe.
 */
export const redactPaths: readonly string[] = [
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
  ...['headers', 'req.headers', '*.headers'].flatMap((h) => SIGNATURE_HEADERS.map((s) => (s.startsWith('[') ? `${h}${s}` : `${h}.${s}`))),
  ...SECRET_ENV_KEYS.flatMap((k) => [k, `env.${k}`]),
  'policy.pagerduty.legacyV2.token',
];
