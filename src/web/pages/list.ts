/** `/`: incidents newest first, not-closed ones on top with their clocks; filters and title search. */
import { customersNotCalled, isCallItem } from '../../domain/call-items.ts';
import { formatDuration } from '../../domain/duration.ts';
import { STATUSES } from '../../domain/events.ts';
import type { IncidentState } from '../../domain/incident.ts';
import type { Policy } from '../../domain/policy.ts';
import { filterQuery, type ParsedFilter } from '../filters.ts';
import { html, type Html } from '../html.ts';
import { utcTime } from './words.ts';

export const PAGE_SIZE = 50;

function option(value: string, label: string, selected: string): Html {
  return html`<option value="${value}"${value === selected ? html` selected` : ''}>${label}</option>`;
}

export function filterForm(policy: Policy, f: ParsedFilter, action = '/'): Html {
  const services = [...new Set(policy.pagerduty.services.map((s) => s.serviceId))];
  return html`<form class="filters" method="get" action="${action}">
<label>Search titles<input type="search" name="q" value="${f.form.q}" placeholder="words in the title"></label>
<label>Status<select name="status">${option('', 'any', f.form.status)}${STATUSES.map((s) => option(s, s, f.form.status))}</select></label>
<label>Severity<select name="severity">${option('', 'any', f.form.severity)}${policy.severities.map((s) => option(s.key, s.key, f.form.severity))}</select></label>
<label>Service<select name="service">${option('', 'any', f.form.service)}${services.map((s) => option(s, s, f.form.service))}</select></label>
<label>Customer<select name="customer">${option('', 'any', f.form.customer)}${policy.customers.map((c) => option(c.id, c.name, f.form.customer))}</select></label>
<label>Declared from<input type="date" name="from" value="${f.form.from}"></label>
<label>to<input type="date" name="to" value="${f.form.to}"></label>
<button type="submit">Filter</button> <a href="${action}">Clear</a>
</form>`;
}

/** Age, next update due and whether the customer was contacted, for an incident not closed. */
export function clocks(s: IncidentState, nowMs: number): Html {
  if (s.status === 'closed') return html``;
  const age = formatDuration(nowMs - Date.parse(s.times.declaredAt));
  const due = s.status !== 'resolved' && s.nextUpdateDueAt ? Date.parse(s.nextUpdateDueAt) : undefined;
  const update = due === undefined
    ? (s.status === 'resolved' ? html`resolved, not closed` : html`<span class="late">no update posted yet</span>`)
    : due < nowMs ? html`<span class="late">update overdue by ${formatDuration(nowMs - due)}</span>` : html`next update in ${formatDuration(due - nowMs)}`;
  return html`<span class="clocks">open ${age} · ${update}${contactClock(s)}</span>`;
}

/** Whether the customers were called: each one's call item, as the checklist says (the first contact when it has none). */
function contactClock(s: IncidentState): Html | '' {
  if (s.customers.length === 0) return '';
  const notCalled = s.checklist.some(isCallItem) ? customersNotCalled(s).length : s.times.customerContactedAt ? 0 : s.customers.length;
  if (notCalled === 0) return html` · <span class="okay">customer contacted</span>`;
  if (notCalled < s.customers.length) return html` · <span class="late">${notCalled} of ${s.customers.length} customers not contacted</span>`;
  return html` · <span class="late">customer not contacted</span>`;
}

export function severityBadge(sev: string): Html {
  return html`<span class="sev sev-${/^[A-Za-z0-9_-]+$/.test(sev) ? sev : 'other'}">${sev}</span>`;
}

export function listBody(o: { incidents: IncidentState[]; total: number; unchecked: number; f: ParsedFilter; policy: Policy; nowMs: number }): Html {
  const pages = Math.max(1, Math.ceil(o.total / PAGE_SIZE));
  const rows = o.incidents.map((s) => html`<tr>
<td><a href="/incidents/${s.number}">INC-${s.number}</a></td>
<td><a href="/incidents/${s.number}">${s.title}</a>${s.private ? html` <span class="private">private</span>` : ''}<br>${clocks(s, o.nowMs)}</td>
<td>${severityBadge(s.severity)}</td>
<td class="status">${s.status}</td>
<td>${s.customers.join(', ')}</td>
<td>${utcTime(s.times.declaredAt)}</td>
</tr>`);
  return html`<h1>Incidents</h1>
${o.f.problems.length ? html`<div class="banner">${o.f.problems.join('; ')}</div>` : ''}
${o.unchecked ? html`<div class="banner">Slack could not confirm just now which private incidents you may see, so some private incidents may be left out. Reload in a minute.</div>` : ''}
${filterForm(o.policy, o.f)}
<p class="muted">${o.total} incident${o.total === 1 ? '' : 's'}${pages > 1 ? html`, page ${o.f.page} of ${pages}` : ''}. <a href="/api/incidents${filterQuery(o.f.form)}">JSON</a></p>
<table id="incidents"><thead><tr><th>#</th><th>Title</th><th>Severity</th><th>Status</th><th>Customers</th><th>Declared</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="6" class="muted">No incidents match.</td></tr>`}</tbody></table>
<nav class="pager">${o.f.page > 1 ? html`<a href="/${filterQuery(o.f.form, { page: String(o.f.page - 1) })}">← newer</a>` : ''}${o.f.page < pages ? html`<a href="/${filterQuery(o.f.form, { page: String(o.f.page + 1) })}">older →</a>` : ''}</nav>`;
}
