import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { recordAudit } from '../audit/service.js';
import type { Executor } from '../db/client.js';
import { Conflict, Invalid, NotFound } from '../errors.js';
import { renderMarkdown } from '../forum/markdown.js';
import { posts, threads } from '../forum/schema.js';
import { decodeCursor, emitThreadUpdated, encodeCursor } from '../forum/service.js';
import { authorize } from '../policy/index.js';
import { kbArticles } from './schema.js';

// The knowledge base: staff promote a solved thread to an article (a title and the answer,
// cleaned up), which links back to its thread, is listed and searchable in the forum, and is
// suggested to members while they type a new question, before they post it. Articles of a
// deleted or held thread are hidden with it.

export const KB_LIMITS = { titleMin: 5, titleMax: 200, bodyMax: 20_000, pageDefault: 20, pageMax: 50, queryMax: 200, suggestMax: 5 } as const;

export interface ArticleSummary {
  id: number;
  title: string;
  /** the first words of the article, plain text */
  excerpt: string;
  thread: { id: number; title: string };
  createdAt: string;
  updatedAt: string;
}

export interface Article extends ArticleSummary {
  bodyHtml: string;
  bodyMarkdown: string;
}

type Row = {
  id: number;
  title: string;
  bodyText: string;
  bodyHtml: string;
  bodyMarkdown: string;
  threadId: number;
  threadTitle: string;
  createdAt: Date;
  updatedAt: Date;
};

const EXCERPT = 240;

