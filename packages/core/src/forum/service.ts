import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Actor, Ctx } from '../context.js';
import { isStaff } from '../context.js';
import type { Executor } from '../db/client.js';
import { Conflict, Invalid, NotFound } from '../errors.js';
import { appendEvent } from '../events/outbox.js';
import { authorize, can } from '../policy/index.js';
import { consumeRateLimit } from '../ratelimit/service.js';
import { countLinks, hasTrust, maxLinksFor } from '../reputation/levels.js';
import { recordAcceptance, recordVote, reverseAcceptance } from '../reputation/service.js';
import { memberBadges } from '../badges/service.js';
import { addRuleTags, emitRuleMatches, screenPost } from '../watched-words/service.js';
import { renderMarkdown } from './markdown.js';
import {
  presentPost,
  presentRevision,
  presentThreadDetail,
  presentThreadSummary,
  threadTarget,
} from './present.js';
import * as q from './queries.js';
import { postRevisions, posts, threads, threadTags, votes } from './schema.js';
import type { Post, Profile, Revision, ThreadDetail, ThreadKind, ThreadSummary } from './types.js';

export const LIMITS = {
  titleMin: 5,
  titleMax: 200,
  bodyMax: 20_000,
  tagsMax: 5,
  pageMax: 50,
  pageDefault: 20,
} as const;

const threadRoom = (id: number) => `thread:${id}`;
const LATEST = 'latest';

// ---------------------------------------------------------------------------------------------
// Cursors: opaque to clients, validated on the way in.

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, check: (v: unknown) => v is T): T | undefined {
  if (!cursor) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (check(value)) return value;
  } catch {
    // fall through
  }
  throw new Invalid({ cursor: 'is not a cursor this API returned' });
}

// What a cursor carries goes straight into SQL, so it must be something PostgreSQL can hold: a
// timestamp in years 1000–9999, and a 32-bit integer.
const isTimestamp = (v: unknown): v is string => typeof v === 'string' && /^[1-9]\d{3}-/.test(v) && !Number.isNaN(Date.parse(v));
const isSqlInteger = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 2_147_483_647;
/** [timestamp, id], for lists ordered by a time and then by id. */
export const isKeyset = (v: unknown): v is [string, number] => Array.isArray(v) && v.length === 2 && isTimestamp(v[0]) && isSqlInteger(v[1]);

function pageSize(limit: number | undefined): number {
  return Math.min(Math.max(limit ?? LIMITS.pageDefault, 1), LIMITS.pageMax);
}

// ---------------------------------------------------------------------------------------------
// Reading

export async function listCategories(ctx: Ctx) {
  return q.listCategoryRows(ctx.db);
}

export async function getCategory(ctx: Ctx, slug: string) {
  const category = (await q.listCategoryRows(ctx.db)).find((c) => c.slug === slug);
  if (!category) throw new NotFound('Category', 'category_not_found');
  return category;
}

export async function listTags(ctx: Ctx) {
  return q.listTagRows(ctx.db);
}

export interface ListThreadsInput {
  list?: 'latest' | 'unanswered' | 'solved';
  category?: string;
  tag?: string;
  limit?: number;
  cursor?: string;
}

/** Threads for a list page, newest activity first, keyset-paginated. Unknown category or tag → NotFound. */
export async function listThreads(ctx: Ctx, input: ListThreadsInput): Promise<{ threads: ThreadSummary[]; nextCursor: string | null }> {
  const limit = pageSize(input.limit);
  const after = decodeCursor(input.cursor, isKeyset);
  const filter: q.ThreadFilter = { list: input.list ?? 'latest' };
  if (input.category) {
    const category = await q.getCategoryBySlug(ctx.db, input.category);
    if (!category) throw new NotFound('Category', 'category_not_found');
    filter.categoryId = category.id;
  }
  if (input.tag) {
    const [tag] = await q.getTagsBySlugs(ctx.db, [input.tag]);
    if (!tag) throw new NotFound('Tag', 'tag_not_found');
    filter.tagId = tag.id;
  }
  // A category's latest list starts with its pinned threads, on the first page only; the keyset
  // pages after it leave them out, so paging stays stable.
  const pins = filter.categoryId !== undefined && filter.list === 'latest';
  if (pins) filter.unpinned = true;
  const pinned = pins && !after ? await q.listPinnedThreadRows(ctx.db, filter.categoryId!) : [];
  const rows = await q.listThreadRows(ctx.db, filter, limit + 1, after && { at: new Date(after[0]), id: after[1] });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    threads: [...pinned, ...page].map(presentThreadSummary),
    nextCursor: rows.length > limit && last ? encodeCursor([last.lastActivityAt.toISOString(), last.id]) : null,
  };
}

