/**
 * Config problems as values: each names the key path and, when it came from a
 * file, the line and column, so the person fixing it goes straight there.
 */
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';

/** A path into the config, as zod reports it: `['severities', 'SEV1', 'update_cadence']`. */
export type KeyPath = readonly (string | number)[];

/** One problem with a config file. */
export interface ConfigIssue {
  /** Dotted key path, e.g. `severities.SEV1.update_cadence` or `customers[0].sla.target`; empty for the whole file. */
  path: string;
  message: string;
  /** 1-based line in the file; absent when the problem has no place (e.g. the file cannot be read). */
  line?: number;
  /** 1-based column. */
  column?: number;
}

/** Renders a key path the way the docs write it: `customers[0].sla.target`. */
export function displayPath(path: KeyPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/**
 * One line per issue, like `kranz.yml:12:5 severities.SEV1.update_cadence: "fast" is not a duration`.
 * `file` is printed as given, so pass the path the user typed.
 */
export function formatConfigIssues(issues: readonly ConfigIssue[], file: string): string {
  return issues
    .map((i) => {
      const where = i.line === undefined ? file : `${file}:${i.line}:${i.column ?? 1}`;
      return i.path === '' ? `${where} ${i.message}` : `${where} ${i.path}: ${i.message}`;
    })
    .join('\n');
}

/** Sorts by position so the report reads top to bottom like the file. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.path.localeCompare(b.path));
}

/** A parsed YAML document with the line counter that makes offsets readable. */
export interface SourceMap {
  doc: Document;
  lines: LineCounter;
}

/** Line and column of a key path in the document. */
export interface Position {
  line: number;
  column: number;
}

function positionOf(node: Node | null | undefined, lines: LineCounter): Position | undefined {
  const offset = node?.range?.[0];
  if (offset === undefined) return undefined;
  const p = lines.linePos(offset);
  return { line: p.line, column: p.col };
}

/**
 * Finds where `path` is written. `target: 'key'` points at the key itself
 * (for unknown keys); a value that is missing points at its parent's key, the
 * nearest thing that is actually in the file.
 */
export function locate(src: SourceMap, path: KeyPath, target: 'value' | 'key' = 'value'): Position | undefined {
  let node: Node | null | undefined = src.doc.contents as Node | null;
  let keyNode: Node | undefined;
  for (const seg of path) {
    // Anchored values (`*quiet`) are located where they are used, not where defined.
    if (isAlias(node)) node = node.resolve(src.doc) as Node | undefined;
    let next: Node | null | undefined;
    let nextKey: Node | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair) {
        next = pair.value as Node | null;
        nextKey = pair.key as Node;
      }
    } else if (isSeq(node) && Number.isInteger(Number(seg))) {
      next = node.items[Number(seg)] as Node | undefined;
    }
    if (next === undefined && nextKey === undefined) {
      return positionOf(keyNode, src.lines) ?? positionOf(node, src.lines) ?? { line: 1, column: 1 };
    }
    node = next;
    keyNode = nextKey;
  }
  if (target === 'key' && keyNode) return positionOf(keyNode, src.lines);
  return positionOf(node, src.lines) ?? positionOf(keyNode, src.lines) ?? { line: 1, column: 1 };
}

/** Builds an issue for `path`, placed in the file when a source is known. */
export function issueAt(src: SourceMap | undefined, path: KeyPath, message: string, target: 'value' | 'key' = 'value'): ConfigIssue {
  const pos = src ? locate(src, path, target) : undefined;
  return pos ? { path: displayPath(path), message, line: pos.line, column: pos.column } : { path: displayPath(path), message };
}

/** Shows a YAML value in a message: strings quoted, objects summarised. */
export function showValue(v: unknown): string {
  if (v === null) return 'an empty value';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}
