/**
 * The report at close: a Block Kit summary, plus the full Markdown as a
 * canvas, a file, or (last resort) chunked messages that each respect Block
 * Kit's limits (50 blocks per message, 3,000 characters per section).
 */
import type { IncidentState } from '../../../domain/incident.ts';
import { context, message, mrkdwnObject, section, slackDate, title, type Block } from './format.ts';
import { escapeText, md, plain } from '../mrkdwn.ts';

export const MAX_BLOCKS = 50;
export const MAX_SECTION = 3000;

export function reportSummaryMessage(s: IncidentState, where: string): { text: string; blocks: Block[] } {
  const d = (a?: string, b?: string): string => (a && b ? `${Math.round((Date.parse(b) - Date.parse(a)) / 60_000)} min` : '—');
  return message(md`Incident report drafted for ${title(s)}`, [
    { type: 'header', text: { type: 'plain_text', text: `Report: INC-${s.number}`.slice(0, 150) } },
    section(md`*${title(s)}* is closed. The drafted report is ${where}: review it and fill in what is marked _Not recorded_.`),
    {
      type: 'section',
      fields: [
        md`*Severity*\n${s.severity}`,
        md`*Impact*\n${d(s.times.impactStartedAt, s.times.resolvedAt)}`,
        md`*To customer contact*\n${d(s.times.declaredAt, s.times.customerContactedAt)}`,
        md`*To resolve*\n${d(s.times.declaredAt, s.times.resolvedAt)}`,
        md`*Status updates*\n${s.statusUpdates}`,
        md`*Actions*\n${s.actionItems.length}`,
      ].map(mrkdwnObject),
    },
    context(md`Closed ${s.times.closedAt ? slackDate(s.times.closedAt) : plain('')}`),
  ]);
}

/**
 * Splits Markdown into messages of at most 50 sections of at most 3,000
 * characters, breaking at line ends (a single longer line is hard-split).
 * Each line is escaped for mrkdwn first: the report quotes people's text, and
 * an unescaped `<…>` would become a link, a mention or a channel ping.
 */
export function chunkMarkdown(markdown: string): { text: string; blocks: Block[] }[] {
  const sections: string[] = [];
  let cur: string | undefined;
  const push = (): void => {
    if (cur) sections.push(cur);
    cur = undefined;
  };
  for (const rawLine of markdown.split('\n')) {
    let line = escapeText(rawLine);
    while (line.length > MAX_SECTION) {
      push();
      const cut = safeCut(line, MAX_SECTION);
      sections.push(line.slice(0, cut));
      line = line.slice(cut);
    }
    // A section never starts with a blank line (Slack would trim it anyway).
    if (cur === undefined && line.trim() === '') continue;
    if (cur !== undefined && cur.length + line.length + 1 > MAX_SECTION) push();
    cur = cur === undefined ? line : `${cur}\n${line}`;
  }
  push();
  const messages: { text: string; blocks: Block[] }[] = [];
  for (let i = 0; i < sections.length; i += MAX_BLOCKS) {
    const part = sections.slice(i, i + MAX_BLOCKS);
    messages.push({
      text: `Incident report (part ${messages.length + 1})`,
      blocks: part.map((t) => ({ type: 'section', text: { type: 'mrkdwn', text: t, verbatim: true } })),
    });
  }
  return messages;
}

/** Where to hard-split a long line at or before `max`: never inside a surrogate pair or an `&lt;`-style entity. */
function safeCut(line: string, max: number): number {
  let cut = max;
  const code = line.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  // After esc() every `&` starts an entity of at most five characters (`&amp;`).
  const amp = line.lastIndexOf('&', cut - 1);
  if (amp >= 0 && amp > cut - 5 && line.indexOf(';', amp) >= cut) cut = amp;
  return cut > 0 ? cut : max;
}
