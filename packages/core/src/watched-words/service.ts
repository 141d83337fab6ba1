import { eq, sql } from 'drizzle-orm';
import type { Actor, Ctx } from '../context.js';
import { isStaff } from '../context.js';
import { recordAudit } from '../audit/service.js';
import type { Executor } from '../db/client.js';
import { Conflict, Invalid, NotFound } from '../errors.js';
import { appendEvent } from '../events/outbox.js';
import { tags, threadTags } from '../forum/schema.js';
import { authorize } from '../policy/index.js';
import { normalisePhrase, WATCHED_ACTIONS, WATCHED_LIMITS, WatchedMatcher, type WatchedAction, type WatchedRule } from './matcher.js';
import * as q from './queries.js';
import { watchedWords } from './schema.js';

// Watched words screen what members write: block (refused with the word named), hold (waits for
// staff approval like a new member's first post), flag (the thread enters the agents' queue with
// reason `rule`), censor (the word is replaced in the Markdown source before rendering) and tag
// (the thread gets the rule's tag). Staff are exempt: they quote such words when moderating.

export { WATCHED_ACTIONS, WATCHED_LIMITS, type WatchedAction };

export interface WatchedWord {
  id: number;
  phrase: string;
  action: WatchedAction;
  replacement: string | null;
  tag: { slug: string; name: string } | null;
  createdBy: { handle: string } | null;
  createdAt: string;
}

// ---------------------------------------------------------------------------------------------
// The compiled rules, per process. Each database handle keeps the matcher with the hash of the
// rule set it was built from; the hash is checked again at most every RECHECK_MS (another
// instance's change shows within that), and a change made here drops every cached matcher.

const RECHECK_MS = 2_000;
let generation = 0;
const compiled = new WeakMap<object, { hash: string; matcher: WatchedMatcher; checkedAt: number; generation: number }>();

const toRule = (row: q.WatchedWordRow): WatchedRule => ({ id: row.id, phrase: row.phrase, action: row.action, replacement: row.replacement, tagId: row.tagId });

/** The current rules, compiled. */
export async function loadMatcher(db: Executor): Promise<WatchedMatcher> {
  const cached = compiled.get(db);
  if (cached && cached.generation === generation && Date.now() - cached.checkedAt < RECHECK_MS) return cached.matcher;
  const seenGeneration = generation;
  const hash = await q.getRulesHash(db);
  if (cached && cached.hash === hash) {
    compiled.set(db, { ...cached, checkedAt: Date.now(), generation: seenGeneration });
    return cached.matcher;
  }
  const matcher = new WatchedMatcher((await q.listRuleRows(db)).slice(0, WATCHED_LIMITS.rules).map(toRule));
  compiled.set(db, { hash, matcher, checkedAt: Date.now(), generation: seenGeneration });
  return matcher;
}

// ---------------------------------------------------------------------------------------------
// Screening a post

export interface Verdict {
  hold: boolean;
  /** phrases of hold rules that matched */
  holding: string[];
  /** phrases of flag rules that matched */
  flagged: string[];
  tagIds: number[];
}

const CLEAR: Verdict = { hold: false, holding: [], flagged: [], tagIds: [] };

/**
 * Screens what `actor` is about to write: censors the title and the Markdown body, renders the
 * body with `render` (unless `rendered` is already the body's rendering), and matches the title and the rendered plain text. Throws Invalid naming
 * the blocked word (on `title` or `body`) for a block rule; otherwise returns the text to store
 * and what the other rules ask for. Staff are not screened.
 */
