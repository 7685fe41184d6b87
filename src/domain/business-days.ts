/**
 * Calendar arithmetic in a team's time zone, with `Intl` only (no libraries):
 * local wall-clock parts of an instant, the instant of a local wall-clock
 * time, business days (Monday to Friday) and quiet-hours windows. Pure: every
 * function takes the instant it reasons about.
 */
import type { QuietHours } from './policy.ts';

/** A calendar date, month 1–12. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** Local wall-clock parts of an instant in a zone. */
export interface LocalParts extends LocalDate {
  hour: number;
  minute: number;
  second: number;
}

// Building a DateTimeFormat is far slower than using one; zones are few.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock date and time of `at` in `timeZone` (an IANA name such as `Europe/Berlin`). */
export function localParts(at: Date, timeZone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return {
    year: out.year ?? 1970, month: out.month ?? 1, day: out.day ?? 1,
    // Some engines still print midnight as 24 even with h23.
    hour: (out.hour ?? 0) % 24, minute: out.minute ?? 0, second: out.second ?? 0,
  };
}

/** How far the zone's wall clock is ahead of UTC at `at`, in ms. */
export function zoneOffsetMs(at: Date, timeZone: string): number {
  const p = localParts(at, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The instant when the wall clock in `timeZone` shows the given date and
 * time. Two passes settle the offset across a DST change; a time skipped by
 * the change (02:30 on a spring-forward night) lands just after the gap.
 */
export function zonedTimeToUtc(date: LocalDate, hour: number, minute: number, timeZone: string): Date {
  const guess = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const first = guess - zoneOffsetMs(new Date(guess), timeZone);
  const second = guess - zoneOffsetMs(new Date(first), timeZone);
  return new Date(second);
}

/** `date` plus `days` calendar days. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** Saturday or Sunday. */
export const isWeekend = (date: LocalDate): boolean => weekday(date) === 0 || weekday(date) === 6;

/** `date` plus `days` business days: Saturdays and Sundays are not counted. */
export function addBusinessDays(date: LocalDate, days: number): LocalDate {
  let d = date;
  let left = days;
  while (left > 0) {
    d = addDays(d, 1);
    if (!isWeekend(d)) left--;
  }
  return d;
}

/** The calendar date `rule` days (calendar or business) after `from`, as seen in `timeZone`. */
export function dueDate(from: Date, rule: { days: number; business: boolean }, timeZone: string): LocalDate {
  const start = localParts(from, timeZone);
  return rule.business ? addBusinessDays(start, rule.days) : addDays(start, rule.days);
}

const minutesOf = (hhmm: string): number | undefined => {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? h * 60 + min : undefined;
};

/**
 * When the quiet hours that contain `at` end, or undefined when `at` is not
 * in quiet hours. Windows may cross midnight (22:00–07:00); a window whose
 * start equals its end, or that does not parse, is never quiet.
 */
export function quietHoursEnd(qh: QuietHours, at: Date): Date | undefined {
  const start = minutesOf(qh.start);
  const end = minutesOf(qh.end);
  if (start === undefined || end === undefined || start === end) return undefined;
  const p = localParts(at, qh.timezone);
  const now = p.hour * 60 + p.minute;
  const crosses = start > end;
  const quiet = crosses ? now >= start || now < end : now >= start && now < end;
  if (!quiet) return undefined;
  // Past midnight of a crossing window the end is today; before midnight it is tomorrow.
  const endDay = crosses && now >= start ? addDays(p, 1) : p;
  return zonedTimeToUtc(endDay, Math.floor(end / 60), end % 60, qh.timezone);
}

/** Whether `at` falls in the quiet hours. */
export const inQuietHours = (qh: QuietHours, at: Date): boolean => quietHoursEnd(qh, at) !== undefined;

/** `14:05 Europe/Berlin` style clock time for messages (UTC zone shows as `UTC`). */
export function formatLocalTime(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  const hhmm = `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
  return `${hhmm} ${timeZone}`;
}
