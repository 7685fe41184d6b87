/** Reads the PagerDuty fixtures copied into test/fixtures/pagerduty. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../fixtures/pagerduty/', import.meta.url));

/** Raw text of a fixture, e.g. `v3/triggered_v3.json`. */
export function fixtureText(relative: string): string {
  return readFileSync(`${ROOT}${relative}`, 'utf8');
}

/** Parsed JSON of a fixture. */
export function fixture(relative: string): unknown {
  return JSON.parse(fixtureText(relative)) as unknown;
}

/** File names in a fixture folder, sorted. */
export function fixtureNames(folder: string): string[] {
  return readdirSync(`${ROOT}${folder}`)
    .filter((f) => f.endsWith('.json'))
    .sort();
}