export async function screenPost<R extends { text: string }>(
  ctx: Ctx,
  actor: Actor,
  input: { title?: string; body: string; rendered?: R },
  render: (body: string) => R,
): Promise<{ title?: string; body: string; rendered: R; verdict: Verdict }> {
  const matcher = isStaff(actor.role) ? null : await loadMatcher(ctx.db);
  if (!matcher || matcher.empty) return { title: input.title, body: input.body, rendered: input.rendered ?? render(input.body), verdict: CLEAR };
  const title = input.title === undefined ? undefined : matcher.censor(input.title);
  const body = matcher.censor(input.body);
  const rendered = body === input.body && input.rendered ? input.rendered : render(body);
  const verdict: Verdict = { hold: false, holding: [], flagged: [], tagIds: [] };
  for (const [field, text] of [['title', title ?? ''], ['body', rendered.text]] as const) {
    const found = matcher.rulesIn(text);
    const blocked = found.find((r) => r.action === 'block');
    if (blocked) {
      const word = matcher.matches(text).find((m) => m.phrase === blocked.phrase)?.text ?? blocked.phrase;
      throw new Invalid({ [field]: `contains a blocked word: “${word}”` }, `Your post contains a blocked word: “${word}”`);
    }
    for (const rule of found) {
      if (rule.action === 'hold' && !verdict.holding.includes(rule.phrase)) verdict.holding.push(rule.phrase);
      if (rule.action === 'flag' && !verdict.flagged.includes(rule.phrase)) verdict.flagged.push(rule.phrase);
      if (rule.action === 'tag' && rule.tagId !== null && !verdict.tagIds.includes(rule.tagId)) verdict.tagIds.push(rule.tagId);
    }
  }
  verdict.hold = verdict.holding.length > 0;
  return { title, body, rendered, verdict };
}

/**
 * After the post is written (in its transaction): a flag verdict emits
 * watched_words.post.matched, which puts the thread in the agents' queue with reason `rule`.
 * Nothing public: the event goes to no room.
 */
export async function emitRuleMatches(tx: Executor, verdict: Verdict, post: { threadId: number; postId: number }): Promise<void> {
  if (!verdict.flagged.length) return;
  await appendEvent(tx, 'watched_words.post.matched', [], { postId: post.postId, threadId: post.threadId }, { ...post, phrases: verdict.flagged });
}

/** Adds the tag rules' tags to a thread; returns whether any was new. */
export async function addRuleTags(tx: Executor, threadId: number, tagIds: number[]): Promise<boolean> {
  if (!tagIds.length) return false;
  const added = await tx
    .insert(threadTags)
    .values(tagIds.map((tagId) => ({ threadId, tagId })))
    .onConflictDoNothing()
    .returning({ tagId: threadTags.tagId });
  return added.length > 0;
}

// ---------------------------------------------------------------------------------------------
// The console

function present(row: Awaited<ReturnType<typeof q.listRuleDetails>>[number]): WatchedWord {
  return {
    id: row.rule.id,
    phrase: row.rule.phrase,
    action: row.rule.action,
    replacement: row.rule.action === 'censor' ? row.rule.replacement : null,
    tag: row.tagSlug && row.tagName ? { slug: row.tagSlug, name: row.tagName } : null,
    createdBy: row.creatorHandle ? { handle: row.creatorHandle } : null,
    createdAt: row.rule.createdAt.toISOString(),
  };
}

/** Every watched word, oldest first (supervisors and admins; Forbidden otherwise). */
export async function listWatchedWords(ctx: Ctx): Promise<WatchedWord[]> {
  authorize(ctx.actor, 'watched_words.manage', null);
  return (await q.listRuleDetails(ctx.db)).map(present);
}

export interface CreateWatchedWordInput {
  phrase: string;
  action: WatchedAction;
  replacement?: string | null;
  tag?: string | null;
}

// Text PostgreSQL cannot store (NUL) or nobody could type into a post: control characters and
// lone surrogates.
const unusable = (s: string) => /[\p{Cc}\p{Cs}]/u.test(s.replace(/\s/gu, ' '));
const sqlLock = sql`select pg_advisory_xact_lock(hashtext('watched_words'))`;

