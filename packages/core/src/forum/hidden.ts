import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { appendEvent } from '../events/outbox.js';
import { categories, posts, threads } from './schema.js';

// Posts hidden by flags. Past its category's flag threshold a post is hidden until staff decide:
// it keeps its place in the thread, readers other than its author and staff get it without its
// body (presentPost), search leaves it out (the post_search trigger, migration 0008) and it takes
// no votes. Hiding an opening post hides the thread's body only: the title, the replies and the
// thread's place in lists stay, so one flagged question does not take an answered thread away.
// Replies stay counted on their thread while hidden, since staff may restore them.

export type HiddenReason = 'flags' | 'staff';

const threadRoom = (id: number) => `thread:${id}`;

/** The summed flag weight at which a post in this thread is hidden (its category's flag_threshold). */
export async function flagThresholdOf(db: Executor, threadId: number): Promise<number> {
  const [row] = await db
    .select({ threshold: categories.flagThreshold })
    .from(threads)
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .where(eq(threads.id, threadId));
  return row?.threshold ?? Number.POSITIVE_INFINITY;
}

/**
 * Hides a post that is not hidden yet (the caller holds its row lock) and tells its thread's
 * page (forum.post.hidden: the id only, nothing of the body). Returns whether it changed.
 */
export async function hidePost(tx: Executor, post: { id: number; threadId: number }, reason: HiddenReason, now: Date): Promise<boolean> {
  const changed = await tx
    .update(posts)
    .set({ hiddenAt: now, hiddenReason: reason })
    .where(and(eq(posts.id, post.id), isNull(posts.hiddenAt)))
    .returning({ id: posts.id });
  if (!changed.length) return false;
  await appendEvent(tx, 'forum.post.hidden', [threadRoom(post.threadId)], { postId: post.id, threadId: post.threadId });
  return true;
}

/** Shows a hidden post to everyone again and tells its thread's page (forum.post.restored). Returns whether it changed. */
export async function restorePost(tx: Executor, post: { id: number; threadId: number }): Promise<boolean> {
  const changed = await tx
    .update(posts)
    .set({ hiddenAt: null, hiddenReason: null })
    .where(and(eq(posts.id, post.id), isNotNull(posts.hiddenAt)))
    .returning({ id: posts.id });
  if (!changed.length) return false;
  await appendEvent(tx, 'forum.post.restored', [threadRoom(post.threadId)], { postId: post.id, threadId: post.threadId });
  return true;
}
