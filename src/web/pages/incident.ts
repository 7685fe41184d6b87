/** `/incidents/<n>`: header, checklist with owners and deadlines, and the timeline (live while open). */
import type { LoggedEvent } from '../../app/web-ports.ts';
import type { IncidentEvent } from '../../domain/events.ts';
import type { IncidentState } from '../../domain/incident.ts';
import { withheldNoteText, type WithheldText } from '../../domain/withheld-notes.ts';
import { html, type Html } from '../html.ts';
import { clocks, severityBadge } from './list.ts';
import { actorName, describeEvent, roleWord, utcTime } from './words.ts';

/** http(s) links only: anything else in an href could run script. */
function safeHref(url: string | undefined): string | undefined {
  return url && /^https?:\/\/[^\s"'<>]+$/i.test(url) ? url : undefined;
}

export function incidentHeader(s: IncidentState, o: { nowMs: number; slackTeamUrl?: string }): Html {
  const roles = Object.entries(s.roles).map(([role, user]) => html`${roleWord(role)}: ${user}<br>`);
  const channel = s.channelId
    ? html`<a href="${`https://slack.com/app_redirect?channel=${encodeURIComponent(s.channelId)}`}">#${s.channelName ?? s.channelId}</a>`
    : html`<span class="muted">no channel yet</span>`;
  const pd = s.pagerDutyIncidents.map((p) => {
    const href = safeHref(p.url);
    const label = `PagerDuty ${p.number !== undefined ? `#${p.number}` : p.id}`;
    return href ? html`<a href="${href}">${label}</a> ` : html`${label} `;
  });
  return html`<section id="incident-header" class="card">
<h1>INC-${s.number}: ${s.title} ${severityBadge(s.severity)} ${s.private ? html`<span class="private">private</span>` : ''}</h1>
<p>${clocks(s, o.nowMs)}</p>
<dl class="facts">
<dt>Status</dt><dd id="incident-status">${s.status}</dd>
<dt>Declared</dt><dd>${utcTime(s.times.declaredAt)}</dd>
${s.times.resolvedAt ? html`<dt>Resolved</dt><dd>${utcTime(s.times.resolvedAt)}</dd>` : ''}
${s.times.closedAt ? html`<dt>Closed</dt><dd>${utcTime(s.times.closedAt)}</dd>` : ''}
<dt>Roles</dt><dd>${roles.length ? roles : html`<span class="muted">none assigned</span>`}</dd>
<dt>Customers</dt><dd>${s.customers.length ? s.customers.join(', ') : html`<span class="muted">none</span>`}</dd>
<dt>Slack</dt><dd>${channel}</dd>
<dt>PagerDuty</dt><dd>${pd.length ? pd : html`<span class="muted">not linked</span>`}</dd>
${s.description ? html`<dt>Impact</dt><dd>${s.description}</dd>` : ''}
</dl>
</section>`;
}

export function checklist(s: IncidentState, nowMs: number): Html {
  if (!s.checklist.length) return html``;
  return html`<h2>Checklist</h2><table id="checklist"><thead><tr><th>Item</th><th>Due</th><th>Done</th></tr></thead><tbody>
${s.checklist.map((i) => {
    const late = !i.doneAt && i.dueAt && Date.parse(i.dueAt) < nowMs;
    return html`<tr><td>${i.title}</td><td${late ? html` class="late"` : ''}>${i.dueAt ? utcTime(i.dueAt) : '—'}</td><td>${i.doneAt ? html`✓ ${utcTime(i.doneAt)}${i.doneBy ? ` by ${i.doneBy}` : ''}` : html`<span class="muted">open</span>`}</td></tr>`;
  })}
</tbody></table>`;
}

/** The Slack message a line's note text came from: a live page withholds the lines of a message deleted after they were shown. */
function messageTsOf(e: IncidentEvent): string | undefined {
  if (e.type === 'note_added') return e.data.messageTs;
  return e.type === 'message_edited' ? e.data.messageTs : undefined;
}

/** Timeline items; also what live updates send. */
export function timelineItems(events: readonly LoggedEvent[], withheld: WithheldText): Html {
  return html`${events.map(({ seq, event: e }) => {
    const ts = messageTsOf(e);
    return html`<li data-seq="${seq}"${ts ? html` data-ts="${ts}" data-type="${e.type}"` : ''}><time datetime="${e.occurredAt}">${utcTime(e.occurredAt)}</time><span>${describeEvent(e, withheld(e))} <span class="muted">· ${actorName(e.actor)}</span></span></li>`;
  })}`;
}

export function incidentBody(o: { state: IncidentState; events: readonly LoggedEvent[]; lastSeq: number; truncated: boolean; nowMs: number }): Html {
  const s = o.state;
  const live = s.status !== 'closed';
  return html`${incidentHeader(s, { nowMs: o.nowMs })}
<nav class="actions"><a href="/incidents/${s.number}/report">Incident report</a>${s.customers.map((c) => html`<a href="/incidents/${s.number}/report/${encodeURIComponent(c)}">Report for ${c}</a>`)}<a href="/api/incidents/${s.number}">JSON</a></nav>
${checklist(s, o.nowMs)}
<h2>Timeline <span class="muted">(<span id="event-count">${o.events.length}</span> events)</span> ${live ? html`<span id="live-status" class="live">Live updates are on.</span>` : ''}</h2>
${o.truncated ? html`<div class="banner">Only the first ${o.events.length} events are shown; the JSON API pages through the rest.</div>` : ''}
<ol id="timeline" class="timeline"${live ? html` data-stream="/incidents/${s.number}/live?after=${o.lastSeq}"` : ''}>${timelineItems(o.events, withheldNoteText(s.notes, o.events.map((e) => e.event)))}</ol>`;
}