/**
 * Adds a watched word (supervisors and admins). Invalid for an empty, overlong or unusable
 * phrase, an unknown action, a replacement on a non-censor rule, a missing or unknown tag on a
 * tag rule, or when the rule set is full; Conflict duplicate_watched_word when the phrase already
 * has that action. Audited as watched_word.created.
 */
export async function createWatchedWord(ctx: Ctx, input: CreateWatchedWordInput): Promise<WatchedWord> {
  const actor = authorize(ctx.actor, 'watched_words.manage', null);
  const fields: Record<string, string> = {};
  const phrase = typeof input.phrase === 'string' ? normalisePhrase(input.phrase) : null;
  if (typeof input.phrase === 'string' && unusable(input.phrase)) fields.phrase = 'must not contain control characters';
  else if (!phrase) fields.phrase = 'must not be empty';
  else if (phrase.length > WATCHED_LIMITS.phraseMax) fields.phrase = `must be at most ${WATCHED_LIMITS.phraseMax} characters`;
  if (!WATCHED_ACTIONS.includes(input.action)) fields.action = `must be one of ${WATCHED_ACTIONS.join(', ')}`;
  const replacement = input.replacement?.trim() || null;
  if (replacement !== null) {
    if (input.action !== 'censor') fields.replacement = 'only censor rules have a replacement';
    else if (replacement.length > WATCHED_LIMITS.replacementMax || unusable(replacement)) {
      fields.replacement = `must be at most ${WATCHED_LIMITS.replacementMax} characters, without control characters`;
    }
  }
  const tagSlug = input.tag?.trim().toLowerCase() || null;
  if (input.action === 'tag' && !tagSlug) fields.tag = 'a tag rule needs a tag';
  if (input.action !== 'tag' && tagSlug) fields.tag = 'only tag rules have a tag';
  if (Object.keys(fields).length) throw new Invalid(fields);
  let tagId: number | null = null;
  if (tagSlug) {
    const [tag] = await ctx.db.select({ id: tags.id }).from(tags).where(eq(tags.slug, tagSlug));
    if (!tag) throw new Invalid({ tag: `unknown tag: ${tagSlug}` });
    tagId = tag.id;
  }
  const now = ctx.now();
  const id = await ctx.db.transaction(async (tx) => {
    // one rule set: adding serialises with itself so the cap holds
    await tx.execute(sqlLock);
    if ((await q.countRules(tx)) >= WATCHED_LIMITS.rules) throw new Invalid({ phrase: `at most ${WATCHED_LIMITS.rules} watched words; remove some first` });
    const [row] = await tx
      .insert(watchedWords)
      .values({ phrase: phrase!, action: input.action, replacement, tagId, createdById: actor.id, createdAt: now })
      .onConflictDoNothing()
      .returning({ id: watchedWords.id });
    if (!row) throw new Conflict('duplicate_watched_word', `“${phrase}” is already watched with the action ${input.action}`);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'watched_word.created',
      subjectType: 'watched_word',
      subjectId: row.id,
      data: { phrase, action: input.action, replacement, tag: tagSlug },
      at: now,
    });
    return row.id;
  });
  generation++;
  return present((await q.listRuleDetails(ctx.db)).find((r) => r.rule.id === id)!);
}

/** Removes a watched word (supervisors and admins); NotFound when there is none. Audited as watched_word.deleted. */
export async function deleteWatchedWord(ctx: Ctx, id: number): Promise<void> {
  const actor = authorize(ctx.actor, 'watched_words.manage', null);
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.delete(watchedWords).where(eq(watchedWords.id, id)).returning();
    if (!row) throw new NotFound('Watched word', 'watched_word_not_found');
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'watched_word.deleted',
      subjectType: 'watched_word',
      subjectId: id,
      data: { phrase: row.phrase, action: row.action, replacement: row.replacement, tagId: row.tagId },
      at: ctx.now(),
    });
  });
  generation++;
}
