import MarkdownIt from 'markdown-it';

// Only the token stream is needed, never HTML; linkify marks bare URLs and email addresses as
// links, so an `@` inside them is not read as a mention.
const md = new MarkdownIt({ html: false, linkify: true });

/** More distinct handles than this in one post are not even looked up. */
export const MENTION_CANDIDATES_MAX = 50;

// A handle as sign-up allows it (3–30 letters, digits, `_` or `-`), after an `@` that does not
// continue a word, an address or a path ("bob@example.com", "example.com/@bob").
const MENTION = /(?<![\p{L}\p{N}_.+\-/@])@([A-Za-z0-9_-]{3,30})(?![A-Za-z0-9_-])/gu;

type Token = ReturnType<MarkdownIt['parse']>[number];

/**
 * The handles @mentioned in a post's Markdown, lower-cased, distinct, in order of first
 * appearance. Code spans, code blocks and the text of automatic links (URLs, email addresses)
 * are not read.
 */
export function parseMentions(markdown: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  for (const block of md.parse(markdown, {})) {
    if (block.type !== 'inline' || !block.children) continue;
    for (const text of readableText(block.children)) {
      for (const match of text.matchAll(MENTION)) {
        const handle = match[1].toLowerCase();
        if (seen.has(handle)) continue;
        seen.add(handle);
        found.push(handle);
        if (found.length >= MENTION_CANDIDATES_MAX) return found;
      }
    }
  }
  return found;
}

/** The plain text runs of an inline token list, outside code spans and automatic links. */
function* readableText(children: Token[]): Generator<string> {
  let autolinkDepth = 0;
  for (const token of children) {
    if (token.type === 'link_open' && (token.markup === 'linkify' || token.markup === 'autolink')) autolinkDepth++;
    else if (token.type === 'link_close' && autolinkDepth > 0) autolinkDepth--;
    else if (token.type === 'text' && autolinkDepth === 0) yield token.content;
  }
}
