import { describe, expect, it } from 'vitest';
import { normalisePhrase, WatchedMatcher, type WatchedAction, type WatchedRule } from './matcher.js';

let nextId = 1;
const rule = (phrase: string, action: WatchedAction, extra: Partial<WatchedRule> = {}): WatchedRule => ({
  id: nextId++,
  phrase: normalisePhrase(phrase)!,
  action,
  replacement: null,
  tagId: null,
  ...extra,
});
const phrasesIn = (m: WatchedMatcher, text: string) => m.matches(text).map((x) => x.phrase);

describe('normalisePhrase', () => {
  it('trims, joins whitespace runs with one space and lower-cases; nothing left is null', () => {
    expect(normalisePhrase('  Buy \t\n FOLLOWERS ')).toBe('buy followers');
    expect(normalisePhrase(' \u00a0\n')).toBeNull();
    // NFC: a decomposed é is stored composed
    expect(normalisePhrase('Cafe\u0301')).toBe('café');
  });
});

describe('WatchedMatcher', () => {
  it('matches whole words and phrases only', () => {
    const m = new WatchedMatcher([rule('buy followers', 'block'), rule('darn', 'censor')]);
    expect(phrasesIn(m, 'Want to buy followers today?')).toEqual(['buy followers']);
    expect(phrasesIn(m, 'buy followersXYZ and xbuy followers and buy_followers')).toEqual([]);
    expect(phrasesIn(m, 'darn. (darn) "darn"! darn')).toEqual(['darn', 'darn', 'darn', 'darn']);
    expect(phrasesIn(m, 'darned darning undarn darn_it darn1')).toEqual([]);
  });

  it('ignores case and spacing between the words of a phrase', () => {
    const m = new WatchedMatcher([rule('buy followers', 'block')]);
    expect(m.matches('BUY   Followers\nnow').map((x) => x.text)).toEqual(['BUY   Followers']);
    expect(phrasesIn(m, 'buy\nfollowers')).toEqual(['buy followers']);
  });

  it('uses Unicode word boundaries: letters of any script and accents are part of a word', () => {
    const m = new WatchedMatcher([rule('Straße', 'block'), rule('café', 'flag'), rule('дурак', 'censor'), rule('cafe', 'flag')]);
    expect(phrasesIn(m, 'Die STRASSE? die Straße!')).toEqual(['straße']);
    expect(phrasesIn(m, 'Hauptstraße')).toEqual([]);
    expect(phrasesIn(m, 'un CAFÉ noir, cafés')).toEqual(['café']);
    // a decomposed é is the same letter, and an accent continues the word
    expect(phrasesIn(m, 'un cafe\u0301')).toEqual(['café']);
    expect(phrasesIn(m, 'ДУРАК, дураки')).toEqual(['дурак']);
    expect(phrasesIn(m, 'cafeé')).toEqual([]);
  });

  it('treats every phrase as literal text, never as a regular expression', () => {
    const m = new WatchedMatcher([rule('a.c', 'block'), rule('(a+)+$', 'block'), rule('[x]', 'block'), rule('\\d', 'block')]);
    expect(phrasesIn(m, 'abc aac')).toEqual([]);
    expect(phrasesIn(m, 'a.c')).toEqual(['a.c']);
    expect(phrasesIn(m, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!')).toEqual([]);
    expect(phrasesIn(m, 'see (a+)+$ and [x] and \\d, not 5')).toEqual(['(a+)+$', '[x]', '\\d']);
  });

  it('prefers the longer of two phrases starting at the same place', () => {
    const m = new WatchedMatcher([rule('refund', 'flag'), rule('refund scam', 'block')]);
    expect(phrasesIn(m, 'a refund scam and a refund')).toEqual(['refund scam', 'refund']);
  });

  it('lists each triggered rule once, with every action a phrase has', () => {
    const block = rule('spam', 'block');
    const flag = rule('spam', 'flag');
    const m = new WatchedMatcher([block, flag, rule('other', 'hold')]);
    expect(m.rulesIn('spam spam SPAM')).toEqual([block, flag]);
    expect(m.rulesIn('nothing here')).toEqual([]);
  });

  it('censors with the replacement or ■■■, and leaves other text exactly as written', () => {
    const m = new WatchedMatcher([rule('darn', 'censor'), rule('heck', 'censor', { replacement: 'h*ck' }), rule('buy followers', 'flag')]);
    expect(m.censor('Darn it, what the HECK; darned buy followers')).toBe('■■■ it, what the h*ck; darned buy followers');
    const decomposed = 'cafe\u0301 is fine';
    expect(m.censor(decomposed)).toBe(decomposed);
    expect(new WatchedMatcher([rule('darn', 'flag')]).censor('darn')).toBe('darn');
  });

  it('refuses more than 2,000 rules', () => {
    const many = Array.from({ length: 2_001 }, (_, i) => rule(`word${i}`, 'flag'));
    expect(() => new WatchedMatcher(many)).toThrow(/at most 2000/);
  });

  it('matches 2,000 rules against a 20,000-character body in well under a second', () => {
    const rules = Array.from({ length: 2_000 }, (_, i) => rule(`forbidden${i} phrase${i % 7}`, i % 2 ? 'flag' : 'censor'));
    const m = new WatchedMatcher(rules);
    const words = 'the quick brown fox jumps over a lazy dog and forbidden12 phrase5 then ';
    const body = words.repeat(Math.ceil(20_000 / words.length)).slice(0, 20_000);
    // text built to make a naive matcher retry: long runs, and a prefix every rule shares
    const hostile = [' '.repeat(10_000) + 'a'.repeat(10_000), 'forbidden1 '.repeat(1_800), `forbidden1${' '.repeat(19_000)}x`];
    const started = performance.now();
    const found = m.rulesIn(body);
    m.censor(body);
    for (const text of hostile) expect(m.rulesIn(text)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(found.map((r) => r.phrase)).toEqual(['forbidden12 phrase5']);
  });
});