/** A thread with a page of its posts in order, as the actor sees them. */
export async function getThread(
  ctx: Ctx,
  threadId: number,
  input: { limit?: number; cursor?: string } = {},
): Promise<{ thread: ThreadDetail; posts: Post[]; nextCursor: string | null }> {
  const limit = pageSize(input.limit);
  const afterPosition = decodeCursor(input.cursor, isSqlInteger) ?? 0;
  const staff = ctx.actor !== null && isStaff(ctx.actor.role);
  const [row, postRows] = await Promise.all([
    q.getThreadRow(ctx.db, threadId),
    q.listPostRows(ctx.db, threadId, ctx.actor?.id ?? 0, afterPosition, limit + 1, staff),
  ]);
  if (!row || (row.heldAt && !seesHeld(ctx.actor, row.authorId))) throw new NotFound('Thread', 'thread_not_found');
  const page = postRows.slice(0, limit);
  const target = { ...threadTarget(row), acceptedPostId: row.acceptedPostId };
  const mergedInto = row.mergedIntoId ? await q.getThreadRow(ctx.db, row.mergedIntoId) : undefined;
  return {
    thread: { ...presentThreadDetail(row, ctx.actor), ...(mergedInto ? { mergedInto: { id: mergedInto.id, title: mergedInto.title } } : {}) },
    posts: page.map((p) => presentPost(p, target, ctx.actor)),
    nextCursor: postRows.length > limit ? encodeCursor(page[page.length - 1].position) : null,
  };
}

export async function listRevisions(ctx: Ctx, postId: number): Promise<Revision[]> {
  const post = await q.getPostRow(ctx.db, postId, 0);
  // earlier versions of a held or flag-hidden post are as private as the post
  if (!post || post.deletedAt || ((post.heldAt || post.hiddenAt) && !seesHeld(ctx.actor, post.authorId))) throw new NotFound('Post', 'post_not_found');
  const thread = await q.getThreadRow(ctx.db, post.threadId);
  if (!thread) throw new NotFound('Post', 'post_not_found');
  return (await q.listRevisionRows(ctx.db, postId)).map(presentRevision);
}

