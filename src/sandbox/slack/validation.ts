import { METHOD_SPECS } from './method-specs.ts';

/** Arguments of a Web API call, as decoded from form or JSON. */
export type Args = Record<string, unknown>;

/**
 * A Slack platform error: the server answers `{ ok: false, error: code }`
 * with HTTP 200, plus any `extra` fields (e.g. `response_metadata`).
 */
export class SlackMethodError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
    this.name = 'SlackMethodError';
  }
}

/** `invalid_arguments` with Slack's `[ERROR] …` explanation lines. */
export function invalidArguments(...messages: string[]): SlackMethodError {
  return new SlackMethodError('invalid_arguments', { response_metadata: { messages } });
}

/**
 * Slack tells "you did not pass it" from "what you passed names nothing": an
 * absent required argument is `invalid_arguments` (or `missing_argument`
 * where the method documents that), while a present but empty or unknown value
 * gets the lookup error (`channel_not_found`, …) from the method itself.
 */
export function checkRequired(method: string, args: Args): void {
  const spec = METHOD_SPECS[method];
  if (!spec) return;
  const missing = spec.required.filter((name) => args[name] === undefined || args[name] === null);
  if (missing.length === 0) return;
  if (spec.errors.includes('missing_argument')) throw new SlackMethodError('missing_argument');
  throw invalidArguments(...missing.map((m) => `[ERROR] missing required field: ${m}`));
}

/** A string argument; numbers are accepted as form fields turn them into strings anyway. */
export function str(args: Args, key: string): string | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw invalidArguments(`[ERROR] ${key} must be a string`);
}

/** A boolean argument given as `true`, `"true"` or `"1"`. */
export function bool(args: Args, key: string): boolean | undefined {
  const v = args[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1' || v === 1) return true;
  if (v === 'false' || v === '0' || v === 0) return false;
  throw invalidArguments(`[ERROR] ${key} must be a boolean`);
}

/** An integer argument; `code` is the error for a value that is not one. */
export function int(args: Args, key: string, code = 'invalid_arguments'): number | undefined {
  const v = args[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n)) throw new SlackMethodError(code);
  return n;
}

/**
 * A JSON argument: WebClient sends objects as JSON strings inside form fields,
 * JSON bodies carry them as they are.
 */
export function json(args: Args, key: string, code: string): unknown {
  const v = args[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    throw new SlackMethodError(code);
  }
}

/** A list argument: comma-separated string or array. */
export function list(args: Args, key: string): string[] | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  const items = Array.isArray(v) ? v.map(String) : String(v).split(',');
  return items.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Cursor pagination as Slack does it: opaque cursor, `limit` default 100, max 1000. */
export function paginate<T>(items: T[], args: Args): { page: T[]; nextCursor: string } {
  const limit = Math.min(Math.max(int(args, 'limit', 'invalid_limit') ?? 100, 1), 1000);
  const cursor = str(args, 'cursor');
  let offset = 0;
  if (cursor) {
    const decoded = Buffer.from(cursor, 'base64').toString('utf8');
    const m = /^offset:(\d+)$/.exec(decoded);
    if (!m?.[1]) throw new SlackMethodError('invalid_cursor');
    offset = Number(m[1]);
  }
  const page = items.slice(offset, offset + limit);
  const more = offset + limit < items.length;
  return { page, nextCursor: more ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '' };
}

/** Channel names: lowercase letters, digits, hyphens, underscores; at most 80. */
export function channelNameError(name: string): string | undefined {
  if (name.length === 0) return 'invalid_name_required';
  if ([...name].length > 80) return 'invalid_name_maxlength';
  if (!/^[a-z0-9_-]+$/.test(name)) return 'invalid_name_specials';
  if (/^[-_]+$/.test(name)) return 'invalid_name_punctuation';
  return undefined;
}

/** Slack refuses message text longer than this. */
export const MAX_MESSAGE_TEXT = 40_000;

/** Slack's limit on channel topics and purposes. */
export const MAX_TOPIC_LENGTH = 250;
