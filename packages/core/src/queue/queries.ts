import { and, asc, desc, eq, inArray, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../db/client.js';
import { users } from '../accounts/schema.js';
import { flags } from '../flags/schema.js';
import { categories, posts, threads } from '../forum/schema.js';
import { threadColumns } from '../forum/queries.js';
import { queueItems } from './schema.js';
import type { QueueReason } from './types.js';

export type QueueItemRow = typeof queueItems.$inferSelect;

/**
 * Whether the community answered the thread: for a discussion, any peer reply (not the author,
 * not staff); for a question, an accepted answer that is not staff's, or a peer answer with a
 * positive score. Correlated on `threads`.
 */
const communityAnswered = sql<boolean>`case
  when ${threads.kind} = 'discussion' then ${threads.firstPeerReplyAt} is not null
  else exists (
    select 1 from ${posts} p join ${users} u on u.id = p.author_id
    where p.thread_id = ${threads.id} and p.position > 1 and p.deleted_at is null and p.held_at is null
      and u.role = 'member'
      and (p.id = ${threads.acceptedPostId} or (p.score > 0 and p.author_id <> ${threads.authorId})))
  end`;

/** What the entry and exit rules need about a thread, its row locked; nothing for a deleted thread. */
export async function lockThreadState(db: Executor, threadId: number) {
  const [row] = await db
    .select({
      id: threads.id,
      authorId: threads.authorId,
      kind: threads.kind,
      status: threads.status,
      heldAt: threads.heldAt,
      createdAt: threads.createdAt,
      communityWindowMinutes: categories.communityWindowMinutes,
      slaMinutes: categories.slaMinutes,
      flagThreshold: categories.flagThreshold,
      communityAnswered,
    })
    .from(threads)
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .where(and(eq(threads.id, threadId), sql`${threads.deletedAt} is null`))
    .for('update', { of: threads });
  return row;
}

export type ThreadState = NonNullable<Awaited<ReturnType<typeof lockThreadState>>>;

/** Whether the thread has an open item, without locking: most replies and votes concern none. */
export async function hasOpenItem(db: Executor, threadId: number): Promise<boolean> {
  const [row] = await db
    .select({ id: queueItems.id })
    .from(queueItems)
    .where(and(eq(queueItems.threadId, threadId), ne(queueItems.status, 'resolved')));
  return row !== undefined;
}

/** The thread's open item (any status but resolved), locked. */
export async function lockOpenItem(db: Executor, threadId: number): Promise<QueueItemRow | undefined> {
  const [row] = await db
    .select()
    .from(queueItems)
    .where(and(eq(queueItems.threadId, threadId), ne(queueItems.status, 'resolved')))
    .for('update');
  return row;
}

export async function lockItem(db: Executor, id: number): Promise<QueueItemRow | undefined> {
  const [row] = await db.select().from(queueItems).where(eq(queueItems.id, id)).for('update');
  return row;
}

/** The summed weight of a post's open flags. */
export async function openFlagWeight(db: Executor, postId: number): Promise<number> {
  const [row] = await db
    .select({ weight: sql<number>`coalesce(sum(${flags.weight}), 0)`.mapWith(Number) })
    .from(flags)
    .where(and(eq(flags.postId, postId), eq(flags.status, 'open')));
  return row?.weight ?? 0;
}

/**
 * Claims a queued item for `agentId` in one conditional statement: it wins only while the item
 * waits in the queue, so of two agents claiming at once exactly one gets a row back.
 */
export async function claimItem(db: Executor, id: number, agentId: number, now: Date): Promise<QueueItemRow | undefined> {
  const [row] = await db
    .update(queueItems)
    .set({ status: 'claimed', claimedById: agentId, claimedAt: now, lastAgentActivityAt: now })
    .where(and(eq(queueItems.id, id), eq(queueItems.status, 'queued')))
    .returning();
  return row;
}

const claimer = alias(users, 'claimer');
const resolver = alias(users, 'resolver');

export interface QueueFilter {
  open: boolean;
  reason?: QueueReason;
  ids?: number[];
}

/** Open items: [dueAt, openedAt, id]; resolved ones: [resolvedAt, id]. */
export type QueueKeyset = [Date, Date, number] | [Date, number];

/**
 * Queue items with their thread summary and agents, in one query: open ones by SLA due time
 * then age (queue_items_open_due_idx), resolved ones newest first. Items of deleted threads are
 * left out.
 */
export async function listItemRows(db: Executor, filter: QueueFilter, limit: number, after?: QueueKeyset) {
  const conditions: (SQL | undefined)[] = [
    filter.open ? ne(queueItems.status, 'resolved') : eq(queueItems.status, 'resolved'),
    sql`${threads.deletedAt} is null`,
  ];
  if (filter.reason) conditions.push(sql`${filter.reason} = any(${queueItems.reasons})`);
  if (filter.ids) conditions.push(inArray(queueItems.id, filter.ids));
  if (after && after.length === 3) {
    const [due, opened, id] = after;
    conditions.push(sql`(${queueItems.dueAt}, ${queueItems.openedAt}, ${queueItems.id}) > (${due}, ${opened}, ${id})`);
  } else if (after) {
    const [resolved, id] = after;
    conditions.push(or(lt(queueItems.resolvedAt, resolved), and(eq(queueItems.resolvedAt, resolved), lt(queueItems.id, id))));
  }
  return db
    .select({
      item: queueItems,
      thread: threadColumns,
      firstPeerReplyAt: threads.firstPeerReplyAt,
      claimerHandle: claimer.handle,
      claimerDisplayName: claimer.displayName,
      claimerRole: claimer.role,
      resolverHandle: resolver.handle,
      resolverDisplayName: resolver.displayName,
      resolverRole: resolver.role,
    })
    .from(queueItems)
    .innerJoin(threads, eq(threads.id, queueItems.threadId))
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .innerJoin(users, eq(users.id, threads.authorId))
    .leftJoin(claimer, eq(claimer.id, queueItems.claimedById))
    .leftJoin(resolver, eq(resolver.id, queueItems.resolvedById))
    .where(and(...conditions))
    .orderBy(...(filter.open ? [asc(queueItems.dueAt), asc(queueItems.openedAt), asc(queueItems.id)] : [desc(queueItems.resolvedAt), desc(queueItems.id)]))
    .limit(limit);
}

export type QueueListRow = Awaited<ReturnType<typeof listItemRows>>[number];