function excerpt(text: string): string {
  if (text.length <= EXCERPT) return text;
  const cut = text.slice(0, EXCERPT);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), EXCERPT - 40))}…`;
}

const presentSummary = (r: Row): ArticleSummary => ({
  id: r.id,
  title: r.title,
  excerpt: excerpt(r.bodyText),
  thread: { id: r.threadId, title: r.threadTitle },
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

const present = (r: Row): Article => ({ ...presentSummary(r), bodyHtml: r.bodyHtml, bodyMarkdown: r.bodyMarkdown });

/** Articles whose thread is public: not deleted, not held. */
function selectArticles(db: Executor) {
  return db
    .select({
      id: kbArticles.id,
      title: kbArticles.title,
      bodyText: kbArticles.bodyText,
      bodyHtml: kbArticles.bodyHtml,
      bodyMarkdown: kbArticles.bodyMarkdown,
      threadId: kbArticles.threadId,
      threadTitle: threads.title,
      createdAt: kbArticles.createdAt,
      updatedAt: kbArticles.updatedAt,
    })
    .from(kbArticles)
    .innerJoin(threads, and(eq(threads.id, kbArticles.threadId), isNull(threads.deletedAt), isNull(threads.heldAt)));
}

function checkInput(input: { title: string; body: string }): { title: string; body: string } {
  const title = input.title.replace(/\s+/g, ' ').trim();
  const body = input.body.trim();
  const fields: Record<string, string> = {};
  if (title.length < KB_LIMITS.titleMin) fields.title = `must be at least ${KB_LIMITS.titleMin} characters`;
  else if (title.length > KB_LIMITS.titleMax) fields.title = `must be at most ${KB_LIMITS.titleMax} characters`;
  if (!body) fields.body = 'must not be empty';
  else if (body.length > KB_LIMITS.bodyMax) fields.body = `must be at most ${KB_LIMITS.bodyMax} characters`;
  if (Object.keys(fields).length) throw new Invalid(fields);
  return { title, body };
}

/** The thread, which must be a live, public question solved by an accepted answer. */
async function solvedThread(db: Executor, threadId: number, lock = false) {
  const query = db
    .select({ id: threads.id, title: threads.title, acceptedPostId: threads.acceptedPostId })
    .from(threads)
    .where(and(eq(threads.id, threadId), isNull(threads.deletedAt), isNull(threads.heldAt)));
  const [thread] = lock ? await query.for('update') : await query;
  if (!thread) throw new NotFound('Thread', 'thread_not_found');
  if (!thread.acceptedPostId) throw new Conflict('not_solved', 'Only a solved thread can become an article: accept an answer first');
  return thread as typeof thread & { acceptedPostId: number };
}

async function articleOfThread(db: Executor, threadId: number): Promise<number | null> {
  const [row] = await db.select({ id: kbArticles.id }).from(kbArticles).where(eq(kbArticles.threadId, threadId));
  return row?.id ?? null;
}

/**
 * What the publish form starts from (staff): the thread's title and its accepted answer as
 * written, for staff to clean up. NotFound; Conflict not_solved, already_published.
 */
export async function draftArticle(ctx: Ctx, threadId: number): Promise<{ title: string; body: string }> {
  authorize(ctx.actor, 'kb.manage', null);
  const thread = await solvedThread(ctx.db, threadId);
  const existing = await articleOfThread(ctx.db, threadId);
  if (existing) throw new Conflict('already_published', `This thread is already article ${existing}`);
  const [answer] = await ctx.db.select({ body: posts.bodyMarkdown }).from(posts).where(eq(posts.id, thread.acceptedPostId));
  return { title: thread.title, body: answer?.body ?? '' };
}

/**
 * Publishes a solved thread as an article (staff): title 5–200 characters, Markdown body up to
 * 20,000, rendered and sanitised like posts. One article per thread (Conflict
 * already_published); Conflict not_solved; NotFound. Audited as kb.article_published.
 */
export async function publishArticle(ctx: Ctx, threadId: number, input: { title: string; body: string }): Promise<Article> {
  const actor = authorize(ctx.actor, 'kb.manage', null);
  const { title, body } = checkInput(input);
  const rendered = renderMarkdown(body);
  const now = ctx.now();
  try {
    return await ctx.db.transaction(async (tx) => {
      await solvedThread(tx, threadId, true);
      const existing = await articleOfThread(tx, threadId);
      if (existing) throw new Conflict('already_published', `This thread is already article ${existing}`);
      const [row] = await tx
        .insert(kbArticles)
        .values({ threadId, title, bodyMarkdown: body, bodyHtml: rendered.html, bodyText: rendered.text, createdById: actor.id, createdAt: now, updatedAt: now })
        .returning({ id: kbArticles.id });
      // open pages of the thread show the article's link at once
      await emitThreadUpdated(tx, threadId);
      await recordAudit(tx, { actorId: actor.id, action: 'kb.article_published', subjectType: 'thread', subjectId: threadId, data: { articleId: row.id, title, before: null, after: { articleId: row.id } }, at: now });
      return getArticleIn(tx, row.id);
    });
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new Conflict('already_published', 'This thread is already an article');
    throw error;
  }
}

/** Rewrites an article (staff). Invalid; NotFound. Audited as kb.article_updated. */
export async function updateArticle(ctx: Ctx, id: number, input: { title: string; body: string }): Promise<Article> {
  const actor = authorize(ctx.actor, 'kb.manage', null);
  const { title, body } = checkInput(input);
  const rendered = renderMarkdown(body);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const [before] = await tx.select({ title: kbArticles.title, threadId: kbArticles.threadId }).from(kbArticles).where(eq(kbArticles.id, id)).for('update');
    if (!before) throw new NotFound('Article', 'article_not_found');
    await tx.update(kbArticles).set({ title, bodyMarkdown: body, bodyHtml: rendered.html, bodyText: rendered.text, updatedAt: now }).where(eq(kbArticles.id, id));
    await recordAudit(tx, { actorId: actor.id, action: 'kb.article_updated', subjectType: 'thread', subjectId: before.threadId, data: { articleId: id, before: { title: before.title }, after: { title } }, at: now });
    return getArticleIn(tx, id);
  });
}

/** Takes an article down (staff); its thread stays. NotFound. Audited as kb.article_removed. */
export async function removeArticle(ctx: Ctx, id: number, input: { reason?: string | null } = {}): Promise<void> {
  const actor = authorize(ctx.actor, 'kb.manage', null);
  const reason = input.reason?.trim() || null;
  if (reason && reason.length > 500) throw new Invalid({ reason: 'must be at most 500 characters' });
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const [gone] = await tx.delete(kbArticles).where(eq(kbArticles.id, id)).returning({ threadId: kbArticles.threadId, title: kbArticles.title });
    if (!gone) throw new NotFound('Article', 'article_not_found');
    await emitThreadUpdated(tx, gone.threadId);
    await recordAudit(tx, { actorId: actor.id, action: 'kb.article_removed', subjectType: 'thread', subjectId: gone.threadId, reason, data: { articleId: id, before: { title: gone.title }, after: null }, at: now });
  });
}

async function getArticleIn(db: Executor, id: number): Promise<Article> {
  const [row] = await selectArticles(db).where(eq(kbArticles.id, id));
  if (!row) throw new NotFound('Article', 'article_not_found');
  return present(row);
}

/** One article (anyone). NotFound, also while its thread is deleted or held. */
export async function getArticle(ctx: Ctx, id: number): Promise<Article> {
  return getArticleIn(ctx.db, id);
}

/** The article made from a thread, if any (anyone). */
export async function articleForThread(ctx: Ctx, threadId: number): Promise<ArticleSummary | null> {
  const [row] = await selectArticles(ctx.db).where(eq(kbArticles.threadId, threadId));
  return row ? presentSummary(row) : null;
}

const isKeyset = (v: unknown): v is [string, number] => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && !Number.isNaN(Date.parse(v[0])) && Number.isInteger(v[1]);

/** Articles newest first, a page at a time (anyone). */
export async function listArticles(ctx: Ctx, input: { cursor?: string; limit?: number } = {}): Promise<{ articles: ArticleSummary[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(input.limit ?? KB_LIMITS.pageDefault, 1), KB_LIMITS.pageMax);
  const after = decodeCursor(input.cursor, isKeyset);
  const at = after ? new Date(after[0]) : null;
  const rows = await selectArticles(ctx.db)
    .where(at ? or(lt(kbArticles.createdAt, at), and(eq(kbArticles.createdAt, at), lt(kbArticles.id, after![1]))) : undefined)
    .orderBy(desc(kbArticles.createdAt), desc(kbArticles.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { articles: page.map(presentSummary), nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null };
}

function checkQuery(q: string): string {
  const text = q.replace(/\s+/g, ' ').trim();
  if (!text) throw new Invalid({ q: 'must not be empty' });
  if (text.length > KB_LIMITS.queryMax) throw new Invalid({ q: `must be at most ${KB_LIMITS.queryMax} characters` });
  return text;
}

/** Articles matching a search (websearch syntax), best first (anyone). Invalid for an empty or over-long query. */
export async function searchArticles(ctx: Ctx, q: string, input: { limit?: number } = {}): Promise<ArticleSummary[]> {
  const text = checkQuery(q);
  const limit = Math.min(Math.max(input.limit ?? KB_LIMITS.pageDefault, 1), KB_LIMITS.pageMax);
  const query = sql`websearch_to_tsquery('english', ${text})`;
  const rows = await selectArticles(ctx.db)
    .where(sql`${kbArticles.tsv} @@ ${query}`)
    .orderBy(desc(sql`ts_rank(${kbArticles.tsv}, ${query})`), desc(kbArticles.id))
    .limit(limit);
  return rows.map(presentSummary);
}

/**
 * Articles that may answer a question being typed (anyone): any of its words (stemmed, common
 * words dropped) in an article, or a title spelled alike, best first, at most 5. Short or
 * word-less text suggests nothing. Invalid for an over-long text.
 */
export async function suggestArticles(ctx: Ctx, q: string): Promise<ArticleSummary[]> {
  const text = q.replace(/\s+/g, ' ').trim();
  if (text.length > KB_LIMITS.queryMax) throw new Invalid({ q: `must be at most ${KB_LIMITS.queryMax} characters` });
  const words = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [])].slice(0, 12);
  if (text.length < 8 || !words.length) return [];
  // OR of the words' lexemes: a question rarely repeats an article's wording word for word
  const anyWord = sql`to_tsquery('english', ${words.map((w) => `'${w}'`).join(' | ')})`;
  const rank = sql`(ts_rank(${kbArticles.tsv}, ${anyWord}) + similarity(${kbArticles.title}, ${text}))`;
  const rows = await selectArticles(ctx.db)
    .where(sql`(${kbArticles.tsv} @@ ${anyWord} or ${kbArticles.title} % ${text})`)
    .orderBy(desc(rank), desc(kbArticles.id))
    .limit(KB_LIMITS.suggestMax);
  return rows.map(presentSummary);
}
