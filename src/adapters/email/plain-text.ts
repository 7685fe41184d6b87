/**
 * Markdown made into plain text for an email body: the customer report is
 * written as Markdown (escaped, with emphasis) and a mail client shows a
 * text/plain body as is, so `payment\_api` and `**When:**` would reach the
 * customer verbatim. markdown-it (already used for the report's web page)
 * parses it; this walks its tokens and writes text, never HTML: escapes
 * resolved, emphasis markers dropped, headings set off (the title in capitals,
 * sections underlined), lists kept as `- ` and `1. ` lines, links followed by
 * their address.
 */
import MarkdownIt from 'markdown-it';

type Token = ReturnType<InstanceType<typeof MarkdownIt>['parse']>[number];

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });

export function markdownToPlainText(markdown: string): string {
  const out: string[] = [];
  const lists: { ordered: boolean; n: number }[] = [];
  let prefix = '';
  let heading = 0;
  let cell = 0;
  for (const t of md.parse(markdown, {})) {
    switch (t.type) {
      case 'heading_open': heading = Number(t.tag.slice(1)); break;
      case 'bullet_list_open': lists.push({ ordered: false, n: 0 }); break;
      case 'ordered_list_open': lists.push({ ordered: true, n: Number(t.attrGet('start') ?? 1) - 1 }); break;
      case 'bullet_list_close': case 'ordered_list_close': lists.pop(); if (!lists.length) out.push(''); break;
      case 'list_item_open': {
        const l = lists[lists.length - 1]!;
        l.n += 1;
        prefix = `${'  '.repeat(lists.length - 1)}${l.ordered ? `${l.n}. ` : '- '}`;
        break;
      }
      case 'paragraph_close': if (!t.hidden) out.push(''); break;
      case 'tr_open': cell = 0; break;
      case 'th_open': case 'td_open': if (cell++ > 0) out[out.length - 1] += ' | '; else out.push(''); break;
      case 'table_close': out.push(''); break;
      case 'hr': out.push('----', ''); break;
      case 'fence': case 'code_block': out.push(...t.content.replace(/\n$/, '').split('\n').map((l) => `    ${l}`), ''); break;
      case 'inline': {
        const text = inline(t.children ?? []);
        if (cell > 0) { out[out.length - 1] += text; break; }
        if (heading) {
          // A title in capitals, a section underlined: readable in any mail client's fixed or proportional font.
          if (heading === 1) out.push(text.toUpperCase(), '');
          else if (heading === 2) out.push(text, '-'.repeat(text.length), '');
          else out.push(text, '');
          heading = 0;
          break;
        }
        const indent = ' '.repeat(prefix.length || lists.length * 2);
        const lines = text.split('\n');
        out.push(`${prefix || (lists.length ? indent : '')}${lines[0]}`, ...lines.slice(1).map((l) => (lists.length ? indent : '') + l));
        prefix = '';
        break;
      }
      default: break;
    }
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim() + '\n';
}

function inline(children: Token[]): string {
  let s = '';
  const links: string[] = [];
  for (const c of children) {
    switch (c.type) {
      case 'text': case 'code_inline': s += c.content; break;
      case 'softbreak': case 'hardbreak': s += '\n'; break;
      case 'image': s += c.content; break;
      case 'link_open': links.push(String(c.attrGet('href') ?? '')); s += '\u0000'; break;
      case 'link_close': {
        const href = links.pop() ?? '';
        const start = s.lastIndexOf('\u0000');
        const label = s.slice(start + 1);
        s = s.slice(0, start) + (href && href !== label ? `${label} (${href})` : label);
        break;
      }
      default: break; // emphasis markers and the like carry no text
    }
  }
  return s;
}
