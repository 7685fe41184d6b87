/**
 * Markdown escaping for user-written text (titles, notes, status updates,
 * root causes). A report is structure: a note that starts with `#` or holds a
 * newline must not open a heading, a list or a table row in it.
 */

// Characters that open emphasis, code, links, HTML, tables or strikethrough anywhere in a line.
const INLINE_SPECIAL = /[\\`*_[\]<>|~]|&(?=#?[a-zA-Z0-9]+;)/g;
// Any line break, with the spaces around it.
const LINE_BREAKS = /[ \t]*(?:\r\n|[\r\n\u2028\u2029\u0085\v\f])\s*/g;
// C0 controls other than tab and line breaks, and DEL: invisible and unsafe in a file.
const CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f]/g;
const SPACES = /[ \t\u00a0]{2,}/g;
// Block markers only mean something at the start of a line (or of a list item's content).
const LEADING_MARKER = /^([#>+=-])/;
const LEADING_ORDINAL = /^(\d{1,9})([.)])/;

/** How a line break inside inline text is shown once flattened. */
export const FLATTENED_BREAK = ' / ';

function truncate(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text;
  // Cut on code points so a surrogate pair is never split.
  const points = Array.from(text);
  if (points.length <= max) return text;
  const cut = points.slice(0, max - 1).join('');
  // Prefer ending on a word boundary when one is near, so the quote does not end mid-word.
  const space = cut.lastIndexOf(' ');
  return `${(space > 0 && space > cut.length - 30 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function flatten(text: string, max: number | undefined): string {
  return truncate(text.replace(CONTROLS, '').replace(LINE_BREAKS, FLATTENED_BREAK).replace(SPACES, ' ').trim(), max);
}

const escapeSpecials = (text: string): string => text.replace(INLINE_SPECIAL, (c) => `\\${c}`);

function escapeLine(line: string): string {
  return escapeSpecials(line).replace(LEADING_MARKER, '\\$1').replace(LEADING_ORDINAL, '$1\\$2');
}

/**
 * Escapes text for use inside one line: line breaks become ` / `, runs of
 * spaces collapse, and every character that could start Markdown structure is
 * backslash-escaped. `max` caps the length (in code points, before escaping).
 */
export function escapeInline(text: string, max?: number): string {
  // Most text needs nothing: one scan instead of six regex passes keeps 100k-line timelines fast.
  if (isPlain(text, max)) return text;
  return escapeLine(flatten(text, max));
}

// Anything the slow path would change: specials, controls, breaks, odd spaces, doubled spaces.
const NOT_PLAIN = /[\\`*_[\]<>|~&\u0000-\u001f\u007f\u0085\u00a0\u2028\u2029]| {2}/;

function isPlain(text: string, max: number | undefined): boolean {
  if (text.length === 0 || (max !== undefined && text.length > max)) return text.length === 0;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  // Leading digits, block markers and edge spaces go the slow way.
  if ((first >= 48 && first <= 57) || first === 35 || first === 62 || first === 43 || first === 61 || first === 45 || first === 32 || last === 32) return false;
  return !NOT_PLAIN.test(text);
}

/**
 * Escapes multi-line text as one or more paragraphs: blank lines separate
 * paragraphs, other line breaks are kept as soft breaks, indentation is
 * dropped (it would make a code block) and each line is escaped.
 */
export function escapeBlock(text: string): string {
  const paragraphs: string[] = [];
  let current: string[] = [];
  for (const raw of text.replace(CONTROLS, '').split(/\r\n|[\r\n\u2028\u2029\u0085\v\f]/)) {
    const line = raw.replace(SPACES, ' ').trim();
    if (line) {
      current.push(escapeLine(line));
    } else if (current.length) {
      paragraphs.push(current.join('\n'));
      current = [];
    }
  }
  if (current.length) paragraphs.push(current.join('\n'));
  return paragraphs.join('\n\n');
}

/** User text in quotes, on one line. */
export function quote(text: string, max?: number): string {
  return `"${escapeInline(text, max)}"`;
}

/** A link target we are willing to emit: http(s) only, no spaces, brackets encoded. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url || !/^https?:\/\/[^\s<>"]+$/i.test(url)) return undefined;
  return url.replace(/\(/g, '%28').replace(/\)/g, '%29');
}

/** `[label](url)` when the URL is safe, else the escaped label alone. */
export function link(label: string, url: string | undefined): string {
  const target = safeUrl(url);
  // Inside brackets a leading `#` or `1.` cannot open a block, so only inline specials need escaping.
  const text = escapeSpecials(flatten(label, undefined));
  return target ? `[${text}](${target})` : text;
}

/** A code span for machine identifiers (event ids); backticks and breaks are dropped. */
export function codeSpan(text: string): string {
  return `\`${text.replace(/[`\r\n]/g, '')}\``;
}
