/**
 * The slice of a pino logger the database adapter uses. A pino `Logger`
 * satisfies it; tests can pass a recorder.
 */
export interface DbLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
