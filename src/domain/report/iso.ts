/**
 * Reading event times fast. Events carry ISO 8601 UTC strings; over 100k
 * events `Date.parse` is a visible share of drafting, so the canonical form
 * `toISOString` writes is read by hand and everything else goes to `Date.parse`.
 */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
// Digit positions of `YYYY-MM-DDTHH:MM:SS.sssZ`; the short form stops before the fraction.
const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22] as const;

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * Epoch ms of `2024-05-14T13:02:00.000Z` or `2024-05-14T13:02:00Z`; other
 * strings get exactly what `Date.parse` gives (NaN when invalid).
 */
export function parseIsoMs(iso: string): number {
  const n = iso.length;
  const canonical =
    (n === 24 ? iso.charCodeAt(19) === 46 /* . */ : n === 20) &&
    iso.charCodeAt(4) === 45 && iso.charCodeAt(7) === 45 && iso.charCodeAt(10) === 84 /* T */ &&
    iso.charCodeAt(13) === 58 && iso.charCodeAt(16) === 58 && iso.charCodeAt(n - 1) === 90; /* Z */
  if (!canonical) return Date.parse(iso);
  for (const i of DIGITS) {
    if (i >= n - 1) break;
    const c = iso.charCodeAt(i);
    if (c < 48 || c > 57) return Date.parse(iso);
  }
  const d = (i: number): number => iso.charCodeAt(i) - 48;
  const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  const month = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  const hour = d(11) * 10 + d(12);
  const minute = d(14) * 10 + d(15);
  const second = d(17) * 10 + d(18);
  const ms = n === 24 ? d(20) * 100 + d(21) * 10 + d(22) : 0;
  const monthDays = month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  // Out-of-range fields (24:00, 31 April, …) and two-digit years (Date.UTC maps them to 19xx) go to Date.parse.
  if (year < 100 || month < 1 || day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 59) return Date.parse(iso);
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}
