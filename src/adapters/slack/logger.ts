/**
 * The logger handed to Slack's WebClient and Bolt: every line they write goes
 * through Kranz's pino logger (JSON, redacted), never as `[WARN] web-api:…`
 * text on stderr.
 */
import { LogLevel, type Logger } from '@slack/web-api';
import type { Logger as PinoLogger } from 'pino';

/**
 * A Slack-library logger writing through pino. Their level setting is
 * ignored: pino's level (LOG_LEVEL) decides, so nothing bypasses it.
 */
export function slackLogger(log: Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error'>, component = 'slack'): Logger {
  let level = LogLevel.INFO;
  let name = component;
  const text = (m: unknown[]): string => m.map((x) => (x instanceof Error ? x.message : typeof x === 'string' ? x : JSON.stringify(x))).join(' ');
  return {
    debug: (...m) => log.debug({ component: name }, text(m)),
    info: (...m) => log.info({ component: name }, text(m)),
    warn: (...m) => log.warn({ component: name }, text(m)),
    error: (...m) => log.error({ component: name }, text(m)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: (n) => {
      name = `${component}:${n}`;
    },
  };
}
