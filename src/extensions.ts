/**
 * The features `kranz start` plugs into the runtime beyond Slack: each is a
 * `KranzExtension` so tests and the demo can choose what runs.
 */
import type { KranzExtension } from './main.ts';

export function defaultExtensions(): KranzExtension[] {
  return [];
}
