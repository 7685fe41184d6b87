/**
 * Keeps docs/configuration.md in step with the code: every key the schema
 * accepts and every environment variable is documented, and the reference
 * tables document nothing the code does not read.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_KEYS } from '../../src/config/env.ts';
import { policyFileSchema } from '../../src/config/policy-schema.ts';
import { collectKeyPaths } from '../../src/config/schema-walk.ts';

const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
const schemaPaths = collectKeyPaths(policyFileSchema);

/** First cells of reference-table rows: `| \`severities.<key>.label\` | …`. */
const tableKeys = [...doc.matchAll(/^\|\s*`([^`]+)`\s*\|/gm)].map((m) => m[1] ?? '');
const isEnvName = (s: string): boolean => /^[A-Z][A-Z0-9_]+$/.test(s);
const documentedKeys = tableKeys.filter((k) => !isEnvName(k));
const documentedEnv = tableKeys.filter(isEnvName);

describe('docs/configuration.md', () => {
  it('finds the schema and the tables (the walk itself works)', () => {
    expect(schemaPaths).toContain('severities.<key>.update_cadence');
    expect(schemaPaths).toContain('customers[].main_contact.phone');
    expect(schemaPaths).toContain('pagerduty.services[].severity_by_urgency.high');
    expect(schemaPaths.length).toBeGreaterThan(50);
    expect(documentedKeys.length).toBeGreaterThan(50);
  });

  it('documents every key the schema accepts', () => {
    const missing = schemaPaths.filter((p) => !documentedKeys.includes(p));
    expect(missing, 'keys missing from the reference tables').toEqual([]);
  });

  it('documents no key the schema lacks', () => {
    const extra = documentedKeys.filter((k) => !schemaPaths.includes(k));
    expect(extra, 'documented keys the schema does not accept').toEqual([]);
  });

  it('documents each key once', () => {
    const dupes = documentedKeys.filter((k, i) => documentedKeys.indexOf(k) !== i);
    expect(dupes).toEqual([]);
  });

  it('documents every environment variable, and no others', () => {
    expect([...documentedEnv].sort()).toEqual([...ENV_KEYS].sort());
  });
});

describe('kranz.example.yml', () => {
  it('shows every top-level section', () => {
    const example = parse(readFileSync(new URL('../../kranz.example.yml', import.meta.url), 'utf8')) as Record<string, unknown>;
    const topLevel = schemaPaths.filter((p) => !/[.[]/.test(p));
    expect(Object.keys(example).sort()).toEqual([...topLevel].sort());
  });
});
