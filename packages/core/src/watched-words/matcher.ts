// Watched words are literal text: a phrase never becomes a user-written regular expression. All
// phrases compile into one pattern of escaped literals (a prefix tree, see triePattern) between
// Unicode word boundaries, so matching is a single left-to-right scan with no nested quantifiers
// (nothing to backtrack catastrophically on); `\b` is avoided because it knows only ASCII letters.

export const WATCHED_ACTIONS = ['block', 'hold', 'flag', 'censor', 'tag'] as const;
export type WatchedAction = (typeof WATCHED_ACTIONS)[number];

export const WATCHED_LIMITS = { rules: 2_000, phraseMax: 100, replacementMax: 50 } as const;
export const DEFAULT_CENSOR = '■■■';

export interface WatchedRule {
  id: number;
  phrase: string;
  action: WatchedAction;
  replacement: string | null;
  tagId: number | null;
}

/** A word character for boundaries: any letter, digit, combining mark or underscore, in any script. */
const WORD = '[\\p{L}\\p{N}\\p{M}_]';

/**
 * The stored form of a phrase: Unicode NFC, whitespace runs as one space, trimmed, lower case.
 * Returns null when nothing is left.
 */
export function normalisePhrase(phrase: string): string | null {
  const clean = phrase.normalize('NFC').replace(/\s+/gu, ' ').trim().toLowerCase();
  return clean ? clean : null;
}

const escapeLiteral = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

interface TrieNode {
  end: boolean;
  next: Map<string, TrieNode>;
}

/** One token of a phrase as a pattern: a literal character, or any whitespace run for a space. */
const tokenPattern = (token: string) => (token === ' ' ? '\\s+' : escapeLiteral(token));

/**
 * The phrases as one prefix tree of literals: at each character the pattern branches only
 * between the phrases that share the prefix so far, so a scan costs about the length of the
 * text times the length of the longest phrase, whatever the number of rules. A phrase that is
 * a prefix of another makes the rest optional (greedy: the longer one wins where both match).
 */
function triePattern(phrases: Iterable<string>): string {
  const root: TrieNode = { end: false, next: new Map() };
  for (const phrase of phrases) {
    let node = root;
    for (const token of phrase) {
      let child = node.next.get(token);
      if (!child) node.next.set(token, (child = { end: false, next: new Map() }));
      node = child;
    }
    node.end = true;
  }
  const walk = (node: TrieNode): string => {
    const branches = [...node.next].map(([token, child]) => tokenPattern(token) + walk(child));
    if (!branches.length) return '';
    const group = branches.length === 1 && !node.end ? branches[0] : `(?:${branches.join('|')})`;
    return node.end ? `${group}?` : group;
  };
  return walk(root);
}

/** The phrase a match stands for (matched text compares as its normalised form). */
const phraseKey = (text: string) => normalisePhrase(text) ?? '';

export interface Match {
  phrase: string;
  text: string;
  index: number;
}

export class WatchedMatcher {
  readonly rules: readonly WatchedRule[];
  private readonly pattern: RegExp | null;
  private readonly byPhrase = new Map<string, WatchedRule[]>();

  constructor(rules: readonly WatchedRule[]) {
    if (rules.length > WATCHED_LIMITS.rules) throw new Error(`at most ${WATCHED_LIMITS.rules} watched words`);
    this.rules = rules;
    for (const rule of rules) {
      const list = this.byPhrase.get(rule.phrase) ?? [];
      list.push(rule);
      this.byPhrase.set(rule.phrase, list);
    }
    this.pattern = this.byPhrase.size ? new RegExp(`(?<!${WORD})${triePattern(this.byPhrase.keys())}(?!${WORD})`, 'giu') : null;
  }

  get empty(): boolean {
    return this.pattern === null;
  }

  /**
   * The phrase matched text stands for. Lower-casing agrees with the pattern's case folding but
   * for a few odd letters (the Kelvin sign, long s); those fall back to testing each phrase.
   */
  private phraseOf(text: string): string {
    const key = phraseKey(text);
    if (this.byPhrase.has(key)) return key;
    for (const phrase of this.byPhrase.keys()) {
      if (new RegExp(`^${[...phrase].map(tokenPattern).join('')}$`, 'iu').test(text)) return phrase;
    }
    return key;
  }

  /** Every non-overlapping match in `text`, left to right. */
  matches(text: string): Match[] {
    if (!this.pattern || !text) return [];
    return [...text.normalize('NFC').matchAll(this.pattern)].map((m) => ({ phrase: this.phraseOf(m[0]), text: m[0], index: m.index }));
  }

  /** The rules `text` triggers, each at most once, in the order first matched. */
  rulesIn(text: string): WatchedRule[] {
    const seen = new Set<WatchedRule>();
    for (const match of this.matches(text)) for (const rule of this.byPhrase.get(match.phrase) ?? []) seen.add(rule);
    return [...seen];
  }

  /** `text` with every censored phrase replaced (its replacement, or ■■■). */
  censor(text: string): string {
    if (!this.pattern || !text || !this.rules.some((r) => r.action === 'censor')) return text;
    let changed = false;
    const out = text.normalize('NFC').replace(this.pattern, (whole: string) => {
      const rule = this.byPhrase.get(this.phraseOf(whole))?.find((r) => r.action === 'censor');
      if (!rule) return whole;
      changed = true;
      return rule.replacement ?? DEFAULT_CENSOR;
    });
    // text without a censored word is kept exactly as written
    return changed ? out : text;
  }
}
