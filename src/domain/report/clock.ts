/**
 * Wall-clock labels for the report: local time in the configured IANA zone
 * with UTC beside it. Strings are built by hand from numbers so the output
 * never depends on the host's locale; `Intl` is only asked for the zone's
 * UTC offset, once per UTC hour, and every minute's labels are cached.
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** Everything the report shows about one minute. */
export interface MinuteStamp {
  /** Local `HH:MM`. */
  local: string;
  /** UTC `HH:MM`. */
  utc: string;
  /** Local calendar day, `YYYY-MM-DD`; groups the timeline and decides when a date is needed. */
  dateKey: string;
  /** Local day for headings, e.g. `Tuesday 14 May 2024`. */
  dateLabel: string;
  /** Local day without the weekday, e.g. `14 May 2024`. */
  shortDate: string;
  /** The zone's offset at that minute, e.g. `UTC+02:00`. */
  offset: string;
}

/** Formats instants in one zone; create one per report and reuse it. */
export interface ReportClock {
  /** The zone actually used. */
  zone: string;
  /** Set when the requested zone was not a valid IANA name and UTC was used instead. */
  invalidZone?: string;
  stamp(ms: number): MinuteStamp;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function offsetLabel(offsetMs: number): string {
  if (offsetMs === 0) return 'UTC';
  const sign = offsetMs < 0 ? '-' : '+';
  const total = Math.round(Math.abs(offsetMs) / MINUTE);
  return `UTC${sign}${pad2(Math.floor(total / 60))}:${pad2(total % 60)}`;
}

function makeFormatter(zone: string): Intl.DateTimeFormat | undefined {
  try {
    return new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23',
    });
  } catch {
    return undefined;
  }
}

/** Builds the clock for `zone`; an unknown zone falls back to UTC (and says so) rather than failing the report. */
export function createReportClock(zone: string): ReportClock {
  const requested = zone.trim() || 'UTC';
  const formatter = makeFormatter(requested);
  const effective = formatter ? formatter.resolvedOptions().timeZone : 'UTC';
  const fmt = formatter ?? (makeFormatter('UTC') as Intl.DateTimeFormat);
  const utcZone = effective === 'UTC' || effective === 'Etc/UTC';

  // Offset of the zone at a whole minute: local wall time read back as if it were UTC, minus the instant.
  const offsetAt = (minuteMs: number): number => {
    if (utcZone) return 0;
    const p: Record<string, number> = {};
    for (const part of fmt.formatToParts(minuteMs)) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const wall = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, (p.hour ?? 0) % 24, p.minute ?? 0);
    return wall - minuteMs;
  };

  // Zones change offset at most once in an hour, so equal offsets at both ends of a UTC hour hold for all of it.
  const hourOffsets = new Map<number, number | null>();
  const offsetFor = (minuteMs: number): number => {
    const hour = Math.floor(minuteMs / HOUR);
    let known = hourOffsets.get(hour);
    if (known === undefined) {
      const first = offsetAt(hour * HOUR);
      known = first === offsetAt(hour * HOUR + 59 * MINUTE) ? first : null;
      hourOffsets.set(hour, known);
    }
    return known ?? offsetAt(minuteMs);
  };

  const minutes = new Map<number, MinuteStamp>();
  const stamp = (ms: number): MinuteStamp => {
    const key = Math.floor(ms / MINUTE);
    const cached = minutes.get(key);
    if (cached) return cached;
    const minuteMs = key * MINUTE;
    const offset = offsetFor(minuteMs);
    const u = new Date(minuteMs);
    const l = new Date(minuteMs + offset);
    const day = l.getUTCDate();
    const month = MONTHS[l.getUTCMonth()] ?? '';
    const year = l.getUTCFullYear();
    const s: MinuteStamp = {
      local: `${pad2(l.getUTCHours())}:${pad2(l.getUTCMinutes())}`,
      utc: `${pad2(u.getUTCHours())}:${pad2(u.getUTCMinutes())}`,
      dateKey: `${year}-${pad2(l.getUTCMonth() + 1)}-${pad2(day)}`,
      dateLabel: `${WEEKDAYS[l.getUTCDay()] ?? ''} ${day} ${month} ${year}`,
      shortDate: `${day} ${month} ${year}`,
      offset: offsetLabel(offset),
    };
    minutes.set(key, s);
    return s;
  };

  return { zone: effective, ...(formatter ? {} : { invalidZone: requested }), stamp };
}