export async function getProfile(ctx: Ctx, handle: string): Promise<Profile> {
  const user = await q.getUserByHandle(ctx.db, handle);
  if (!user) throw new NotFound('Member', 'member_not_found');
  const [threadRows, answerRows, badges] = await Promise.all([
    q.listThreadRows(ctx.db, { list: 'latest', authorId: user.id }, 20),
    q.listAnswerRows(ctx.db, user.id, 20),
    memberBadges(ctx.db, user.id),
  ]);
  const answerThreads = new Map(
    (await q.getThreadRowsByIds(ctx.db, [...new Set(answerRows.map((a) => a.threadId))])).map((t) => [t.id, t]),
  );
  return {
    user: {
      id: user.id,
      handle: user.handle,
      displayName: user.displayName,
      role: user.role,
      staff: isStaff(user.role),
      joinedAt: user.createdAt.toISOString(),
      threadCount: user.threadCount,
      answerCount: user.answerCount,
      acceptedCount: user.acceptedCount,
      reputation: user.reputation,
      trustLevel: user.trustLevel,
      // what staff see of a member's standing
      ...(can(ctx.actor, 'member.inspect', user)
        ? {
            trustLevelLocked: user.trustLevelLocked,
            silencedUntil: user.silencedUntil && user.silencedUntil > ctx.now() ? user.silencedUntil.toISOString() : null,
            suspendedUntil: user.suspendedUntil && user.suspendedUntil > ctx.now() ? user.suspendedUntil.toISOString() : null,
          }
        : {}),
    },
    badges,
    threads: threadRows.map(presentThreadSummary),
    answers: answerRows.flatMap((a) => {
      const thread = answerThreads.get(a.threadId);
      if (!thread) return [];
      const excerpt = a.bodyText.length > 200 ? `${a.bodyText.slice(0, 199)}…` : a.bodyText;
      return [{ post: { id: a.id, score: a.score, accepted: a.accepted, createdAt: a.createdAt.toISOString(), excerpt }, thread: presentThreadSummary(thread) }];
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Writing

function renderBody(body: string) {
  if (body.length > LIMITS.bodyMax) throw new Invalid({ body: `must be at most ${LIMITS.bodyMax} characters` });
  const rendered = renderMarkdown(body);
  if (!rendered.text && !/<img /.test(rendered.html)) throw new Invalid({ body: 'must not be empty' });
  return rendered;
}

/** Level-0 members may put only a few links in a post (spam rarely waits to earn trust). */
function checkLinks(actor: Actor, html: string): void {
  const max = maxLinksFor(actor);
  if (max !== null && countLinks(html) > max) {
    throw new Invalid({ body: `new members can include at most ${max} links in a post; the limit goes once you have taken part a little` });
  }
}

/** A post or thread held for approval is seen by its author and by staff only. */
function seesHeld(actor: Actor | null, authorId: number): boolean {
  return actor !== null && (actor.id === authorId || isStaff(actor.role));
}

function checkTitle(title: string): string {
  const clean = title.replace(/\s+/g, ' ').trim();
  if (clean.length < LIMITS.titleMin) throw new Invalid({ title: `must be at least ${LIMITS.titleMin} characters` });
  if (clean.length > LIMITS.titleMax) throw new Invalid({ title: `must be at most ${LIMITS.titleMax} characters` });
  return clean;
}

async function resolveTags(db: Executor, slugs: string[]) {
  const wanted = [...new Set(slugs.map((s) => s.trim().toLowerCase()).filter(Boolean))];
  if (wanted.length > LIMITS.tagsMax) throw new Invalid({ tags: `at most ${LIMITS.tagsMax} tags` });
  const found = await q.getTagsBySlugs(db, wanted);
  const missing = wanted.filter((slug) => !found.some((t) => t.slug === slug));
  if (missing.length) throw new Invalid({ tags: `unknown tag: ${missing.join(', ')}` });
  return found;
}

async function requireThread(db: Executor, threadId: number) {
  const thread = await q.lockThread(db, threadId);
  if (!thread) throw new NotFound('Thread', 'thread_not_found');
  return thread;
}

async function threadDetail(db: Executor, threadId: number, actor: Actor | null): Promise<ThreadDetail> {
  const row = await q.getThreadRow(db, threadId);
  if (!row) throw new NotFound('Thread', 'thread_not_found');
  return presentThreadDetail(row, actor);
}

/** Emits the thread's new public state to its page and to the latest list. */
export async function emitThreadUpdated(tx: Executor, threadId: number) {
  const row = await q.getThreadRow(tx, threadId);
  // a held thread has no public state yet
  if (!row || row.heldAt) return;
  await appendEvent(tx, 'forum.thread.updated', [threadRoom(threadId), LATEST], {
    thread: { ...presentThreadSummary(row), acceptedPostId: row.acceptedPostId },
  });
}

async function publicPost(tx: Executor, postId: number, thread: { authorId: number; status: q.ThreadRow['status']; kind: ThreadKind; acceptedPostId: number | null }) {
  const row = await q.getPostRow(tx, postId, 0);
  return presentPost(row, thread, null);
}

/** Ids the reputation, badge and notification jobs need about an acceptance or its withdrawal. */
async function acceptanceFacts(tx: Executor, thread: { id: number; authorId: number }, postId: number, actor: Actor) {
  const [answer] = await tx.select({ authorId: posts.authorId }).from(posts).where(eq(posts.id, postId));
  return { threadId: thread.id, postId, answerAuthorId: answer?.authorId ?? null, threadAuthorId: thread.authorId, actorId: actor.id };
}

/** forum.thread.created, for a new thread, or for a held one when staff approve it. */
export async function emitThreadCreated(tx: Executor, row: q.ThreadRow, facts: { postId: number; tagIds: number[] }) {
  await appendEvent(
    tx,
    'forum.thread.created',
    [LATEST, `category:${row.categoryId}`],
    { thread: presentThreadSummary(row) },
    { threadId: row.id, postId: facts.postId, authorId: row.authorId, categoryId: row.categoryId, tagIds: facts.tagIds, kind: row.kind },
  );
}

type BumpedThread = NonNullable<Awaited<ReturnType<typeof q.bumpThreadForReply>>>;

/** forum.post.created (and forum.thread.updated when the status moved), for a new or an approved reply. */
export async function emitReplyCreated(tx: Executor, postRow: q.PostRow, thread: BumpedThread) {
  await appendEvent(
    tx,
    'forum.post.created',
    [threadRoom(postRow.threadId)],
    { post: presentPost(postRow, thread, null) },
    { threadId: postRow.threadId, postId: postRow.id, authorId: postRow.authorId, threadAuthorId: thread.authorId },
  );
  if (thread.status !== thread.previousStatus) await emitThreadUpdated(tx, postRow.threadId);
}

/** Tells staff's queue room that a post waits for approval; nothing public. */
async function emitHeld(tx: Executor, postId: number, threadId: number) {
  await appendEvent(tx, 'forum.post.held', ['queue'], { postId, threadId });
}

export interface CreateThreadInput {
  category: string;
  kind: ThreadKind;
  title: string;
  body: string;
  tags?: string[];
}

/**
 * Starts a thread with its opening post. Checks the silence, the posting rate limit, the
 * category, the tags (Invalid when unknown) and a new member's link limit; emits
 * forum.thread.created to the latest list. A level-0 member's first thread in a category that
 * holds first posts is held for approval instead: no public event until staff approve it.
 */
export async function createThread(ctx: Ctx, input: CreateThreadInput): Promise<{ thread: ThreadDetail; post: Post }> {
  const actor = authorize(ctx.actor, 'thread.create', null);
  checkTitle(input.title);
  // watched words: may refuse, censor the text, hold the thread, flag it or tag it
  const screened = await screenPost(ctx, actor, { title: input.title, body: input.body, rendered: renderBody(input.body) }, renderBody);
  const title = checkTitle(screened.title!);
  const { rendered, verdict } = screened;
  checkLinks(actor, rendered.html);
  const category = await q.getCategoryBySlug(ctx.db, input.category);
  if (!category) throw new Invalid({ category: 'unknown category' });
  const tagRows = await resolveTags(ctx.db, input.tags ?? []);
  await consumeRateLimit(ctx, `post:${actor.id}`, ctx.config.rateLimits.post);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const held =
      verdict.hold || (category.holdFirstPosts && !hasTrust(actor, 1) && (await q.holdsFirstPost(tx, actor.id, { categoryId: category.id }))) ? now : null;
    const [thread] = await tx
      .insert(threads)
      .values({ categoryId: category.id, authorId: actor.id, kind: input.kind, title, createdAt: now, lastActivityAt: now, heldAt: held })
      .returning({ id: threads.id });
    const [post] = await tx
      .insert(posts)
      .values({
        threadId: thread.id,
        authorId: actor.id,
        position: 1,
        bodyMarkdown: screened.body,
        bodyHtml: rendered.html,
        bodyText: rendered.text,
        createdAt: now,
        heldAt: held,
      })
      .returning({ id: posts.id });
    const tagIds = [...new Set([...tagRows.map((t) => t.id), ...verdict.tagIds])];
    if (tagIds.length) await tx.insert(threadTags).values(tagIds.map((tagId) => ({ threadId: thread.id, tagId })));
    const row = (await q.getThreadRow(tx, thread.id))!;
    if (held) await emitHeld(tx, post.id, thread.id);
    else await emitThreadCreated(tx, row, { postId: post.id, tagIds });
    await emitRuleMatches(tx, verdict, { threadId: thread.id, postId: post.id });
    const postRow = await q.getPostRow(tx, post.id, actor.id);
    const target = { ...threadTarget(row), acceptedPostId: null };
    return { thread: presentThreadDetail(row, actor), post: presentPost(postRow, target, actor) };
  });
}

/**
 * Replies to a thread. A reply by someone other than the author who is not staff is a peer
 * reply: it moves an open thread to answered. Checks the silence and a new member's link
 * limit; throws Conflict (thread_closed) on closed threads and (thread_held) on one awaiting
 * approval; emits forum.post.created (and forum.thread.updated when the status changed). A
 * level-0 member's first post in a category that holds first posts is held instead: it counts
 * nowhere and emits nothing public until staff approve it.
 */
export async function createReply(ctx: Ctx, threadId: number, input: { body: string }): Promise<Post> {
  const original = renderBody(input.body);
  const replier = authorize(ctx.actor, 'post.create', null);
  const { body, rendered, verdict } = await screenPost(ctx, replier, { body: input.body, rendered: original }, renderBody);
  checkLinks(replier, rendered.html);
  await consumeRateLimit(ctx, `post:${replier.id}`, ctx.config.rateLimits.post);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const held = verdict.hold || (!hasTrust(replier, 1) && (await q.holdsFirstPost(tx, replier.id, { threadId }))) ? now : null;
    const thread = await q.bumpThreadForReply(tx, threadId, { id: replier.id, staff: isStaff(replier.role) }, now, held ? 'held' : 'reply');
    if (!thread) {
      const existing = await q.getThreadRow(tx, threadId);
      if (existing?.heldAt) {
        if (seesHeld(replier, existing.authorId)) throw new Conflict('thread_held', 'This thread is awaiting approval; replies can follow once staff approve it');
        throw new NotFound('Thread', 'thread_not_found');
      }
      if (existing) throw new Conflict('thread_closed', 'This thread is closed to new replies');
      throw new NotFound('Thread', 'thread_not_found');
    }
    const actor = authorize(replier, 'thread.reply', thread);
    const [row] = await tx
      .insert(posts)
      .values({
        threadId,
        authorId: actor.id,
        position: thread.lastPosition,
        bodyMarkdown: body,
        bodyHtml: rendered.html,
        bodyText: rendered.text,
        createdAt: now,
        heldAt: held,
      })
      .returning({ ...getTableColumns(posts), authorExpertIn: q.authorExpertIn });
    // The new post's row is all a reader needs: its author is the actor and nobody voted yet.
    const postRow: q.PostRow = {
      ...row,
      authorHandle: actor.handle,
      authorDisplayName: actor.displayName,
      authorRole: actor.role,
      myVote: 0,
    };
    const tagged = await addRuleTags(tx, threadId, verdict.tagIds);
    if (held) await emitHeld(tx, row.id, threadId);
    else await emitReplyCreated(tx, postRow, thread);
    if (tagged && !(thread.status !== thread.previousStatus && !held)) await emitThreadUpdated(tx, threadId);
    await emitRuleMatches(tx, verdict, { threadId, postId: row.id });
    return presentPost(postRow, thread, actor);
  });
}

