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
import { draftReport } from '../../domain/report/index.ts';
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
    const customer = d.policy.customers.find((c) => c.id === customerId);
    if (!customer || !s.customers.includes(customerId)) {
      return sendHtml(res, 404, messagePage('Not found', [`INC-${n} has no customer "${customerId}".`, html`<a href="/incidents/${n}/report">The incident report</a>`], viewer));
    }
    // Customer reports (per customer, only what the customer may see) are drafted by the report work that is
    // still to land; until then this page shows the internal draft, marked so nobody sends it as it is.
    return sendHtml(res, 200, page({
      title: `INC-${n} report for ${customer.name}`, viewer,
      body: html`<nav class="actions"><a href="/incidents/${n}">← INC-${n}</a><span class="muted">Print or save as PDF from the browser.</span></nav>
<div class="banner noprint" id="internal-draft">This is the internal draft, not yet a customer version: it may hold internal notes and names. Review it before anything reaches ${customer.name}.</div>
<article class="report" id="report"><p class="muted">Prepared for ${customer.name} (main contact ${customer.mainContact.name})</p>${renderMarkdown(markdown)}</article>`,
    }));
  };
}
