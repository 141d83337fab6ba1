import { and, eq, sql } from 'drizzle-orm';
import { within, type Actor, type Ctx } from '../context.js';
import { recordAudit } from '../audit/service.js';
import type { Executor } from '../db/client.js';
import { Conflict, Invalid, NotFound } from '../errors.js';
import { appendEvent } from '../events/outbox.js';
import { hidePost, restorePost } from '../forum/hidden.js';
import * as fq from '../forum/queries.js';
import { categories, posts, threads } from '../forum/schema.js';
import { closeThread, emitThreadUpdated, listCategories, reopenThread } from '../forum/service.js';
import { silenceMember, suspendMember, unsilenceMember, unsuspendMember } from '../members/service.js';
import { authorize } from '../policy/index.js';
import { lockOpenItemOf, requireQueueOrReason, touchAgentActivity, type OpenItemRef } from '../queue/activity.js';
import { presentQueueItem } from '../queue/present.js';
import * as qq from '../queue/queries.js';
import { queueItems } from '../queue/schema.js';
import type { MemberStatus } from '../reputation/types.js';
import * as mq from './queries.js';

// Staff moderating from the console: each action checks the actor is staff, the thread is in the
// queue or a reason is given (queue/activity.ts), changes the state, and in the same transaction
// writes exactly one audit row (data: before and after) and tells every open console
// (moderation.action.taken, room `queue`). Work on a queued thread keeps its claim from idling.

export const MODERATION_EVENT = 'moderation.action.taken';
/** The longest silence or suspension the console gives: a year. */
export const SANCTION_HOURS_MAX = 24 * 365;

const QUEUE = 'queue';

type State = Record<string, unknown>;

interface Done {
  action: string;
  subjectType: 'post' | 'thread' | 'user';
  subjectId: number;
  threadId: number | null;
  before: State;
  after: State;
  data?: State;
}

export interface ModerationResult {
  action: string;
  subject: { type: 'post' | 'thread' | 'user'; id: number };
  threadId: number | null;
  before: State;
  after: State;
  /** the thread's open queue item the action touched, if any */
  queueItemId: number | null;
}

const cleanReason = (reason: string | null | undefined) => reason?.trim() || null;

async function finish(tx: Executor, actor: Actor, done: Done, reason: string | null, item: OpenItemRef | null, now: Date): Promise<ModerationResult> {
  await recordAudit(tx, {
    actorId: actor.id,
    action: done.action,
    subjectType: done.subjectType,
    subjectId: done.subjectId,
    reason,
    data: { before: done.before, after: done.after, threadId: done.threadId, queueItemId: item?.id ?? null, ...done.data },
    at: now,
  });
  if (item) await touchAgentActivity(tx, item.id, now);
  const result: ModerationResult = {
    action: done.action,
    subject: { type: done.subjectType, id: done.subjectId },
    threadId: done.threadId,
    before: done.before,
    after: done.after,
    queueItemId: item?.id ?? null,
  };
  await appendEvent(tx, MODERATION_EVENT, [QUEUE], { ...result, actor: { id: actor.id, handle: actor.handle }, reason, at: now.toISOString() });
  return result;
}

/** The services reused here open their own (nested) transactions on the caller's. */

type LockedThread = NonNullable<Awaited<ReturnType<typeof mq.lockThreadForModeration>>>;

/**
 * Runs one staff action on a thread: loads and locks it (NotFound when missing or deleted,
 * Conflict thread_held while it awaits approval), lets `check` refuse on its state, requires the
 * queue or a reason, then acts and records it.
 */
