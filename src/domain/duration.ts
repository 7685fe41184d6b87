/** Durations such as `30s`, `15m`, `2h`, `3d` (and combinations like `1h30m`). */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration; returns undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (!/^(\d+(ms|s|m|h|d))+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  return total > 0 ? total : undefined;
}

/** Formats milliseconds the way a responder reads them: `1h 5m`, `45s`. */
export function formatDuration(ms: number): string {
  if (ms < 0) ms = 0;
  const totalSec = Math.round(ms / 1000);
  const d = Math.floor(totalSec / 86_400);
  const h = Math.floor((totalSec % 86_400) / 3_600);
  const m = Math.floor((totalSec % 3_600) / 60);
  const s = totalSec % 60;
  const parts: string[] = [];
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s && !d && !h) parts.push(`${s}s`);
  return parts.length ? parts.join(' ') : '0s';
}

/**
 * A duration as `parseDuration` reads it back exactly: `30s`, `20m`, `1h30m`,
 * `1m30s`. Forms pre-fill it, so their default is always one they accept.
 */
export function formatDurationInput(ms: number): string {
  let rest = Math.max(1_000, Math.round(ms / 1000) * 1000);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    const n = Math.floor(rest / size);
    if (n) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('');
}