/**
 * Edits a post's Markdown, keeping the replaced text as a revision. Emits forum.post.edited. A
 * changed body is screened for watched words like a new post, except that a hold rule flags the
 * thread instead: an edit does not withdraw a post that is already public.
 */
export async function editPost(ctx: Ctx, postId: number, input: { body: string }): Promise<Post> {
  const rendered = renderBody(input.body);
  return ctx.db.transaction(async (tx) => {
    const post = await q.lockPost(tx, postId);
    if (!post) throw new NotFound('Post', 'post_not_found');
    const actor = authorize(ctx.actor, 'post.edit', { authorId: post.authorId, position: post.position, deleted: post.deletedAt !== null });
    const changed = post.bodyMarkdown !== input.body;
    const screened = changed ? await screenPost(ctx, actor, { body: input.body, rendered }, renderBody) : null;
    checkLinks(actor, (screened?.rendered ?? rendered).html);
    const thread = await requireThread(tx, post.threadId);
    if (thread.status === 'closed' && !isStaff(actor.role)) throw new Conflict('thread_closed', 'This thread is closed');
    if (screened && post.bodyMarkdown !== screened.body) {
      await tx.insert(postRevisions).values({
        postId,
        revision: post.revisionCount + 1,
        bodyMarkdown: post.bodyMarkdown,
        editorId: actor.id,
        createdAt: ctx.now(),
      });
      await tx
        .update(posts)
        .set({
          bodyMarkdown: screened.body,
          bodyHtml: screened.rendered.html,
          bodyText: screened.rendered.text,
          editedAt: ctx.now(),
          revisionCount: post.revisionCount + 1,
        })
        .where(eq(posts.id, postId));
      if (!post.heldAt) await appendEvent(tx, 'forum.post.edited', [threadRoom(post.threadId)], { post: await publicPost(tx, postId, thread) });
      const { verdict } = screened;
      if ((await addRuleTags(tx, post.threadId, verdict.tagIds)) && !post.heldAt) await emitThreadUpdated(tx, post.threadId);
      await emitRuleMatches(tx, { ...verdict, flagged: [...verdict.flagged, ...verdict.holding] }, { threadId: post.threadId, postId });
    }
    return presentPost(await q.getPostRow(tx, postId, actor.id), thread, actor);
  });
}

