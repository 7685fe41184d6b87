/**
 * Times people type (`14:32`, `2024-05-14 14:32`, or an ISO instant) read in
 * a time zone, for `/incident mitigated 14:32` and `/incident times`. A bare
 * `HH:MM` is the latest such moment not after now: in an incident, people
 * name times that have passed.
 */

function offsetAt(zone: string, ms: number): number | undefined {
  try {
    const f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' });
    const p: Record<string, number> = {};
    for (const part of f.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const wall = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, (p.hour ?? 0) % 24, p.minute ?? 0, p.second ?? 0);
    return wall - Math.floor(ms / 1000) * 1000;
  } catch {
    return undefined;
  }
}

/** The instant of local wall time (y, m, d, h, min) in `zone`; DST gaps resolve to the later offset. */
function fromWall(zone: string, y: number, mo: number, d: number, h: number, mi: number): number | undefined {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const o1 = offsetAt(zone, guess);
  if (o1 === undefined) return undefined;
  const o2 = offsetAt(zone, guess - o1) ?? o1;
  return guess - o2;
}

/** Parses a typed time in `zone`; undefined when it is not one. */
export function parseWallTime(text: string, now: Date, zone: string): Date | undefined {
  const t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(t)) {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? undefined : new Date(ms);
  }
  const full = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})$/.exec(t);
  if (full) {
    const [y, mo, d, h, mi] = full.slice(1).map(Number) as [number, number, number, number, number];
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return undefined;
    const ms = fromWall(zone, y, mo, d, h, mi);
    return ms === undefined ? undefined : new Date(ms);
  }
  const hm = /^(\d{1,2}):(\d{2})$/.exec(t);
  if (!hm) return undefined;
  const h = Number(hm[1]);
  const mi = Number(hm[2]);
  if (h > 23 || mi > 59) return undefined;
  const offset = offsetAt(zone, now.getTime());
  if (offset === undefined) return undefined;
  const local = new Date(now.getTime() + offset);
  let ms = fromWall(zone, local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate(), h, mi);
  if (ms === undefined) return undefined;
  if (ms > now.getTime() + 60_000) ms -= 86_400_000;
  return new Date(ms);
}
