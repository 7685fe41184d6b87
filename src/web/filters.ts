/** The list's (and analytics') query string: `status`, `severity`, `service`, `customer`, `from`, `to` (YYYY-MM-DD, inclusive), `q`, `page`. */
import type { IncidentFilter } from '../app/web-ports.ts';
import { STATUSES } from '../domain/events.ts';

export interface ParsedFilter {
  filter: IncidentFilter;
  /** Echo of what was asked, for the form. */
  form: Record<'status' | 'severity' | 'service' | 'customer' | 'from' | 'to' | 'q', string>;
  page: number;
  /** Problems with the query, each naming the parameter. */
  problems: string[];
}

const DAY_MS = 86_400_000;

function day(v: string, name: string, problems: string[]): Date | undefined {
  if (!v) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== v) {
    problems.push(`${name}: "${v}" is not a date (use YYYY-MM-DD)`);
    return undefined;
  }
  return new Date(ms);
}

export function parseFilter(q: URLSearchParams): ParsedFilter {
  const get = (k: string): string => (q.get(k) ?? '').trim().slice(0, 200);
  const problems: string[] = [];
  const form = { status: get('status'), severity: get('severity'), service: get('service'), customer: get('customer'), from: get('from'), to: get('to'), q: get('q') };
  if (form.status && !(STATUSES as readonly string[]).includes(form.status)) {
    problems.push(`status: "${form.status}" is not one of ${STATUSES.join(', ')}`);
    form.status = '';
  }
  const from = day(form.from, 'from', problems);
  const toDay = day(form.to, 'to', problems);
  const pageText = get('page');
  const page = /^\d{1,6}$/.test(pageText) && Number(pageText) >= 1 ? Number(pageText) : 1;
  if (pageText && page === 1 && pageText !== '1') problems.push(`page: "${pageText}" is not a page number`);
  const filter: IncidentFilter = {
    ...(form.status ? { status: form.status } : {}),
    ...(form.severity ? { severity: form.severity } : {}),
    ...(form.service ? { service: form.service } : {}),
    ...(form.customer ? { customer: form.customer } : {}),
    ...(from ? { from } : {}),
    ...(toDay ? { to: new Date(toDay.getTime() + DAY_MS) } : {}),
    ...(form.q ? { q: form.q } : {}),
  };
  return { filter, form, page, problems };
}

/** The query string for the same filter on another page. */
export function filterQuery(form: ParsedFilter['form'], extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...form, ...extra })) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}