/**
 * Soft-deletes a post. Deleting the opening post deletes the thread. Deleting the accepted
 * answer withdraws the acceptance (and reverses what accepting it earned; emits
 * forum.answer.unaccepted). Emits forum.post.deleted (or forum.thread.deleted); nothing public
 * for a post held for approval. The reputation its votes earned stays: deleting a downvoted
 * post does not wipe the penalty, and votes on a deleted post can no longer change.
 */
export async function deletePost(ctx: Ctx, postId: number): Promise<void> {
  const postPeek = await q.getPostRow(ctx.db, postId, 0);
  if (postPeek?.position === 1) return deleteThread(ctx, postPeek.threadId);
  await ctx.db.transaction(async (tx) => {
    const post = await q.lockPost(tx, postId);
    if (!post || post.deletedAt) throw new NotFound('Post', 'post_not_found');
    const actor = authorize(ctx.actor, 'post.delete', { authorId: post.authorId, position: post.position, deleted: false });
    const thread = await requireThread(tx, post.threadId);
    await tx.update(posts).set({ deletedAt: ctx.now() }).where(eq(posts.id, postId));
    const withdrawn = thread.acceptedPostId === postId;
    const unsolved = thread.firstPeerReplyAt ? 'answered' : 'open';
    // A closed thread stays closed; it is the status it reopens in that loses the solve.
    const closed = thread.status === 'closed';
    // a held reply was never counted (nor accepted): its thread has nothing to take back
    if (!post.heldAt) {
      await tx
        .update(threads)
        .set({
          replyCount: sql`${threads.replyCount} - 1`,
          acceptedPostId: withdrawn ? null : undefined,
          status: withdrawn && !closed ? unsolved : undefined,
          statusBeforeClose: withdrawn && closed ? unsolved : undefined,
        })
        .where(eq(threads.id, thread.id));
    }
    if (withdrawn) {
      await appendEvent(tx, 'forum.answer.unaccepted', [], { threadId: thread.id, postId }, await acceptanceFacts(tx, thread, postId, actor));
      await reverseAcceptance(tx, postId, ctx.now());
    }
    if (!post.heldAt) await appendEvent(tx, 'forum.post.deleted', [threadRoom(thread.id)], { postId });
    if (withdrawn) await emitThreadUpdated(tx, thread.id);
  });
}

