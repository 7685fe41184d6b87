/** The template tag escapes every interpolation; only `trusted` (Kranz's own markup) passes through. */
import { describe, expect, it } from 'vitest';
import { html, trusted } from '../../src/web/html.ts';
import { renderMarkdown } from '../../src/web/pages/report.ts';

describe('html template', () => {
  it('escapes strings, numbers-as-text and objects; keeps nested templates; drops null, undefined and booleans', () => {
    const title = `<script>alert("x")</script> & 'q'`;
    const out = String(html`<p title="${title}">${title}${[html`<b>${'<i>'}</b>`, '<u>']}${undefined}${null}${false}${{ toString: () => '<o>' }}${7}</p>`);
    expect(out).toBe('<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;<b>&lt;i&gt;</b>&lt;u&gt;&lt;o&gt;7</p>');
  });

  it('passes trusted markup through unchanged', () => {
    expect(String(html`<div>${trusted('<svg></svg>')}</div>`)).toBe('<div><svg></svg></div>');
  });

  it('refuses a promise instead of rendering it later', () => {
    expect(() => html`${Promise.resolve('x')}`).toThrow(/promise/);
  });
});

describe('report Markdown', () => {
  it('renders raw HTML in the source as text and drops javascript: links', () => {
    const out = String(renderMarkdown('# Title <script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) [ok](https://example.com)'));
    expect(out).not.toMatch(/<script|<img|href="javascript/);
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).toContain('<a href="https://example.com">ok</a>');
  });
});
