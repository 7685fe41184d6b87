/**
 * Loads the policy YAML named by `KRANZ_CONFIG`: parse (keeping positions),
 * validate with the schema, cross-check, overlay on `DEFAULT_POLICY`. Every
 * problem is reported at once, each with its key path and line:column.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { DEFAULT_POLICY } from '../domain/default-policy.ts';
import type { Policy } from '../domain/policy.ts';
import { crossCheck } from './cross-checks.ts';
import { displayPath, issueAt, showValue, sortIssues } from './issues.ts';
import type { ConfigIssue, KeyPath, SourceMap } from './issues.ts';
import { policyFileSchema } from './policy-schema.ts';
import { knownKeysAt, pathsEndingWith } from './schema-walk.ts';
import { didYouMean } from './suggest.ts';
import { toPolicy } from './to-policy.ts';

/** A loaded policy, or every problem found in the file. */
export type LoadPolicyResult = { ok: true; policy: Policy } | { ok: false; errors: ConfigIssue[] };

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  array: 'a list (- item)',
};

function valueAt(raw: unknown, path: KeyPath): unknown {
  let v = raw;
  for (const seg of path) v = typeof v === 'object' && v !== null ? (v as Record<string | number, unknown>)[seg] : undefined;
  return v;
}

function unknownKeyMessage(parent: KeyPath, key: string): string {
  const here = knownKeysAt(policyFileSchema, parent) ?? [];
  const hint = didYouMean(key, here);
  if (hint) return `unknown key "${key}"${hint}`;
  // A real key in the wrong place ("update_cadence" at the top) is a nesting slip, not a typo.
  const elsewhere = pathsEndingWith(policyFileSchema, key);
  if (elsewhere.length > 0) return `unknown key "${key}" here (it belongs under ${elsewhere.map((p) => p.slice(0, -key.length - 1) || 'the top level').join(' or ')})`;
  return `unknown key "${key}" (allowed: ${here.join(', ')})`;
}

function fromZodIssue(issue: z.core.$ZodIssue, raw: unknown, src: SourceMap | undefined): ConfigIssue[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => issueAt(src, [...path, key], unknownKeyMessage(path, key), 'key'));
    case 'invalid_key': {
      const inner = issue.issues[0]?.message ?? 'is not allowed';
      return [issueAt(src, path, `${JSON.stringify(String(path[path.length - 1]))}: ${inner}`, 'key')];
    }
    case 'invalid_type': {
      const value = valueAt(raw, path);
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      if (value === undefined) return [issueAt(src, path, `is required (${expected})`)];
      if (value === null) return [issueAt(src, path, `has no value: give it ${expected}, or remove the key`)];
      return [issueAt(src, path, `must be ${expected}, not ${showValue(value)}`)];
    }
    case 'invalid_value': {
      const value = valueAt(raw, path);
      const options = issue.values.map(String);
      const hint = typeof value === 'string' ? didYouMean(value, options) : '';
      return [issueAt(src, path, `${showValue(value)} is not one of ${options.join(', ')}${hint}`)];
    }
    default:
      return [issueAt(src, path, issue.message)];
  }
}

/**
 * Validates already-parsed policy data (no positions) and overlays it on `base`.
 * For data from a file use `parsePolicy`, which adds line numbers.
 */
export function policyFromData(raw: unknown, base: Policy = DEFAULT_POLICY, src?: SourceMap): LoadPolicyResult {
  const data = raw === null || raw === undefined ? {} : raw;
  if (typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, errors: [issueAt(src, [], `the file must be a mapping of keys (like "severities:"), not ${showValue(data)}`)] };
  }
  const parsed = policyFileSchema.safeParse(data);
  const issues = parsed.success ? [] : parsed.error.issues.flatMap((i) => fromZodIssue(i, data, src));
  for (const c of crossCheck(data, base)) {
    // The schema already explained a value of the wrong shape; do not say it twice.
    if (!issues.some((i) => i.path === displayPath(c.path))) issues.push(issueAt(src, c.path, c.message, c.target));
  }
  if (!parsed.success || issues.length > 0) return { ok: false, errors: sortIssues(issues) };
  return { ok: true, policy: toPolicy(parsed.data, base) };
}

/** Parses policy YAML text; issues carry the line and column in `text`. */
export function parsePolicy(text: string, base: Policy = DEFAULT_POLICY): LoadPolicyResult {
  const lines = new LineCounter();
  // merge: `<<: *anchor` lets quiet hours or contacts be written once and reused.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, merge: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const p = lines.linePos(e.pos[0]);
        // yaml's own wording for this one points at its API, not at the file.
        const what = e.code === 'MULTIPLE_DOCS' ? 'the file must hold one YAML document (remove the extra "---")' : (e.message.split('\n')[0] ?? e.code);
        return { path: '', message: `YAML syntax error: ${what}`, line: p.line, column: p.col };
      }),
    };
  }
  return policyFromData(doc.toJS(), base, { doc, lines });
}

/**
 * Loads the policy file at `path` (normally `KRANZ_CONFIG`); no path means the
 * built-in defaults. Never throws for a bad file: problems come back as issues.
 */
export async function loadPolicy(path: string | undefined, base: Policy = DEFAULT_POLICY): Promise<LoadPolicyResult> {
  if (path === undefined || path.trim() === '') return { ok: true, policy: base };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String(e);
    return { ok: false, errors: [{ path: '', message: `cannot read the policy file: ${why} (KRANZ_CONFIG names it)` }] };
  }
  return parsePolicy(text, base);
}
