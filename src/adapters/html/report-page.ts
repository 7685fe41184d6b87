/**
 * A report (internal or customer) as one standalone, printable HTML page:
 * no scripts, no external assets, styles inline, A4-friendly print rules.
 * The Markdown comes from the domain's drafters, which escape user text;
 * markdown-it runs with raw HTML off, so a note holding `<script>` stays text.
 */
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
// Only web and mail links: a `javascript:` target in user text must not become a link.
md.validateLink = (url: string): boolean => /^(https?:|mailto:)/i.test(url.trim());

// Links open outside the page and never pass the report's address on.
const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]?.attrSet('rel', 'noopener noreferrer');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const STYLE = `
  :root { color-scheme: light; }
  body { font: 15px/1.55 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1d1d1f; max-width: 52rem; margin: 2rem auto; padding: 0 1.5rem; }
  h1 { font-size: 1.6rem; margin: 0 0 .5rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 1px solid #d2d2d7; padding-bottom: .25rem; }
  h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; } ul { padding-left: 1.3rem; } li { margin: .15rem 0; }
  table { border-collapse: collapse; width: 100%; font-size: .9rem; } th, td { border: 1px solid #d2d2d7; padding: .3rem .5rem; text-align: left; vertical-align: top; }
  th { background: #f5f5f7; } code { font-size: .85em; background: #f5f5f7; padding: 0 .2em; border-radius: 3px; }
  a { color: #0b57d0; } hr { border: 0; border-top: 1px solid #d2d2d7; margin: 2rem 0 1rem; }
  @page { size: A4; margin: 18mm 16mm; }
  @media print { body { margin: 0; max-width: none; font-size: 11pt; } a { color: inherit; text-decoration: none; } h2 { break-after: avoid; } li, tr { break-inside: avoid; } }
`;

/** The page for `markdown`, titled `title`. */
export function renderReportPage(markdown: string, title: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    md.render(markdown).trimEnd(),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
