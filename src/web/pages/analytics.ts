/**
 * `/analytics`: per month, severity, PagerDuty service and customer: incident
 * counts, median time to acknowledge, mitigate, resolve and first customer
 * contact, update promises kept, and each customer's SLA budget used per
 * month. SVG charts drawn on the server; every table downloads as CSV at
 * `/analytics/<table>.csv` with the same filters.
 */
import type { ServerResponse } from 'node:http';
import type { BrowseDeps } from '../../app/browse-incidents.ts';
import { incidentAnalytics } from '../../app/incident-analytics.ts';
import type { Viewer } from '../../app/incident-visibility.ts';
import type { Analytics, BreakdownRow, SlaBudgetRow } from '../../domain/analytics.ts';
import { formatDuration } from '../../domain/duration.ts';
import { groupedBars, lines, stackedBars } from '../charts.ts';
import { filterQuery, parseFilter } from '../filters.ts';
import { html, type Html } from '../html.ts';
import { sendHtml, sendJsonBody, sendText } from '../http.ts';
import { notFoundPage, page } from '../layout.ts';
import { filterForm } from './list.ts';

type Table = { title: string; header: string[]; rows: (string | number)[][] };

const minutes = (v: number | undefined): string => (v === undefined ? '' : (v / 60_000).toFixed(1));
const dur = (v: number | undefined): string => (v === undefined ? '—' : formatDuration(v));
const pct = (kept: number, due: number): string => (due === 0 ? '—' : `${Math.round((kept / due) * 100)} % (${kept}/${due})`);

const BREAKDOWN_HEADER = ['incidents', 'median time to acknowledge (min)', 'median time to mitigate (min)', 'median time to resolve (min)', 'median time to first customer contact (min)', 'update promises due', 'update promises kept'];

function breakdownTable(title: string, first: string, rows: BreakdownRow[]): Table {
  return {
    title,
    header: [first, ...BREAKDOWN_HEADER],
    rows: rows.map((r) => [r.key, r.incidents, minutes(r.medianAcknowledgeMs), minutes(r.medianMitigateMs), minutes(r.medianResolveMs), minutes(r.medianCustomerContactMs), r.promisesDue, r.promisesKept]),
  };
}

function slaTable(rows: SlaBudgetRow[]): Table {
  return {
    title: 'SLA budget used per customer and month',
    header: ['customer', 'month', 'incidents', 'impact (min)', 'budget (min)', 'budget used (%)'],
    rows: rows.map((r) => [r.customer, r.month, r.incidents, r.impactMinutes.toFixed(1), r.budgetMinutes.toFixed(1), Number.isFinite(r.usedPercent) ? r.usedPercent.toFixed(1) : 'inf']),
  };
}

export const TABLES = ['month', 'severity', 'service', 'customer', 'sla'] as const;
type TableName = (typeof TABLES)[number];

function tables(a: Analytics): Record<TableName, Table> {
  return {
    month: breakdownTable('Per month', 'month', a.byMonth),
    severity: breakdownTable('Per severity', 'severity', a.bySeverity),
    service: breakdownTable('Per PagerDuty service', 'service', a.byService),
    customer: breakdownTable('Per customer', 'customer', a.byCustomer),
    sla: slaTable(a.slaBudget),
  };
}

