/** Kranz's version, from package.json at the package root (two levels up from src/cli and from dist/cli alike). */
import { readFileSync } from 'node:fs';

export const PACKAGE_JSON_URL = new URL('../../package.json', import.meta.url);

export function kranzVersion(): string {
  return (JSON.parse(readFileSync(PACKAGE_JSON_URL, 'utf8')) as { version: string }).version;
}
