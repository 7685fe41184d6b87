/**
 * Text as PostgreSQL can keep it. A `text` or `jsonb` value refuses NUL, and
 * `jsonb` refuses an escaped lone surrogate (half of an emoji cut in two):
 * a request carrying either used to be acknowledged and then fail every
 * attempt to apply it. Both are removed from parsed request text before
 * anything is stored; nothing a person typed on purpose is lost.
 */

/** NUL, or a high surrogate not followed by a low one, or a low one not preceded by a high one. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The string without NUL characters and lone surrogates (unchanged, and not copied, when it has none). */
export function cleanText(s: string): string {
  UNSTORABLE.lastIndex = 0;
  return UNSTORABLE.test(s) ? s.replace(UNSTORABLE, '') : s;
}

/** Every string in a parsed JSON value (keys included) passed through {@link cleanText}. */
export function cleanStrings<T>(value: T): T {
  return clean(value) as T;
}

/**
 * `JSON.parse` with every string cleaned. Parsed strings can only hold a NUL
 * or a lone surrogate that the text holds itself or writes as a `\u`
 * escape, so text with neither (nearly every request) is parsed without
 * walking and copying the whole value again. Throws as `JSON.parse` does.
 */
export function parseJsonClean(text: string): unknown {
  UNSTORABLE.lastIndex = 0;
  if (!text.includes('\\u') && !UNSTORABLE.test(text)) return JSON.parse(text) as unknown;
  return clean(JSON.parse(text) as unknown);
}

function clean(v: unknown): unknown {
  if (typeof v === 'string') return cleanText(v);
  if (Array.isArray(v)) return v.map(clean);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[cleanText(k)] = clean(x);
    return out;
  }
  return v;
}
