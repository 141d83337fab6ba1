import { describe, expect, it } from 'vitest';
import { MENTION_CANDIDATES_MAX, parseMentions } from './mentions.js';

describe('parseMentions', () => {
  it('finds handles in prose, lower-cased, once each, in order', () => {
    expect(parseMentions('Thanks @Alice and @bob_2! Also @ALICE again, and (@carol-x).')).toEqual(['alice', 'bob_2', 'carol-x']);
  });

  it('reads mentions inside emphasis, lists, quotes and link text', () => {
    expect(parseMentions('**@dora**\n\n- item for @erin\n\n> quoting @frank\n\n[ask @gina](https://example.com)')).toEqual(['dora', 'erin', 'frank', 'gina']);
  });

  it('ignores code spans, fenced and indented code blocks', () => {
    const markdown = ['Run `@decorator` here', '', '```ts', '@Component() // @nobody', '```', '', '    @indented', '', 'but ping @real'].join('\n');
    expect(parseMentions(markdown)).toEqual(['real']);
  });

  it('ignores email addresses, URLs and handles glued to words', () => {
    expect(parseMentions('Mail bob@example.com or see https://example.com/@carol and mailto:dan@example.org; foo@@bar x@yz')).toEqual([]);
  });

  it('ignores what is too short or too long to be a handle', () => {
    expect(parseMentions('@ab @' + 'a'.repeat(31) + ' @' + 'b'.repeat(30))).toEqual(['b'.repeat(30)]);
  });

  it('stops collecting after the cap', () => {
    const many = Array.from({ length: MENTION_CANDIDATES_MAX + 20 }, (_, i) => `@user${i}`).join(' ');
    expect(parseMentions(many)).toHaveLength(MENTION_CANDIDATES_MAX);
  });
});
