/**
 * `/incidents/<n>/report` and `/incidents/<n>/report/<customer id>`: the
 * drafted report as a printable page. The report drafter writes Markdown with
 * every user string escaped; markdown-it renders it with raw HTML turned off
 * (any `<tag>` in the source comes out as text) and only http(s)/mailto links.
 */
import type { ServerResponse } from 'node:http';
import MarkdownIt from 'markdown-it';
import { showIncident, type BrowseDeps } from '../../app/browse-incidents.ts';
import type { Viewer } from '../../app/incident-visibility.ts';
import { draftCustomerReport, draftReport, renderCustomerMarkdown } from '../../domain/report/index.ts';
import { html, trusted, type Html } from '../html.ts';
import { sendHtml } from '../http.ts';
import { messagePage, noIncidentPage, page } from '../layout.ts';

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
const SAFE_LINK = /^(https?:|mailto:)/i;
md.validateLink = (url: string): boolean => SAFE_LINK.test(url.trim());

/** Markdown → HTML with raw HTML disabled: the one place `trusted` wraps rendered text. */
export function renderMarkdown(markdown: string): Html {
  return trusted(md.render(markdown));
}

export function reportRoutes(d: BrowseDeps) {
  return async (viewer: Viewer, n: number, customerId: string | undefined, res: ServerResponse): Promise<void> => {
    const view = await showIncident(d, viewer, n);
    if (!view) return sendHtml(res, 404, noIncidentPage(n, viewer));
    const s = view.state;
    const markdown = draftReport(view.events.map((e) => e.event), d.policy);
    if (customerId === undefined) {
      return sendHtml(res, 200, page({
        title: `INC-${n} report`, viewer,
        body: html`<nav class="actions"><a href="/incidents/${n}">← INC-${n}</a><span class="muted">Print or save as PDF from the browser.</span></nav>
<article class="report" id="report">${renderMarkdown(markdown)}</article>`,
      }));
    }
    // The customer's own version: only what that customer may see, in its time zone, under the policy the incident ran under.
    const draft = s.customers.includes(customerId) ? draftCustomerReport(view.events.map((e) => e.event), d.policy, customerId) : undefined;
    if (!draft) {
      return sendHtml(res, 404, messagePage('Not found', [`INC-${n} has no customer "${customerId}".`, html`<a href="/incidents/${n}/report">The incident report</a>`], viewer));
    }
    return sendHtml(res, 200, page({
      title: `INC-${n} report for ${draft.customer.name}`, viewer,
      body: html`<nav class="actions"><a href="/incidents/${n}">← INC-${n}</a><span class="muted">Print or save as PDF from the browser. Nothing here is sent to ${draft.customer.name}: sending follows the Send button in the incident channel.</span></nav>
<article class="report" id="report">${renderMarkdown(renderCustomerMarkdown(draft))}</article>`,
    }));
  };
}
