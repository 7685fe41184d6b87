/**
 * Reads the shape of a zod schema: which keys exist where. Used to suggest the
 * right key for a typo and to keep docs/configuration.md in step with the schema.
 */
import { z } from 'zod';
import type { KeyPath } from './issues.ts';

/** Strips wrappers that do not change which keys an object has. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault || s instanceof z.ZodReadonly) {
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodPipe) {
      // The keys a user writes are those of the input side of a transform.
      s = s.in as z.ZodType;
    } else {
      return s;
    }
  }
}

function walk(schema: z.ZodType, prefix: string, out: string[]): void {
  const s = unwrapSchema(schema);
  if (s instanceof z.ZodObject) {
    for (const [key, child] of Object.entries(s.shape as Record<string, z.ZodType>)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      out.push(path);
      walk(child, path, out);
    }
  } else if (s instanceof z.ZodArray) {
    walk(s.element as z.ZodType, `${prefix}[]`, out);
  } else if (s instanceof z.ZodRecord) {
    walk(s.valueType as z.ZodType, `${prefix}.<key>`, out);
  } else if (s instanceof z.ZodUnion) {
    for (const option of s.options as readonly z.ZodType[]) walk(option, prefix, out);
  }
}

/**
 * Every key a config file may contain, as documented: maps keyed by name show
 * `<key>`, list items show `[]`, e.g. `severities.<key>.update_cadence`,
 * `customers[].sla.target`.
 */
export function collectKeyPaths(schema: z.ZodType): string[] {
  const out: string[] = [];
  walk(schema, '', out);
  return [...new Set(out)];
}

/** The keys allowed in the object at `path`, or undefined when that is not an object. */
export function knownKeysAt(schema: z.ZodType, path: KeyPath): string[] | undefined {
  let s = unwrapSchema(schema);
  for (const seg of path) {
    if (s instanceof z.ZodObject) {
      const child = (s.shape as Record<string, z.ZodType>)[String(seg)];
      if (!child) return undefined;
      s = unwrapSchema(child);
    } else if (s instanceof z.ZodRecord) {
      s = unwrapSchema(s.valueType as z.ZodType);
    } else if (s instanceof z.ZodArray) {
      s = unwrapSchema(s.element as z.ZodType);
    } else {
      return undefined;
    }
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape as object) : undefined;
}

/** Documented paths whose last key is `key`: where a misplaced key belongs. */
export function pathsEndingWith(schema: z.ZodType, key: string): string[] {
  return collectKeyPaths(schema).filter((p) => p === key || p.endsWith(`.${key}`));
}
