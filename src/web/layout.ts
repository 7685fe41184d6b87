/** The page shell every web view page shares: head, top bar with the signed-in person, and sign-out. */
import { STYLESHEET, LIVE_SCRIPT } from './assets.ts';
import { html, type Html } from './html.ts';

export interface PageOptions {
  title: string;
  /** The signed-in person, when there is one. */
  viewer?: { name: string };
  body: Html;
  /** Load the live-update script. */
  live?: boolean;
}

export function page(o: PageOptions): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · Kranz</title>
<link rel="stylesheet" href="${STYLESHEET.path}">
</head><body>
<header class="top"><a href="/">Kranz</a><a href="/">Incidents</a><a href="/analytics">Analytics</a>
${o.viewer
    ? html`<span class="who">Signed in as ${o.viewer.name}<form method="post" action="/logout"><button type="submit">Sign out</button></form></span>`
    : ''}
</header>
<main>${o.body}</main>
${o.live ? html`<script src="${LIVE_SCRIPT.path}" defer></script>` : ''}
</body></html>`;
}

/** A page that only says something (errors, refusals, the web view being off). */
export function messagePage(title: string, paragraphs: (string | Html)[], viewer?: { name: string }): Html {
  return page({ title, ...(viewer ? { viewer } : {}), body: html`<h1>${title}</h1>${paragraphs.map((p) => html`<p>${p}</p>`)}` });
}

/**
 * Why an incident number is not shown, in one sentence for every case (none,
 * not yours to see, Slack not saying right now whether you are in its
 * channel): identical, so a private incident leaves no trace.
 */
export function noIncidentReason(n: number): string {
  return `There is no incident INC-${n} that you can see. If you expected one: Kranz may not have been able to check with Slack just now that you are in its channel, so try again in a minute.`;
}

/** The one page for "no such incident" and "not yours to see" (see {@link noIncidentReason}). */
export function noIncidentPage(n: number, viewer: { name: string }): Html {
  return messagePage('Not found', [noIncidentReason(n), html`<a href="/">All incidents</a>`], viewer);
}

/** The answer for a path Kranz has no page at. */
export function notFoundPage(path: string, viewer: { name: string }): Html {
  return messagePage('Not found', [`Kranz has no page at ${path}.`, html`<a href="/">All incidents</a>`], viewer);
}