/** RFC 4180 CSV; cells that a spreadsheet would run as a formula are prefixed with `'`. */
export function toCsv(t: Table): string {
  const cell = (v: string | number): string => {
    let s = String(v);
    if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string') s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [t.header, ...t.rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

function breakdownHtml(rows: BreakdownRow[], first: string): Html {
  return html`<table><thead><tr><th>${first}</th><th class="num">Incidents</th><th class="num">Acknowledge</th><th class="num">Mitigate</th><th class="num">Resolve</th><th class="num">First customer contact</th><th class="num">Update promises kept</th></tr></thead>
<tbody>${rows.length ? rows.map((r) => html`<tr><td>${r.key}</td><td class="num">${r.incidents}</td><td class="num">${dur(r.medianAcknowledgeMs)}</td><td class="num">${dur(r.medianMitigateMs)}</td><td class="num">${dur(r.medianResolveMs)}</td><td class="num">${dur(r.medianCustomerContactMs)}</td><td class="num">${pct(r.promisesKept, r.promisesDue)}</td></tr>`) : html`<tr><td colspan="7" class="muted">No incidents.</td></tr>`}</tbody></table>`;
}

function slaHtml(rows: SlaBudgetRow[]): Html {
  return html`<table><thead><tr><th>Customer</th><th>Month</th><th class="num">Incidents</th><th class="num">Impact</th><th class="num">Budget</th><th class="num">Budget used</th></tr></thead>
<tbody>${rows.length ? rows.map((r) => html`<tr><td>${r.customer}</td><td>${r.month}</td><td class="num">${r.incidents}</td><td class="num">${dur(r.impactMinutes * 60_000)}</td><td class="num">${dur(r.budgetMinutes * 60_000)}</td><td class="num${r.usedPercent > 100 ? ' late' : ''}">${Number.isFinite(r.usedPercent) ? `${r.usedPercent.toFixed(1)} %` : '∞'}</td></tr>`) : html`<tr><td colspan="6" class="muted">No customer incidents.</td></tr>`}</tbody></table>`;
}

async function charts(a: Analytics): Promise<Html> {
  const times = a.byMonth.flatMap((r) => [
    ['acknowledge', r.medianAcknowledgeMs], ['mitigate', r.medianMitigateMs], ['resolve', r.medianResolveMs],
  ].flatMap(([what, v]) => (typeof v === 'number' ? [{ month: r.key, measure: what, minutes: Math.round((v / 60_000) * 10) / 10 }] : [])));
  const [counts, medians, budget] = await Promise.all([
    stackedBars(a.monthSeverity, { x: 'month', y: 'incidents', color: 'severity', xTitle: 'month', yTitle: 'incidents', title: 'Incidents per month' }),
    lines(times, { x: 'month', y: 'minutes', series: 'measure', xTitle: 'month', yTitle: 'median minutes from declaration', title: 'Time to acknowledge, mitigate, resolve' }),
    groupedBars(a.slaBudget.map((r) => ({ month: r.month, customer: r.customer, used: Number.isFinite(r.usedPercent) ? Math.round(r.usedPercent * 10) / 10 : 1000 })), { x: 'month', y: 'used', group: 'customer', xTitle: 'month', yTitle: 'SLA budget used (%)', title: 'SLA budget used', rule: 100 }),
  ]);
  return html`<div class="charts"><figure class="chart" id="chart-incidents">${counts}</figure><figure class="chart" id="chart-times">${medians}</figure><figure class="chart" id="chart-sla">${budget}</figure></div>`;
}

export function analyticsRoutes(d: BrowseDeps & { incidentNow: () => number }) {
  return async (viewer: Viewer, url: URL, res: ServerResponse): Promise<void> => {
    const f = parseFilter(url.searchParams);
    const csv = /^\/analytics\/([a-z]+)\.csv$/.exec(url.pathname);
    if (url.pathname !== '/analytics' && !csv) return sendHtml(res, 404, notFoundPage(url.pathname, viewer));
    const name = csv?.[1] as TableName | undefined;
    if (csv && !TABLES.includes(name as TableName)) {
      return sendJsonBody(res, 404, { error: 'not_found', reason: `No table "${csv[1]}". Tables: ${TABLES.join(', ')}.` });
    }
    // A download cannot show the page's banner: a table for another filter than the one asked for would pass for the right one.
    if (name && f.problems.length) return sendJsonBody(res, 400, { error: 'bad_query', problems: f.problems });
    const a = await incidentAnalytics(d, viewer, f.filter, d.incidentNow());
    const t = tables(a);
    if (name) {
      return sendText(res, 200, toCsv(t[name]), 'text/csv; charset=utf-8', { 'content-disposition': `attachment; filename="kranz-${name}.csv"`, 'cache-control': 'no-store' });
    }
    const q = filterQuery(f.form);
    const download = (n: TableName): Html => html` <a class="noprint" href="/analytics/${n}.csv${q}" download>CSV</a>`;
    const total = a.byMonth.reduce((s, r) => s + r.incidents, 0);
    sendHtml(res, 200, page({
      title: 'Analytics', viewer,
      body: html`<h1>Analytics</h1>
${f.problems.length ? html`<div class="banner">${f.problems.join('; ')}</div>` : ''}
${a.unchecked ? html`<div class="banner">Slack could not confirm just now which private incidents you may see, so some private incidents may not be counted. Reload in a minute.</div>` : ''}
${filterForm(d.policy, f, '/analytics')}
<p class="muted">${total} incident${total === 1 ? '' : 's'}. Times are medians measured from the declaration; a promise is a status update's "next update by", kept when the next update (or the resolve) came in time.</p>
${await charts(a)}
<h2>Per month${download('month')}</h2>${breakdownHtml(a.byMonth, 'Month')}
<h2>Per severity${download('severity')}</h2>${breakdownHtml(a.bySeverity, 'Severity')}
<h2>Per PagerDuty service${download('service')}</h2>${breakdownHtml(a.byService, 'Service')}
<h2>Per customer${download('customer')}</h2>${breakdownHtml(a.byCustomer, 'Customer')}
<h2>SLA budget used per customer and month${download('sla')}</h2>${slaHtml(a.slaBudget)}`,
    }));
  };
}