/** Soft-deletes a thread (author or staff). Emits forum.thread.deleted. */
export async function deleteThread(ctx: Ctx, threadId: number): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const thread = await requireThread(tx, threadId);
    authorize(ctx.actor, 'thread.delete', thread);
    await tx.update(threads).set({ deletedAt: ctx.now() }).where(eq(threads.id, threadId));
    if (!thread.heldAt) await appendEvent(tx, 'forum.thread.deleted', [threadRoom(threadId), LATEST], { threadId });
  });
}

/**
 * Retitles or retags a thread (its author, staff, or members at trust level 3 and up); a new
 * title is kept in the opening post's revisions. Emits forum.thread.updated.
 */
export async function updateThread(ctx: Ctx, threadId: number, input: { title?: string; tags?: string[] }): Promise<ThreadDetail> {
  return ctx.db.transaction(async (tx) => {
    const thread = await requireThread(tx, threadId);
    const actor = authorize(ctx.actor, 'thread.edit', thread);
    if (input.title !== undefined) {
      const title = checkTitle(input.title);
      if (title !== thread.title) {
        const [first] = await tx
          .select({ id: posts.id, revisionCount: posts.revisionCount, bodyMarkdown: posts.bodyMarkdown })
          .from(posts)
          .where(and(eq(posts.threadId, threadId), eq(posts.position, 1)))
          .for('update');
        await tx.insert(postRevisions).values({
          postId: first.id,
          revision: first.revisionCount + 1,
          bodyMarkdown: first.bodyMarkdown,
          title: thread.title,
          editorId: actor.id,
          createdAt: ctx.now(),
        });
        await tx.update(posts).set({ revisionCount: first.revisionCount + 1, editedAt: ctx.now() }).where(eq(posts.id, first.id));
        await tx.update(threads).set({ title }).where(eq(threads.id, threadId));
      }
    }
    if (input.tags !== undefined) {
      const tagRows = await resolveTags(tx, input.tags);
      await tx.delete(threadTags).where(eq(threadTags.threadId, threadId));
      if (tagRows.length) await tx.insert(threadTags).values(tagRows.map((t) => ({ threadId, tagId: t.id })));
    }
    await emitThreadUpdated(tx, threadId);
    return threadDetail(tx, threadId, actor);
  });
}

