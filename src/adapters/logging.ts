/**
 * Kranz's logs. The service writes pino JSON lines to stdout, for log
 * shippers; one-shot commands (migrate, report, list, …) write their logs to
 * stderr so stdout carries only their result, as plain sentences a person
 * reads (`kranz: warning: …`) unless LOG_FORMAT asks for json or pretty.
 * The service's logs are pretty-printed (pino-pretty) on a terminal unless
 * LOG_FORMAT=json. Libraries that bring
 * their own logger (Slack's WebClient and Bolt) are handed a pino-backed one
 * (adapters/slack/logger.ts), so every line they write is a pino line too.
 */
import { writeSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { redactPaths } from '../config/env.ts';

/** `plain`: one sentence per record, for one-shot commands read by a person. */
export type LogFormat = 'json' | 'pretty' | 'plain';

export interface LoggerOptions {
  level: string;
  /** `stdout` for the service, `stderr` for one-shot commands. Default stdout. */
  to?: 'stdout' | 'stderr';
  /** Forced format; by default pretty on a terminal, else JSON. */
  format?: LogFormat;
}

/**
 * The logger of a one-shot command (`report`, `list`, `migrate`, `outbox`, …):
 * on stderr, so stdout is the result alone, and in plain sentences unless
 * LOG_FORMAT asks for json (a log shipper) or pretty. At the default level
 * only warnings and errors: what a command's reader needs to know.
 */
export function createCommandLogger(level: string, quietDefault = true): Logger {
  const requested = process.env['LOG_FORMAT']?.trim().toLowerCase();
  const format: LogFormat = requested === 'json' || requested === 'pretty' ? requested : 'plain';
  return createLogger({ level: quietDefault && level === 'info' ? 'warn' : level, to: 'stderr', format });
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
  if (format === 'plain') return pino(options, { write: (line: string) => void writeSync(fd, plainLine(line)) });
  if (format === 'pretty') {
    return pino(options, pretty({ destination: fd, sync: true, colorize: Boolean(stream.isTTY), translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return pino(options, pino.destination({ fd, sync: fd === 2 }));
}

const LEVEL_WORDS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: '', 40: 'warning', 50: 'error', 60: 'fatal' };
/** Fields every record has; the sentence leaves them out. */
const ROUTINE = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

/** One pino JSON record as `kranz: warning: message (key value, …)`. */
export function plainLine(json: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return `kranz: ${json.trim()}\n`;
  }
  const word = LEVEL_WORDS[Number(rec['level'])] ?? '';
  const details = Object.entries(rec)
    .filter(([k, v]) => !ROUTINE.has(k) && v !== undefined && v !== null)
    .map(([k, v]) => `${k} ${detail(v)}`);
  return `kranz: ${word ? `${word}: ` : ''}${String(rec['msg'] ?? '')}${details.length ? ` (${details.join(', ')})` : ''}\n`;
}

function detail(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'message' in v) return String((v as { message: unknown }).message);
  return JSON.stringify(v);
}
