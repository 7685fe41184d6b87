/**
 * Coded errors for the database adapter.
 *
 * Codes are namespaced strings: `KRANZ_*` for refusals Kranz raises on purpose
 * (empty database, tampered migration, ...), `PG_<SQLSTATE>` for errors the
 * PostgreSQL server reported, `NODE_<code>` for system errors such as
 * `ECONNREFUSED`, and `KRANZ_UNEXPECTED` for anything else.
 */

/** Extra, structured facts about an error; logged as-is, so never put secrets here. */
export type ErrorDetails = Record<string, unknown>;

/** An error with a stable, namespaced `code` that operators and tests can match on. */
export class KranzError extends Error {
  /** Namespaced code, e.g. `KRANZ_EMPTY_DATABASE` or `PG_23505`. */
  readonly code: string;
  /** Structured context (file names, ids, redacted URLs, ...). */
  readonly details: ErrorDetails;
  /** The five-character PostgreSQL SQLSTATE when the error came from the server. */
  readonly sqlState: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { details?: ErrorDetails; cause?: unknown; sqlState?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KranzError';
    this.code = code;
    this.details = options.details ?? {};
    this.sqlState = options.sqlState;
  }
}

/** True when `err` is a {@link KranzError}, optionally with the given code. */
export function isKranzError(err: unknown, code?: string): err is KranzError {
  return err instanceof KranzError && (code === undefined || err.code === code);
}

// pg's DatabaseError carries `severity` next to a five-character `code`; a bare
// `code` alone is not enough, because Node system errors have one too.
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The SQLSTATE of a PostgreSQL server error (also through a {@link KranzError}), if any. */
export function sqlStateOf(err: unknown): string | undefined {
  if (err instanceof KranzError) return err.sqlState;
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, severity } = err as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && SQLSTATE.test(code) && typeof severity === 'string' ? code : undefined;
}

/**
 * Turns anything thrown into a {@link KranzError} without losing facts:
 * a `KranzError` is returned unchanged; a PostgreSQL error becomes
 * `PG_<SQLSTATE>` with `sqlState` set and the server's table/constraint/detail
 * kept in `details`; a Node system error becomes `NODE_<code>`. The original
 * is kept as `cause`.
 */
export function coerceError(err: unknown): KranzError {
  if (err instanceof KranzError) return err;
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : safeString(err);
  const sqlState = sqlStateOf(err);
  if (sqlState !== undefined) {
    const e = err as Record<string, unknown>;
    const details: ErrorDetails = { sqlState };
    for (const key of ['severity', 'detail', 'hint', 'schema', 'table', 'column', 'constraint', 'routine']) {
      if (e[key] !== undefined) details[key] = e[key];
    }
    return new KranzError(`PG_${sqlState}`, message, { details, cause: err, sqlState });
  }
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code)) {
    return new KranzError(`NODE_${code}`, message, { details: { code }, cause: err });
  }
  return new KranzError('KRANZ_UNEXPECTED', message, { cause: err });
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