/** Closes a thread to new replies (author or staff). Emits forum.thread.updated. */
export async function closeThread(ctx: Ctx, threadId: number): Promise<ThreadDetail> {
  return ctx.db.transaction(async (tx) => {
    const thread = await requireThread(tx, threadId);
    if (thread.status === 'closed') throw new Conflict('thread_closed', 'This thread is already closed');
    const actor = authorize(ctx.actor, 'thread.close', thread);
    await tx.update(threads).set({ status: 'closed', statusBeforeClose: thread.status }).where(eq(threads.id, threadId));
    await emitThreadUpdated(tx, threadId);
    return threadDetail(tx, threadId, actor);
  });
}

/** Reopens a closed thread in the status it had before. Emits forum.thread.updated. */
export async function reopenThread(ctx: Ctx, threadId: number): Promise<ThreadDetail> {
  return ctx.db.transaction(async (tx) => {
    const thread = await requireThread(tx, threadId);
    if (thread.status !== 'closed') throw new Conflict('thread_not_closed', 'This thread is not closed');
    const actor = authorize(ctx.actor, 'thread.reopen', thread);
    await tx
      .update(threads)
      .set({ status: thread.statusBeforeClose ?? 'open', statusBeforeClose: null })
      .where(eq(threads.id, threadId));
    await emitThreadUpdated(tx, threadId);
    return threadDetail(tx, threadId, actor);
  });
}

/**
 * Accepts a reply as the answer to a question (its author or staff), which solves the thread.
 * Invalid when the post is not a live, visible reply in this thread. Writes the reputation
 * entries (reversing those of an answer it replaces) in the same transaction; emits
 * forum.answer.accepted (after forum.answer.unaccepted for a replaced one) and forum.thread.updated.
 */
export async function acceptAnswer(ctx: Ctx, threadId: number, postId: number): Promise<ThreadDetail> {
  return ctx.db.transaction(async (tx) => {
    const thread = await requireThread(tx, threadId);
    const actor = authorize(ctx.actor, 'thread.accept', thread);
    const post = await q.getPostRow(tx, postId, 0);
    if (!post || post.threadId !== threadId || post.deletedAt || post.heldAt) throw new Invalid({ postId: 'is not a reply in this thread' });
    if (post.position === 1) throw new Invalid({ postId: 'the question itself cannot be its answer' });
    if (thread.acceptedPostId === postId) return threadDetail(tx, threadId, actor);
    if (thread.acceptedPostId) {
      await appendEvent(tx, 'forum.answer.unaccepted', [], { threadId, postId: thread.acceptedPostId }, await acceptanceFacts(tx, thread, thread.acceptedPostId, actor));
    }
    await tx.update(threads).set({ acceptedPostId: postId, status: 'solved' }).where(eq(threads.id, threadId));
    await appendEvent(tx, 'forum.answer.accepted', [], { threadId, postId }, { threadId, postId, answerAuthorId: post.authorId, threadAuthorId: thread.authorId, actorId: actor.id });
    const acceptance = { postId, answerAuthorId: post.authorId, threadAuthorId: thread.authorId, actorId: actor.id };
    await recordAcceptance(tx, ctx.config, acceptance, ctx.now(), thread.acceptedPostId);
    await emitThreadUpdated(tx, threadId);
    return threadDetail(tx, threadId, actor);
  });
}

