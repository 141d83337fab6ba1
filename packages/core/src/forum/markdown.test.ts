import { describe, expect, it } from 'vitest';
import { escapeHtml, renderMarkdown } from './markdown.js';

/** Every element in sanitised HTML with its attributes (the sanitiser always double-quotes values). */
function elements(html: string): Array<{ tag: string; attrs: Record<string, string> }> {
  return [...html.matchAll(/<([a-z][a-z0-9]*)((?:\s+[a-z-]+(?:="[^"]*")?)*)\s*\/?>/gi)].map(([, tag, rest]) => ({
    tag: tag.toLowerCase(),
    attrs: Object.fromEntries([...rest.matchAll(/([a-z-]+)(?:="([^"]*)")?/gi)].map(([, name, value]) => [name.toLowerCase(), value ?? ''])),
  }));
}

function expectInert(html: string) {
  expect(html).not.toMatch(/<\s*(script|iframe|object|embed|style|svg|math|form|input)/i);
  for (const { tag, attrs } of elements(html)) {
    for (const [name, value] of Object.entries(attrs)) {
      expect(name, `<${tag} ${name}>`).not.toMatch(/^on/);
      if (name === 'href' || name === 'src') expect(value.trim(), `<${tag} ${name}>`).toMatch(/^(https?:|mailto:)/i);
    }
  }
}

describe('renderMarkdown: formatting', () => {
  it('renders emphasis, code and lists', () => {
    const { html, text } = renderMarkdown('**bold** _em_ `x < y`\n\n- one\n- two');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>em</em>');
    expect(html).toContain('<code>x &lt; y</code>');
    expect(html).toContain('<ul>\n<li>one</li>\n<li>two</li>\n</ul>');
    expect(text).toBe('bold em x < y one two');
  });

  it('keeps the language class of fenced code and escapes its content', () => {
    const { html } = renderMarkdown('```js\nif (a < b && c) {}\n```');
    expect(html).toBe('<pre><code class="language-js">if (a &lt; b &amp;&amp; c) {}\n</code></pre>\n');
  });

  it('keeps table alignment but no other style', () => {
    const { html } = renderMarkdown('| a | b |\n|:-:|--:|\n| 1 | 2 |');
    expect(html).toContain('<th style="text-align:center">a</th>');
    expect(html).toContain('<td style="text-align:right">2</td>');
  });

  it('keeps images from http(s) sources', () => {
    expect(renderMarkdown('![diagram](https://example.com/d.png)').html).toContain('<img src="https://example.com/d.png" alt="diagram" />');
  });

  it('produces no text for whitespace, so callers can refuse an empty body', () => {
    expect(renderMarkdown('  \n\t ')).toEqual({ html: '', text: '' });
  });

  it('gives plain text with entities decoded and whitespace collapsed', () => {
    expect(renderMarkdown('# Tom &amp; Jerry\n\n"quoted"   <3').text).toBe('Tom & Jerry "quoted" <3');
  });
});

describe('renderMarkdown: links', () => {
  it('marks every link nofollow ugc and opens it in a new tab', () => {
    const { html } = renderMarkdown('[docs](https://example.com/docs "Docs")');
    const [a] = elements(html).filter((e) => e.tag === 'a');
    expect(a.attrs).toEqual({ href: 'https://example.com/docs', title: 'Docs', rel: 'nofollow ugc noopener', target: '_blank' });
  });

  it('linkifies bare URLs with the same rel', () => {
    const { html } = renderMarkdown('see https://example.com/x for more');
    expect(html).toContain('<a href="https://example.com/x" rel="nofollow ugc noopener" target="_blank">https://example.com/x</a>');
  });

  it('allows mailto links', () => {
    expect(renderMarkdown('[mail us](mailto:help@example.com)').html).toContain('href="mailto:help@example.com"');
  });
});

describe('renderMarkdown: sanitising', () => {
  const attacks = {
    'script tag': '<script>alert(1)</script>',
    'img onerror': '<img src=x onerror=alert(1)>',
    'inline handler on a link': '<a href="https://example.com" onclick="alert(1)">x</a>',
    'javascript link': '[click](javascript:alert(1))',
    'javascript link, mixed case': '[click](JaVaScRiPt:alert(1))',
    'javascript link, entity-encoded': '[click](jav&#x61;script:alert(1))',
    'javascript link, autolink': '<javascript:alert(1)>',
    'javascript image': '![x](javascript:alert(1))',
    'vbscript link': '[x](vbscript:msgbox(1))',
    'data: html link': '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    'data: image': '![x](data:image/png;base64,iVBORw0KGgo=)',
    'quote breaking out of a title': '[x](https://example.com "a\\" onmouseover=\\"alert(1)")',
    iframe: '<iframe src="https://evil.example"></iframe>',
    'svg onload': '<svg onload=alert(1)>',
    'style tag': '<style>body{display:none}</style>',
    'html inside a table cell': '| a |\n|---|\n| <img src=x onerror=alert(1)> |',
  };

  for (const [name, markdown] of Object.entries(attacks)) {
    it(`neutralises ${name}`, () => expectInert(renderMarkdown(markdown).html));
  }

  it('shows raw HTML as text instead of dropping it', () => {
    const { html, text } = renderMarkdown('Why does <script>alert(1)</script> not run?');
    expect(html).toBe('<p>Why does &lt;script&gt;alert(1)&lt;/script&gt; not run?</p>\n');
    expect(text).toBe('Why does <script>alert(1)</script> not run?');
  });

  it('never emits an href with the javascript: scheme', () => {
    for (const markdown of [attacks['javascript link'], attacks['javascript link, mixed case'], attacks['javascript link, entity-encoded']]) {
      expect(renderMarkdown(markdown).html).not.toMatch(/href="\s*javascript:/i);
    }
  });

  it('drops an image whose source is not http(s)', () => {
    expect(renderMarkdown(attacks['data: image']).html).toBe('<p><img alt="x" /></p>\n');
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('leaves other text alone', () => {
    expect(escapeHtml('plain text, ünïcode ✓')).toBe('plain text, ünïcode ✓');
  });
});
