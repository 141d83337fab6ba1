import { and, asc, count, desc, eq, gt, inArray, isNotNull, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.js';
import { userBadges } from '../badges/schema.js';
import type { Executor } from '../db/client.js';
import { categories, posts, tags, threads } from '../forum/schema.js';
import { notifications } from './schema.js';
import type { NotificationBadge, NotificationKind } from './types.js';

/** What a notification keeps in `data`, so the list renders without joining anything. */
export interface NotificationData {
  threadTitle?: string;
  actor?: { handle: string; displayName: string };
  excerpt?: string;
  badge?: NotificationBadge;
  /** badges: the holder's handle, for the link to their profile */
  userHandle?: string;
  tags?: Array<{ slug: string; name: string }>;
  windowEndsAt?: string;
  /** flag outcomes */
  flagOutcome?: 'agreed' | 'disagreed';
  /** private messages: the staff–customer conversation */
  conversationId?: number;
}

export type NotificationRow = Omit<typeof notifications.$inferSelect, 'kind' | 'data'> & { kind: NotificationKind; data: NotificationData };

export interface NewNotification {
  userId: number;
  kind: NotificationKind;
  dedupeKey: string;
  threadId?: number | null;
  postId?: number | null;
  actorId?: number | null;
  data: NotificationData;
  createdAt: Date;
}

// Two-key advisory locks in a namespace of our own ('noti'), one per recipient.
const LOCK_NAMESPACE = 0x6e6f7469;

/**
 * Takes each recipient's notification lock until the transaction ends, in id order so two
 * transactions never wait on each other in a circle. Holding it, a transaction sees every
 * earlier writer's committed rows: routed counts and pushed unread counts are exact.
 */
export async function lockRecipients(tx: Executor, userIds: number[]): Promise<void> {
  for (const id of [...new Set(userIds)].sort((a, b) => a - b)) {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}, ${id})`);
  }
}

/** Inserts the notifications that do not exist yet (by recipient and dedupe key); returns those. */
export async function insertNotifications(tx: Executor, rows: NewNotification[]): Promise<NotificationRow[]> {
  if (!rows.length) return [];
  // an erased member's account is a shell: nothing is delivered to it any more
  const erased = new Set(
    (await tx.select({ id: users.id }).from(users).where(and(inArray(users.id, [...new Set(rows.map((r) => r.userId))]), isNotNull(users.erasedAt)))).map((u) => u.id),
  );
  if (erased.size) rows = rows.filter((r) => !erased.has(r.userId));
  if (!rows.length) return [];
  const inserted = await tx
    .insert(notifications)
    .values(rows.map((r) => ({ ...r, threadId: r.threadId ?? null, postId: r.postId ?? null, actorId: r.actorId ?? null })))
    .onConflictDoNothing({ target: [notifications.userId, notifications.dedupeKey] })
    .returning();
  return inserted as NotificationRow[];
}

/** Unread notifications per member, for the members given (0 when none). */
export async function countUnread(db: Executor, userIds: number[]): Promise<Map<number, number>> {
  const result = new Map(userIds.map((id) => [id, 0]));
  if (!userIds.length) return result;
  const rows = await db
    .select({ userId: notifications.userId, unread: count() })
    .from(notifications)
    .where(and(inArray(notifications.userId, userIds), isNull(notifications.readAt)))
    .groupBy(notifications.userId);
  for (const row of rows) result.set(row.userId, row.unread);
  return result;
}

/** A member's notifications, newest first, after the keyset cursor (an id). */
export async function listNotificationRows(db: Executor, userId: number, options: { beforeId?: number; unreadOnly: boolean; limit: number }): Promise<NotificationRow[]> {
  const rows = await db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.userId, userId),
        options.beforeId !== undefined ? lt(notifications.id, options.beforeId) : undefined,
        options.unreadOnly ? isNull(notifications.readAt) : undefined,
      ),
    )
    .orderBy(desc(notifications.id))
    .limit(options.limit);
  return rows as NotificationRow[];
}

export async function getNotificationRow(db: Executor, userId: number, id: number): Promise<NotificationRow | undefined> {
  const [row] = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.id, id), eq(notifications.userId, userId)));
  return row as NotificationRow | undefined;
}

/** Marks one of the member's notifications read; undefined when it was read already (or is not theirs). */
export async function markRowRead(tx: Executor, userId: number, id: number, at: Date): Promise<NotificationRow | undefined> {
  const [row] = await tx
    .update(notifications)
    .set({ readAt: at })
    .where(and(eq(notifications.id, id), eq(notifications.userId, userId), isNull(notifications.readAt)))
    .returning();
  return row as NotificationRow | undefined;
}

/** Marks the member's unread notifications read (those up to `upToId` when given); returns how many. */
export async function markRowsRead(tx: Executor, userId: number, at: Date, upToId?: number): Promise<number> {
  const result = await tx
    .update(notifications)
    .set({ readAt: at })
    .where(
      and(
        eq(notifications.userId, userId),
        isNull(notifications.readAt),
        upToId !== undefined ? lte(notifications.id, upToId) : undefined,
      ),
    );
  return result.rowCount ?? 0;
}

/** Routed questions each member received after `since` (the rolling hour of the routing limit). */
export async function countRoutedSince(db: Executor, userIds: number[], since: Date): Promise<Map<number, number>> {
  const result = new Map(userIds.map((id) => [id, 0]));
  if (!userIds.length) return result;
  const rows = await db
    .select({ userId: notifications.userId, routed: count() })
    .from(notifications)
    .where(and(inArray(notifications.userId, userIds), eq(notifications.kind, 'routed'), gt(notifications.createdAt, since)))
    .groupBy(notifications.userId);
  for (const row of rows) result.set(row.userId, row.routed);
  return result;
}

// ---------------------------------------------------------------------------------------------
// What the jobs read about the post, thread and people a notification is about

const author = alias(users, 'author');
const threadAuthor = alias(users, 'thread_author');

export interface PostForNotification {
  postId: number;
  position: number;
  bodyMarkdown: string;
  bodyText: string;
  authorId: number;
  authorHandle: string;
  authorDisplayName: string;
  threadId: number;
  threadTitle: string;
  threadAuthorId: number;
  acceptedPostId: number | null;
}

/** A live post in a live thread, with what its notifications show; undefined once either is deleted. */
export async function getPostForNotification(db: Executor, postId: number): Promise<PostForNotification | undefined> {
  const [row] = await db
    .select({
      postId: posts.id,
      position: posts.position,
      bodyMarkdown: posts.bodyMarkdown,
      bodyText: posts.bodyText,
      authorId: posts.authorId,
      authorHandle: author.handle,
      authorDisplayName: author.displayName,
      threadId: threads.id,
      threadTitle: threads.title,
      threadAuthorId: threads.authorId,
      acceptedPostId: threads.acceptedPostId,
    })
    .from(posts)
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .innerJoin(author, eq(author.id, posts.authorId))
    .where(and(eq(posts.id, postId), isNull(posts.deletedAt), isNull(threads.deletedAt)));
  return row;
}

export interface ThreadForRouting {
  id: number;
  title: string;
  kind: 'question' | 'discussion';
  status: 'open' | 'answered' | 'solved' | 'closed';
  createdAt: Date;
  communityWindowMinutes: number;
  authorId: number;
  authorHandle: string;
  authorDisplayName: string;
}

/** A live thread with its category's community window and its author. */
export async function getThreadForRouting(db: Executor, threadId: number): Promise<ThreadForRouting | undefined> {
  const [row] = await db
    .select({
      id: threads.id,
      title: threads.title,
      kind: threads.kind,
      status: threads.status,
      createdAt: threads.createdAt,
      communityWindowMinutes: categories.communityWindowMinutes,
      authorId: threads.authorId,
      authorHandle: threadAuthor.handle,
      authorDisplayName: threadAuthor.displayName,
    })
    .from(threads)
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .innerJoin(threadAuthor, eq(threadAuthor.id, threads.authorId))
    .where(and(eq(threads.id, threadId), isNull(threads.deletedAt)));
  return row;
}

export interface ExpertTag {
  userId: number;
  tagId: number;
  tagSlug: string;
  tagName: string;
}

/**
 * Live Expert badges in any of the tags, held by members who may be sent routed questions now:
 * not the asker, not muted, silenced or suspended. One row per (member, tag), by member.
 */
export async function listRoutableExperts(db: Executor, tagIds: number[], askerId: number, now: Date): Promise<ExpertTag[]> {
  if (!tagIds.length) return [];
  return db
    .select({ userId: userBadges.userId, tagId: tags.id, tagSlug: tags.slug, tagName: tags.name })
    .from(userBadges)
    .innerJoin(users, eq(users.id, userBadges.userId))
    .innerJoin(tags, eq(tags.id, userBadges.tagId))
    .where(
      and(
        eq(userBadges.badge, 'expert'),
        isNull(userBadges.revokedAt),
        inArray(userBadges.tagId, tagIds),
        ne(users.id, askerId),
        eq(users.routingMuted, false),
        or(isNull(users.silencedUntil), lte(users.silencedUntil, now)),
        or(isNull(users.suspendedUntil), lte(users.suspendedUntil, now)),
      ),
    )
    .orderBy(asc(userBadges.userId), asc(tags.slug));
}

export interface MemberRef {
  id: number;
  handle: string;
  displayName: string;
}

/** Members by handle, regardless of case (the handle index is on lower(handle)). */
export async function getMembersByHandles(db: Executor, lowerHandles: string[]): Promise<MemberRef[]> {
  if (!lowerHandles.length) return [];
  return db
    .select({ id: users.id, handle: users.handle, displayName: users.displayName })
    .from(users)
    .where(inArray(sql`lower(${users.handle})`, lowerHandles));
}

export async function getMember(db: Executor, id: number): Promise<MemberRef | undefined> {
  const [row] = await db.select({ id: users.id, handle: users.handle, displayName: users.displayName }).from(users).where(eq(users.id, id));
  return row;
}

export async function getRoutingMuted(db: Executor, userId: number): Promise<boolean | undefined> {
  const [row] = await db.select({ routingMuted: users.routingMuted }).from(users).where(eq(users.id, userId));
  return row?.routingMuted;
}

export async function setRoutingMuted(db: Executor, userId: number, muted: boolean): Promise<boolean | undefined> {
  const [row] = await db.update(users).set({ routingMuted: muted }).where(eq(users.id, userId)).returning({ routingMuted: users.routingMuted });
  return row?.routingMuted;
}