/** Withdraws the accepted answer; the thread goes back to answered (or open) and what accepting it earned is reversed. */
export async function unacceptAnswer(ctx: Ctx, threadId: number): Promise<ThreadDetail> {
  return ctx.db.transaction(async (tx) => {
    const thread = await requireThread(tx, threadId);
    const actor = authorize(ctx.actor, 'thread.accept', thread);
    if (!thread.acceptedPostId) throw new Conflict('no_accepted_answer', 'This thread has no accepted answer');
    await appendEvent(tx, 'forum.answer.unaccepted', [], { threadId, postId: thread.acceptedPostId }, await acceptanceFacts(tx, thread, thread.acceptedPostId, actor));
    await reverseAcceptance(tx, thread.acceptedPostId, ctx.now());
    await tx
      .update(threads)
      .set({ acceptedPostId: null, status: thread.firstPeerReplyAt ? 'answered' : 'open' })
      .where(eq(threads.id, threadId));
    await emitThreadUpdated(tx, threadId);
    return threadDetail(tx, threadId, actor);
  });
}

/**
 * Sets the actor's vote on a post to +1, -1 or 0 (undo). One vote per member per post; the
 * score is recomputed from the votes, and the author's reputation entries written, under the
 * post's row lock, so concurrent votes stay exact. A vote that changes nothing writes nothing.
 * Forbidden on your own post and for silenced members, Conflict post_hidden while flags hide
 * it; emits forum.post.voted.
 */
export async function votePost(ctx: Ctx, postId: number, value: 1 | -1 | 0): Promise<{ score: number; myVote: number }> {
  return ctx.db.transaction(async (tx) => {
    const post = await q.lockPost(tx, postId);
    if (!post || post.deletedAt || post.heldAt) throw new NotFound('Post', 'post_not_found');
    const actor = authorize(ctx.actor, 'post.vote', { authorId: post.authorId, position: post.position, deleted: false });
    if (post.hiddenAt) throw new Conflict('post_hidden', 'This post is hidden while moderators review flags');
    const [previous] = await tx.select({ value: votes.value }).from(votes).where(and(eq(votes.postId, postId), eq(votes.userId, actor.id)));
    const from = previous?.value ?? 0;
    if (from === value) return { score: post.score, myVote: value };
    if (value === 0) {
      await tx.delete(votes).where(and(eq(votes.postId, postId), eq(votes.userId, actor.id)));
    } else {
      await tx
        .insert(votes)
        .values({ postId, userId: actor.id, value, createdAt: ctx.now() })
        .onConflictDoUpdate({ target: [votes.postId, votes.userId], set: { value } });
    }
    const [{ score }] = await tx
      .update(posts)
      .set({ score: sql`(select coalesce(sum(v.value), 0) from ${votes} v where v.post_id = ${postId})` })
      .where(eq(posts.id, postId))
      .returning({ score: posts.score });
    if (post.position === 1) await tx.update(threads).set({ score }).where(eq(threads.id, post.threadId));
    await recordVote(tx, ctx.config, { post: { id: postId, authorId: post.authorId, position: post.position }, voterId: actor.id, from, to: value }, ctx.now());
    await appendEvent(
      tx,
      'forum.post.voted',
      [threadRoom(post.threadId)],
      { postId, score },
      { postId, threadId: post.threadId, authorId: post.authorId, voterId: actor.id, value, position: post.position },
    );
    return { score, myVote: value };
  });
}