async function onThread(
  ctx: Ctx,
  threadId: number,
  reason: string | null | undefined,
  check: (tx: Executor, thread: LockedThread) => void | Promise<void>,
  act: (tx: Executor, thread: LockedThread, actor: Actor, now: Date, item: OpenItemRef | null) => Promise<Omit<Done, 'subjectType' | 'subjectId' | 'threadId'>>,
  options: { alsoLock?: number } = {},
): Promise<ModerationResult> {
  const actor = authorize(ctx.actor, 'moderation.act', null);
  const why = cleanReason(reason);
  return ctx.db.transaction(async (tx) => {
    // two threads are locked in id order, so two opposite merges cannot deadlock
    if (options.alsoLock !== undefined && options.alsoLock < threadId) await mq.lockThreadForModeration(tx, options.alsoLock);
    const thread = await mq.lockThreadForModeration(tx, threadId);
    if (!thread || thread.deletedAt) throw new NotFound('Thread', 'thread_not_found');
    if (thread.heldAt) throw new Conflict('thread_held', 'This thread awaits approval: approve or reject it in the approval list');
    await check(tx, thread);
    const item = await requireQueueOrReason(tx, threadId, why);
    const now = ctx.now();
    const done = await act(tx, thread, actor, now, item);
    return finish(tx, actor, { ...done, subjectType: 'thread', subjectId: threadId, threadId }, why, item, now);
  });
}

/** Runs one staff action on a post, like onThread; NotFound for a missing or deleted post, Conflict post_held for a held one. */
async function onPost(
  ctx: Ctx,
  postId: number,
  reason: string | null | undefined,
  check: (post: NonNullable<Awaited<ReturnType<typeof fq.lockPost>>>) => void,
  act: (tx: Executor, post: NonNullable<Awaited<ReturnType<typeof fq.lockPost>>>, now: Date) => Promise<Omit<Done, 'subjectType' | 'subjectId' | 'threadId'>>,
): Promise<ModerationResult> {
  const actor = authorize(ctx.actor, 'moderation.act', null);
  const why = cleanReason(reason);
  return ctx.db.transaction(async (tx) => {
    const post = await fq.lockPost(tx, postId);
    if (!post || post.deletedAt) throw new NotFound('Post', 'post_not_found');
    if (post.heldAt) throw new Conflict('post_held', 'This post awaits approval: approve or reject it in the approval list');
    check(post);
    const item = await requireQueueOrReason(tx, post.threadId, why);
    const now = ctx.now();
    const done = await act(tx, post, now);
    return finish(tx, actor, { ...done, subjectType: 'post', subjectId: postId, threadId: post.threadId }, why, item, now);
  });
}

// ---------------------------------------------------------------------------------------------
// Posts

/**
 * Hides a post from everyone but its author and staff (hidden_reason `staff`); emits
 * forum.post.hidden to its thread. Conflict post_hidden when it already is. Audited as post.hidden.
 */
export async function hidePostAsStaff(ctx: Ctx, postId: number, input: { reason?: string | null } = {}): Promise<ModerationResult> {
  return onPost(
    ctx,
    postId,
    input.reason,
    (post) => {
      if (post.hiddenAt) throw new Conflict('post_hidden', 'This post is already hidden');
    },
    async (tx, post, now) => {
      await hidePost(tx, post, 'staff', now);
      return { action: 'post.hidden', before: { hidden: false }, after: { hidden: true, hiddenReason: 'staff' } };
    },
  );
}

