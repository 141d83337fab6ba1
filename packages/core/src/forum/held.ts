import { and, asc, eq, gt, isNotNull, isNull } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { isStaff } from '../context.js';
import { users } from '../accounts/schema.js';
import { recordAudit } from '../audit/service.js';
import type { Executor } from '../db/client.js';
import { Conflict, Invalid, NotFound } from '../errors.js';
import { authorize } from '../policy/index.js';
import { presentUserRef } from './present.js';
import * as q from './queries.js';
import { categories, posts, threads, threadTags } from './schema.js';
import { decodeCursor, emitReplyCreated, emitThreadCreated, encodeCursor, LIMITS } from './service.js';
import type { UserRef } from './types.js';

// Posts held for approval: a level-0 member's first posts in a category that asks for it
// (see createThread and createReply). Until staff approve one it is seen by its author and
// staff only, counts nowhere and has sent nothing to public rooms; approving publishes it as if
// it were written then, rejecting deletes it.

export interface HeldPost {
  id: number;
  /** true when it opens a thread (approving it publishes the thread) */
  opensThread: boolean;
  thread: { id: number; title: string; category: { slug: string; name: string } };
  author: UserRef & { trustLevel: number };
  bodyHtml: string;
  bodyMarkdown: string;
  createdAt: string;
}

async function heldRows(db: Executor, limit: number, afterId?: number) {
  return db
    .select({
      id: posts.id,
      position: posts.position,
      threadId: threads.id,
      title: threads.title,
      categorySlug: categories.slug,
      categoryName: categories.name,
      authorId: users.id,
      authorHandle: users.handle,
      authorDisplayName: users.displayName,
      authorRole: users.role,
      authorTrustLevel: users.trustLevel,
      bodyHtml: posts.bodyHtml,
      bodyMarkdown: posts.bodyMarkdown,
      createdAt: posts.createdAt,
    })
    .from(posts)
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .innerJoin(users, eq(users.id, posts.authorId))
    .where(
      and(
        isNotNull(posts.heldAt),
        isNull(posts.deletedAt),
        isNull(threads.deletedAt),
        afterId === undefined ? undefined : gt(posts.id, afterId),
      ),
    )
    .orderBy(asc(posts.id))
    .limit(limit);
}

const isPostId = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0 && (v as number) <= 2_147_483_647;

/** Posts awaiting approval, oldest first (staff; Forbidden for members). */
export async function listHeldPosts(ctx: Ctx, input: { limit?: number; cursor?: string } = {}): Promise<{ posts: HeldPost[]; nextCursor: string | null }> {
  authorize(ctx.actor, 'post.approve', null);
  const limit = Math.min(Math.max(input.limit ?? LIMITS.pageDefault, 1), LIMITS.pageMax);
  const after = decodeCursor(input.cursor, isPostId);
  const rows = await heldRows(ctx.db, limit + 1, after);
  const page = rows.slice(0, limit);
  return {
    posts: page.map((r) => ({
      id: r.id,
      opensThread: r.position === 1,
      thread: { id: r.threadId, title: r.title, category: { slug: r.categorySlug, name: r.categoryName } },
      author: { ...presentUserRef(r.authorId, r.authorHandle, r.authorDisplayName, r.authorRole), trustLevel: r.authorTrustLevel },
      bodyHtml: r.bodyHtml,
      bodyMarkdown: r.bodyMarkdown,
      createdAt: r.createdAt.toISOString(),
    })),
    nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null,
  };
}

/** The held post, row-locked, or NotFound / Conflict post_not_held. */
async function lockHeld(tx: Executor, postId: number) {
  const post = await q.lockPost(tx, postId);
  if (!post || post.deletedAt) throw new NotFound('Post', 'post_not_found');
  if (!post.heldAt) throw new Conflict('post_not_held', 'This post is not awaiting approval');
  return post;
}

/**
 * Approves a held post (staff): it is published as if written now. An opening post publishes
 * its thread (forum.thread.created, and the thread's community window starts now); a reply
 * counts on its thread (forum.post.created). Conflict post_not_held when it is not held;
 * audited as post.approved.
 */
export async function approvePost(ctx: Ctx, postId: number): Promise<{ postId: number; threadId: number }> {
  const actor = authorize(ctx.actor, 'post.approve', null);
  return ctx.db.transaction(async (tx) => {
    const post = await lockHeld(tx, postId);
    const now = ctx.now();
    if (post.position === 1) {
      await tx.update(threads).set({ heldAt: null, createdAt: now, lastActivityAt: now }).where(eq(threads.id, post.threadId));
      await tx.update(posts).set({ heldAt: null, createdAt: now }).where(eq(posts.id, postId));
      const row = (await q.getThreadRow(tx, post.threadId))!;
      const tagIds = (await tx.select({ id: threadTags.tagId }).from(threadTags).where(eq(threadTags.threadId, post.threadId))).map((t) => t.id);
      await emitThreadCreated(tx, row, { postId, tagIds });
    } else {
      const [author] = await tx.select({ role: users.role }).from(users).where(eq(users.id, post.authorId));
      const thread = await q.bumpThreadForReply(tx, post.threadId, { id: post.authorId, staff: isStaff(author.role) }, now, 'approved');
      if (!thread) throw new NotFound('Thread', 'thread_not_found');
      await tx.update(posts).set({ heldAt: null, createdAt: now }).where(eq(posts.id, postId));
      await emitReplyCreated(tx, (await q.getPostRow(tx, postId, 0))!, thread);
    }
    await recordAudit(tx, { actorId: actor.id, action: 'post.approved', subjectType: 'post', subjectId: postId, data: { threadId: post.threadId }, at: now });
    return { postId, threadId: post.threadId };
  });
}

/**
 * Rejects a held post (staff): it is deleted (its thread too when it opens one) without ever
 * having been public. An optional reason (up to 500 characters) goes to the audit log
 * (post.rejected). Conflict post_not_held when it is not held.
 */
export async function rejectPost(ctx: Ctx, postId: number, input: { reason?: string | null } = {}): Promise<void> {
  const actor = authorize(ctx.actor, 'post.approve', null);
  const reason = input.reason?.trim() || null;
  if (reason && reason.length > 500) throw new Invalid({ reason: 'must be at most 500 characters' });
  await ctx.db.transaction(async (tx) => {
    const post = await lockHeld(tx, postId);
    const now = ctx.now();
    await tx.update(posts).set({ deletedAt: now }).where(eq(posts.id, postId));
    if (post.position === 1) await tx.update(threads).set({ deletedAt: now }).where(eq(threads.id, post.threadId));
    await recordAudit(tx, { actorId: actor.id, action: 'post.rejected', subjectType: 'post', subjectId: postId, reason, data: { threadId: post.threadId, authorId: post.authorId }, at: now });
  });
}
