/**
 * The one way the web view writes HTML: hono's `html` tagged template, which
 * escapes every interpolated value (`& < > " '`) unless it is itself a
 * template result or explicitly marked with `trusted`. Arrays are joined,
 * `undefined`, `null` and booleans render as nothing.
 */
import { html as honoHtml, raw } from 'hono/html';

/** Escaped HTML: what templates return and accept without escaping again. */
export type Html = ReturnType<typeof raw>;

/** The template tag. Values are escaped; nested `html` results are kept as they are. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const out = honoHtml(strings, ...values);
  // Only promises make hono's result asynchronous, and no view interpolates one.
  if (out instanceof Promise) throw new Error('html: a template was given a promise; await it before rendering');
  return out;
}

/**
 * Marks text as HTML that is already safe: only for markup Kranz made itself
 * (rendered Markdown with raw HTML disabled, SVG from the charting library).
 * Never for anything a person or another system wrote.
 */
export function trusted(markup: string): Html {
  return raw(markup);
}