/** Shows a hidden post to everyone again; emits forum.post.restored. Conflict post_not_hidden. Audited as post.restored. */
export async function restorePostAsStaff(ctx: Ctx, postId: number, input: { reason?: string | null } = {}): Promise<ModerationResult> {
  return onPost(
    ctx,
    postId,
    input.reason,
    (post) => {
      if (!post.hiddenAt) throw new Conflict('post_not_hidden', 'This post is not hidden');
    },
    async (tx, post) => {
      const [row] = await tx.select({ hiddenReason: posts.hiddenReason }).from(posts).where(eq(posts.id, post.id));
      await restorePost(tx, post);
      return { action: 'post.restored', before: { hidden: true, hiddenReason: row?.hiddenReason ?? null }, after: { hidden: false } };
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Threads

/** The categories a thread can be moved to (staff; Forbidden otherwise). */
export async function listCategoriesForStaff(ctx: Ctx) {
  authorize(ctx.actor, 'moderation.act', null);
  return listCategories(ctx);
}

/** Closes a thread to replies (forum.closeThread); Conflict thread_closed. Audited as thread.closed. */
export async function closeThreadAsStaff(ctx: Ctx, threadId: number, input: { reason?: string | null } = {}): Promise<ModerationResult> {
  return onThread(
    ctx,
    threadId,
    input.reason,
    (_tx, thread) => {
      if (thread.status === 'closed') throw new Conflict('thread_closed', 'This thread is already closed');
    },
    async (tx, thread) => {
      const after = await closeThread(within(ctx, tx), threadId);
      return { action: 'thread.closed', before: { status: thread.status }, after: { status: after.status }, data: { title: thread.title } };
    },
  );
}

/** Reopens a closed thread in its earlier status (forum.reopenThread); Conflict thread_not_closed. Audited as thread.reopened. */
export async function reopenThreadAsStaff(ctx: Ctx, threadId: number, input: { reason?: string | null } = {}): Promise<ModerationResult> {
  return onThread(
    ctx,
    threadId,
    input.reason,
    (_tx, thread) => {
      if (thread.status !== 'closed') throw new Conflict('thread_not_closed', 'This thread is not closed');
      if (thread.mergedIntoId) throw new Conflict('thread_merged', 'This thread was merged into another; it stays closed');
    },
    async (tx, thread) => {
      const after = await reopenThread(within(ctx, tx), threadId);
      return { action: 'thread.reopened', before: { status: thread.status }, after: { status: after.status }, data: { title: thread.title } };
    },
  );
}

/** Pins a thread: it leads its category's listing. Conflict thread_pinned; emits forum.thread.updated. Audited as thread.pinned. */
export async function pinThread(ctx: Ctx, threadId: number, input: { reason?: string | null } = {}): Promise<ModerationResult> {
  return onThread(
    ctx,
    threadId,
    input.reason,
    (_tx, thread) => {
      if (thread.pinnedAt) throw new Conflict('thread_pinned', 'This thread is already pinned');
    },
    async (tx, thread, _actor, now) => {
      await tx.update(threads).set({ pinnedAt: now }).where(eq(threads.id, threadId));
      await emitThreadUpdated(tx, threadId);
      return { action: 'thread.pinned', before: { pinned: false }, after: { pinned: true }, data: { title: thread.title } };
    },
  );
}

/** Unpins a thread. Conflict thread_not_pinned; emits forum.thread.updated. Audited as thread.unpinned. */
export async function unpinThread(ctx: Ctx, threadId: number, input: { reason?: string | null } = {}): Promise<ModerationResult> {
  return onThread(
    ctx,
    threadId,
    input.reason,
    (_tx, thread) => {
      if (!thread.pinnedAt) throw new Conflict('thread_not_pinned', 'This thread is not pinned');
    },
    async (tx, thread) => {
      await tx.update(threads).set({ pinnedAt: null }).where(eq(threads.id, threadId));
      await emitThreadUpdated(tx, threadId);
      return { action: 'thread.unpinned', before: { pinned: true }, after: { pinned: false }, data: { title: thread.title } };
    },
  );
}

/**
 * Moves a thread to another category. NotFound category_not_found for an unknown category,
 * Conflict same_category when it is there already; emits forum.thread.updated. Audited as thread.moved.
 */
export async function moveThread(ctx: Ctx, threadId: number, input: { categoryId: number; reason?: string | null }): Promise<ModerationResult> {
  let target: { id: number; slug: string } | undefined;
  return onThread(
    ctx,
    threadId,
    input.reason,
    async (tx, thread) => {
      [target] = await tx.select({ id: categories.id, slug: categories.slug }).from(categories).where(eq(categories.id, input.categoryId));
      if (!target) throw new NotFound('Category', 'category_not_found');
      if (thread.categoryId === input.categoryId) throw new Conflict('same_category', 'The thread is in that category already');
    },
    async (tx, thread) => {
      if (!target) throw new NotFound('Category', 'category_not_found');
      const [from] = await tx.select({ id: categories.id, slug: categories.slug }).from(categories).where(eq(categories.id, thread.categoryId));
      await tx.update(threads).set({ categoryId: target.id }).where(eq(threads.id, threadId));
      await emitThreadUpdated(tx, threadId);
      return {
        action: 'thread.moved',
        before: { categoryId: from.id, category: from.slug },
        after: { categoryId: target.id, category: target.slug },
        data: { title: thread.title },
      };
    },
  );
}

/**
 * Merges a duplicate thread into another: its replies move to the end of the target (authors
 * and times kept; the target's reply count, activity time and peer-answer state follow), and
 * the duplicate is closed and marked merged, so readers are sent to the target. Its open queue
 * item moves to the target when the target has none, and is resolved (agent) otherwise.
 * Conflict merge_into_self, merge_target_gone (deleted target), thread_merged (either side
 * merged already); NotFound for an unknown thread. Emits forum.thread.merged to both threads'
 * pages and forum.thread.updated for each. Audited as thread.merged.
 */
export async function mergeThread(ctx: Ctx, threadId: number, input: { intoThreadId: number; reason?: string | null }): Promise<ModerationResult> {
  const intoId = input.intoThreadId;
  let found: LockedThread | undefined;
  return onThread(
    ctx,
    threadId,
    input.reason,
    async (tx, thread) => {
      if (intoId === threadId) throw new Conflict('merge_into_self', 'A thread cannot be merged into itself');
      if (thread.mergedIntoId) throw new Conflict('thread_merged', 'This thread was already merged into another');
      found = await mq.lockThreadForModeration(tx, intoId);
      if (!found) throw new NotFound('Thread', 'thread_not_found');
      if (found.deletedAt) throw new Conflict('merge_target_gone', 'The thread to merge into is deleted');
      if (found.mergedIntoId) throw new Conflict('thread_merged', 'The thread to merge into was itself merged into another');
      if (found.heldAt) throw new Conflict('thread_held', 'The thread to merge into awaits approval');
    },
    async (tx, source, actor, now, item) => {
      const target = found!;

      // Replies keep their order after the target's last position (the unique position index holds).
      const moved = await mq.moveReplies(tx, threadId, { id: intoId, lastPosition: target.lastPosition, authorId: target.authorId });
      const live = moved.filter((m) => m.live);
      const latest = live.reduce<Date | null>((at, m) => (at && at > new Date(m.created_at) ? at : new Date(m.created_at)), null);
      const firstPeer = moved.filter((m) => m.peer).reduce<Date | null>((at, m) => (at && at < new Date(m.created_at) ? at : new Date(m.created_at)), null);
      const peerAnswered = firstPeer !== null;
      await tx
        .update(threads)
        .set({
          lastPosition: target.lastPosition + moved.length,
          replyCount: target.replyCount + live.length,
          lastActivityAt: latest ? sql`greatest(${threads.lastActivityAt}, ${latest})` : undefined,
          firstPeerReplyAt: firstPeer ? sql`least(coalesce(${threads.firstPeerReplyAt}, ${firstPeer}), ${firstPeer})` : undefined,
          status: peerAnswered && target.status === 'open' ? 'answered' : undefined,
          statusBeforeClose: peerAnswered && target.statusBeforeClose === 'open' ? 'answered' : undefined,
        })
        .where(eq(threads.id, intoId));
      await tx
        .update(threads)
        .set({
          status: 'closed',
          statusBeforeClose: source.status === 'closed' ? source.statusBeforeClose : source.status,
          acceptedPostId: null,
          replyCount: 0,
          mergedIntoId: intoId,
          lastActivityAt: now,
        })
        .where(eq(threads.id, threadId));

      const queue = await carryQueueItem(tx, actor, item, threadId, intoId, now);
      const mergedInto = { id: intoId, title: target.title };
      await appendEvent(tx, 'forum.thread.merged', [`thread:${threadId}`, `thread:${intoId}`], { threadId, mergedInto, movedPostIds: moved.map((m) => m.id) });
      await emitThreadUpdated(tx, threadId);
      await emitThreadUpdated(tx, intoId);
      return {
        action: 'thread.merged',
        before: { status: source.status, replyCount: source.replyCount, mergedIntoId: null },
        after: { status: 'closed', replyCount: 0, mergedIntoId: intoId },
        data: { title: source.title, into: mergedInto, movedPosts: moved.length, queue },
      };
    },
    { alsoLock: intoId },
  );
}

/** The duplicate's open queue item follows its replies when the target has none; otherwise the target's item covers it. */
async function carryQueueItem(tx: Executor, actor: Actor, item: OpenItemRef | null, threadId: number, intoId: number, now: Date) {
  if (!item) return null;
  const targetItem = await lockOpenItemOf(tx, intoId);
  if (!targetItem) {
    await tx.update(queueItems).set({ threadId: intoId }).where(eq(queueItems.id, item.id));
    const [row] = await qq.listItemRows(tx, { open: true, ids: [item.id] }, 1);
    await appendEvent(tx, 'queue.item.updated', [QUEUE], { item: presentQueueItem(row, now) }, { itemId: item.id, threadId: intoId });
    return { itemId: item.id, outcome: 'moved' as const };
  }
  await tx
    .update(queueItems)
    .set({ status: 'resolved', resolution: 'agent', resolvedAt: now, resolvedById: actor.id, lastAgentActivityAt: now })
    .where(and(eq(queueItems.id, item.id), eq(queueItems.threadId, threadId)));
  const [row] = await qq.listItemRows(tx, { open: false, ids: [item.id] }, 1);
  await appendEvent(tx, 'queue.item.resolved', [QUEUE], { item: presentQueueItem(row, now) }, { itemId: item.id, threadId, resolution: 'agent' });
  return { itemId: item.id, outcome: 'resolved' as const, coveredBy: targetItem.id };
}

// ---------------------------------------------------------------------------------------------
// Members: members/service.ts does the work and writes the one audit row; the console adds the
// duration in hours and tells the other consoles.

function checkHours(hours: number): number {
  if (!Number.isInteger(hours) || hours < 1 || hours > SANCTION_HOURS_MAX) throw new Invalid({ hours: `must be a whole number of hours from 1 to ${SANCTION_HOURS_MAX}` });
  return hours;
}

async function onMember(ctx: Ctx, action: string, run: (inner: Ctx) => Promise<MemberStatus>): Promise<MemberStatus> {
  const actor = authorize(ctx.actor, 'moderation.act', null);
  return ctx.db.transaction(async (tx) => {
    const status = await run(within(ctx, tx));
    await appendEvent(tx, MODERATION_EVENT, [QUEUE], {
      action,
      subject: { type: 'user', id: status.id },
      threadId: null,
      actor: { id: actor.id, handle: actor.handle },
      after: { silencedUntil: status.silencedUntil, suspendedUntil: status.suspendedUntil },
      at: ctx.now().toISOString(),
    });
    return status;
  });
}

/** Silences a member for some hours with a reason (members.silenceMember: audited as member.silenced). */
export async function silenceForHours(ctx: Ctx, handle: string, input: { hours: number; reason: string }): Promise<MemberStatus> {
  const hours = checkHours(input.hours);
  return onMember(ctx, 'member.silenced', (inner) => silenceMember(inner, handle, { until: new Date(ctx.now().getTime() + hours * 3_600_000), reason: input.reason }));
}

/** Suspends a member for some hours with a reason (members.suspendMember: audited as member.suspended). */
export async function suspendForHours(ctx: Ctx, handle: string, input: { hours: number; reason: string }): Promise<MemberStatus> {
  const hours = checkHours(input.hours);
  return onMember(ctx, 'member.suspended', (inner) => suspendMember(inner, handle, { until: new Date(ctx.now().getTime() + hours * 3_600_000), reason: input.reason }));
}

/** Ends a silence now (members.unsilenceMember: Conflict not_silenced; audited as member.unsilenced). */
export async function liftSilence(ctx: Ctx, handle: string, input: { reason?: string | null } = {}): Promise<MemberStatus> {
  return onMember(ctx, 'member.unsilenced', (inner) => unsilenceMember(inner, handle, input));
}

/** Lifts a suspension now (members.unsuspendMember: Conflict not_suspended; audited as member.unsuspended). */
export async function liftSuspension(ctx: Ctx, handle: string, input: { reason?: string | null } = {}): Promise<MemberStatus> {
  return onMember(ctx, 'member.unsuspended', (inner) => unsuspendMember(inner, handle, input));
}
