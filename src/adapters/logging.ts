/**
 * Kranz's logs. The service writes pino JSON lines to stdout, for log
 * shippers; one-shot commands (migrate, report, list, …) write their logs to
 * stderr so stdout carries only their result. On a terminal, logs are
 * pretty-printed (pino-pretty) unless LOG_FORMAT=json. Libraries that bring
 * their own logger (Slack's WebClient and Bolt) are handed a pino-backed one
 * (adapters/slack/logger.ts), so every line they write is a pino line too.
 */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { redactPaths } from '../config/env.ts';

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  level: string;
  /** `stdout` for the service, `stderr` for one-shot commands. Default stdout. */
  to?: 'stdout' | 'stderr';
  /** Forced format; by default pretty on a terminal, else JSON. */
  format?: LogFormat;
}

/** The format LOG_FORMAT asks for, or what suits the stream: pretty on a TTY, JSON elsewhere. */
export function chooseLogFormat(requested: string | undefined, isTty: boolean): LogFormat {
  const r = requested?.trim().toLowerCase();
  if (r === 'json' || r === 'pretty') return r;
  return isTty ? 'pretty' : 'json';
}

export function createLogger(o: LoggerOptions): Logger {
  const fd = o.to === 'stderr' ? 2 : 1;
  const stream = fd === 2 ? process.stderr : process.stdout;
  const format = o.format ?? chooseLogFormat(process.env['LOG_FORMAT'], Boolean(stream.isTTY));
  const options = { level: o.level, redact: { paths: [...redactPaths], censor: '[redacted]' } };
  if (format === 'pretty') {
    return pino(options, pretty({ destination: fd, sync: true, colorize: Boolean(stream.isTTY), translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return pino(options, pino.destination({ fd, sync: fd === 2 }));
}
