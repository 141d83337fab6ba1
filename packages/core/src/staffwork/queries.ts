import type { Role } from '../forum/types.js';
import { and, asc, desc, eq, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import { alias, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.js';
import { auditLog } from '../audit/schema.js';
import type { Executor } from '../db/client.js';
import { EXPERT } from '../badges/catalogue.js';
import { userBadges } from '../badges/schema.js';
import { categories, posts, tags, threads, threadTags } from '../forum/schema.js';
import { queueItems } from '../queue/schema.js';
import { cannedResponses, csatResponses, privateConversations, privateMessages, staffDrafts, staffNotes } from './schema.js';

export type UserRefRow = { id: number; handle: string; displayName: string; role: Role };

const author = alias(users, 'author');
const reviewer = alias(users, 'reviewer');
const customer = alias(users, 'customer');
const opener = alias(users, 'opener');

/** The columns of a UserRefRow, from the users table or one of its aliases. */
type RefColumns = 'id' | 'handle' | 'displayName' | 'role';
const refOf = <T extends Record<RefColumns, AnyPgColumn>>(u: T): Pick<T, RefColumns> => ({ id: u.id, handle: u.handle, displayName: u.displayName, role: u.role });
const userRef = refOf(users);
const authorRef = refOf(author);
const reviewerRef = refOf(reviewer);
const customerRef = refOf(customer);
const openerRef = refOf(opener);

// ---------------------------------------------------------------------------------------------
// Threads, items, people

/** What staff work checks about a thread, locked for the caller's transaction. */
export async function lockThreadFacts(db: Executor, threadId: number) {
  const [row] = await db
    .select({
      id: threads.id,
      title: threads.title,
      authorId: threads.authorId,
      status: threads.status,
      heldAt: threads.heldAt,
      takenPrivateAt: threads.takenPrivateAt,
      supportSince: threads.supportSince,
      supportResolvedAt: threads.supportResolvedAt,
      categoryId: threads.categoryId,
      categoryName: categories.name,
      categorySlug: categories.slug,
      replyApproval: categories.replyApproval,
      authorHandle: users.handle,
      authorDisplayName: users.displayName,
    })
    .from(threads)
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .innerJoin(users, eq(users.id, threads.authorId))
    .where(and(eq(threads.id, threadId), isNull(threads.deletedAt)))
    .for('update', { of: threads });
  return row;
}
export type ThreadFacts = NonNullable<Awaited<ReturnType<typeof lockThreadFacts>>>;

export async function getThreadAuthorId(db: Executor, threadId: number): Promise<number | undefined> {
  const [row] = await db.select({ authorId: threads.authorId }).from(threads).where(and(eq(threads.id, threadId), isNull(threads.deletedAt)));
  return row?.authorId;
}

export async function getItemRef(db: Executor, itemId: number) {
  const [row] = await db
    .select({ id: queueItems.id, threadId: queueItems.threadId, status: queueItems.status, replyApproval: categories.replyApproval })
    .from(queueItems)
    .innerJoin(threads, eq(threads.id, queueItems.threadId))
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .where(eq(queueItems.id, itemId));
  return row;
}

/** A member as an Actor needs them (to publish an approved draft as its agent). */
export async function getActorRow(db: Executor, userId: number) {
  const [row] = await db
    .select({ ...userRef, trustLevel: users.trustLevel, silencedUntil: users.silencedUntil })
    .from(users)
    .where(eq(users.id, userId));
  return row;
}

export async function getUserRef(db: Executor, userId: number): Promise<UserRefRow | undefined> {
  const [row] = await db.select(userRef).from(users).where(eq(users.id, userId));
  return row;
}

export async function getAskerRow(db: Executor, userId: number, threadId: number) {
  const [row] = await db
    .select({
      ...userRef,
      createdAt: users.createdAt,
      trustLevel: users.trustLevel,
      reputation: users.reputation,
      priorThreads: sql<number>`(select count(*) from threads t where t.author_id = ${userId} and t.id <> ${threadId} and t.deleted_at is null)`.mapWith(Number),
    })
    .from(users)
    .where(eq(users.id, userId));
  return row;
}

/** The asker's queue items on other threads, newest first. */
export async function listPriorItems(db: Executor, userId: number, threadId: number, limit: number) {
  return db
    .select({
      id: queueItems.id,
      threadId: queueItems.threadId,
      threadTitle: threads.title,
      status: queueItems.status,
      resolution: queueItems.resolution,
      openedAt: queueItems.openedAt,
    })
    .from(queueItems)
    .innerJoin(threads, eq(threads.id, queueItems.threadId))
    .where(and(eq(threads.authorId, userId), ne(queueItems.threadId, threadId), isNull(threads.deletedAt)))
    .orderBy(desc(queueItems.openedAt), desc(queueItems.id))
    .limit(limit);
}

export async function setTakenPrivate(db: Executor, threadId: number, at: Date) {
  await db.update(threads).set({ takenPrivateAt: at }).where(eq(threads.id, threadId));
}

// ---------------------------------------------------------------------------------------------
// Posts: staff verification

export async function lockPostForVerify(db: Executor, postId: number) {
  const [row] = await db
    .select({
      id: posts.id,
      threadId: posts.threadId,
      authorId: posts.authorId,
      authorRole: users.role,
      position: posts.position,
      deletedAt: posts.deletedAt,
      heldAt: posts.heldAt,
      hiddenAt: posts.hiddenAt,
      staffVerifiedAt: posts.staffVerifiedAt,
    })
    .from(posts)
    .innerJoin(users, eq(users.id, posts.authorId))
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .where(and(eq(posts.id, postId), isNull(threads.deletedAt)))
    .for('update', { of: posts });
  return row;
}

export async function setStaffVerified(db: Executor, postId: number, actorId: number, at: Date) {
  await db.update(posts).set({ staffVerifiedAt: at, staffVerifiedById: actorId }).where(eq(posts.id, postId));
}

// ---------------------------------------------------------------------------------------------
// Canned responses

const selectCanned = (db: Executor) =>
  db.select({ canned: cannedResponses, creator: authorRef }).from(cannedResponses).leftJoin(author, eq(author.id, cannedResponses.createdById));

export async function listCannedRows(db: Executor) {
  return selectCanned(db)
    .where(isNull(cannedResponses.deletedAt))
    .orderBy(asc(sql`lower(${cannedResponses.title})`), asc(cannedResponses.id));
}

export async function getCannedRow(db: Executor, id: number) {
  const [row] = await selectCanned(db).where(and(eq(cannedResponses.id, id), isNull(cannedResponses.deletedAt)));
  return row;
}
export type CannedRow = NonNullable<Awaited<ReturnType<typeof getCannedRow>>>;

export async function lockCanned(db: Executor, id: number) {
  const [row] = await db
    .select()
    .from(cannedResponses)
    .where(and(eq(cannedResponses.id, id), isNull(cannedResponses.deletedAt)))
    .for('update');
  return row;
}

export async function insertCanned(db: Executor, values: { title: string; body: string; createdById: number; updatedAt: Date }) {
  const [row] = await db.insert(cannedResponses).values(values).returning({ id: cannedResponses.id });
  return row.id;
}

export async function updateCanned(db: Executor, id: number, values: { title?: string; body?: string; updatedAt?: Date; deletedAt?: Date }) {
  await db.update(cannedResponses).set(values).where(eq(cannedResponses.id, id));
}

// ---------------------------------------------------------------------------------------------
// Notes

export async function insertNote(db: Executor, values: { threadId: number; itemId: number | null; authorId: number; body: string; createdAt: Date }) {
  const [row] = await db.insert(staffNotes).values(values).returning({ id: staffNotes.id });
  return row.id;
}

export async function listNoteRows(db: Executor, where: { threadId?: number; id?: number }) {
  return db
    .select({ note: staffNotes, author: authorRef })
    .from(staffNotes)
    .innerJoin(author, eq(author.id, staffNotes.authorId))
    .where(and(where.threadId ? eq(staffNotes.threadId, where.threadId) : undefined, where.id ? eq(staffNotes.id, where.id) : undefined))
    .orderBy(asc(staffNotes.id));
}
export type NoteRow = Awaited<ReturnType<typeof listNoteRows>>[number];

// ---------------------------------------------------------------------------------------------
// Drafts

export async function insertDraft(db: Executor, values: { threadId: number; itemId: number | null; authorId: number; body: string; createdAt: Date }) {
  const [row] = await db.insert(staffDrafts).values(values).returning({ id: staffDrafts.id });
  return row.id;
}

export async function lockDraft(db: Executor, id: number) {
  const [row] = await db.select().from(staffDrafts).where(eq(staffDrafts.id, id)).for('update');
  return row;
}

export async function updateDraft(db: Executor, id: number, values: Partial<typeof staffDrafts.$inferInsert>) {
  await db.update(staffDrafts).set(values).where(eq(staffDrafts.id, id));
}

export interface DraftFilter {
  ids?: number[];
  threadId?: number;
  statuses?: Array<'pending' | 'approved' | 'returned'>;
  /** keyset: drafts with a smaller id (newest first) */
  beforeId?: number;
}

export async function listDraftRows(db: Executor, filter: DraftFilter, limit: number) {
  return db
    .select({
      draft: staffDrafts,
      threadTitle: threads.title,
      categorySlug: categories.slug,
      categoryName: categories.name,
      author: authorRef,
      reviewer: reviewerRef,
    })
    .from(staffDrafts)
    .innerJoin(threads, eq(threads.id, staffDrafts.threadId))
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .innerJoin(author, eq(author.id, staffDrafts.authorId))
    .leftJoin(reviewer, eq(reviewer.id, staffDrafts.reviewerId))
    .where(
      and(
        isNull(threads.deletedAt),
        filter.ids ? inArray(staffDrafts.id, filter.ids) : undefined,
        filter.threadId ? eq(staffDrafts.threadId, filter.threadId) : undefined,
        filter.statuses ? inArray(staffDrafts.status, filter.statuses) : undefined,
        filter.beforeId ? lt(staffDrafts.id, filter.beforeId) : undefined,
      ),
    )
    .orderBy(desc(staffDrafts.id))
    .limit(limit);
}
export type DraftRow = Awaited<ReturnType<typeof listDraftRows>>[number];

// ---------------------------------------------------------------------------------------------
// Private conversations

export async function insertConversation(db: Executor, values: { threadId: number; customerId: number; openedById: number; subject: string; createdAt: Date }) {
  const [row] = await db.insert(privateConversations).values(values).returning({ id: privateConversations.id });
  return row.id;
}

export async function insertMessage(db: Executor, values: { conversationId: number; authorId: number; bodyMarkdown: string; bodyHtml: string; createdAt: Date }) {
  const [row] = await db.insert(privateMessages).values(values).returning({ id: privateMessages.id });
  return row.id;
}

export async function listConversationRows(db: Executor, where: { id?: number; customerId?: number; threadId?: number }) {
  return db
    .select({
      conversation: privateConversations,
      threadTitle: threads.title,
      customer: customerRef,
      openedBy: openerRef,
      lastMessageAt: sql<Date>`(select max(m.created_at) from ${privateMessages} m where m.conversation_id = "private_conversations"."id")`.mapWith((v) => new Date(v)),
      messageCount: sql<number>`(select count(*) from ${privateMessages} m where m.conversation_id = "private_conversations"."id")`.mapWith(Number),
    })
    .from(privateConversations)
    .innerJoin(threads, eq(threads.id, privateConversations.threadId))
    .innerJoin(customer, eq(customer.id, privateConversations.customerId))
    .innerJoin(opener, eq(opener.id, privateConversations.openedById))
    .where(
      and(
        where.id ? eq(privateConversations.id, where.id) : undefined,
        where.customerId ? eq(privateConversations.customerId, where.customerId) : undefined,
        where.threadId ? eq(privateConversations.threadId, where.threadId) : undefined,
      ),
    )
    .orderBy(desc(privateConversations.id));
}
export type ConversationRow = Awaited<ReturnType<typeof listConversationRows>>[number];

export async function listMessageRows(db: Executor, conversationId: number) {
  return db
    .select({ message: privateMessages, author: authorRef })
    .from(privateMessages)
    .innerJoin(author, eq(author.id, privateMessages.authorId))
    .where(eq(privateMessages.conversationId, conversationId))
    .orderBy(asc(privateMessages.id));
}
export type MessageRow = Awaited<ReturnType<typeof listMessageRows>>[number];

export async function lockConversation(db: Executor, id: number) {
  const [row] = await db.select().from(privateConversations).where(eq(privateConversations.id, id)).for('update');
  return row;
}

// ---------------------------------------------------------------------------------------------
// CSAT and nudges

/** The thread's latest item resolved by an agent or with an agent's assist, with its CSAT if given. */
export async function getRatableItem(db: Executor, threadId: number) {
  const [row] = await db
    .select({ id: queueItems.id, resolution: queueItems.resolution, csat: csatResponses })
    .from(queueItems)
    .leftJoin(csatResponses, eq(csatResponses.itemId, queueItems.id))
    .where(and(eq(queueItems.threadId, threadId), eq(queueItems.status, 'resolved'), inArray(queueItems.resolution, ['agent', 'assisted'])))
    .orderBy(desc(queueItems.resolvedAt), desc(queueItems.id))
    .limit(1);
  return row;
}

/** One CSAT per item: returns null when the item already has one. */
export async function insertCsat(db: Executor, values: { itemId: number; threadId: number; userId: number; score: number; comment: string | null; createdAt: Date }) {
  const [row] = await db.insert(csatResponses).values(values).onConflictDoNothing().returning();
  return row ?? null;
}

export async function getCsatOfItem(db: Executor, itemId: number) {
  const [row] = await db.select().from(csatResponses).where(eq(csatResponses.itemId, itemId));
  return row;
}

/** Nudges are audit rows (`thread.nudged`); the item page lists them from there. */
export async function listNudgeRows(db: Executor, threadId: number) {
  return db
    .select({ data: auditLog.data, reason: auditLog.reason, at: auditLog.createdAt, by: authorRef })
    .from(auditLog)
    .innerJoin(author, eq(author.id, auditLog.actorId))
    .where(and(eq(auditLog.subjectType, 'thread'), eq(auditLog.subjectId, threadId), eq(auditLog.action, 'thread.nudged')))
    .orderBy(asc(auditLog.id));
}

export async function getUserRefByHandle(db: Executor, handle: string): Promise<UserRefRow | undefined> {
  const [row] = await db.select(userRef).from(users).where(sql`lower(${users.handle}) = lower(${handle})`);
  return row;
}

/**
 * Members holding a live Expert badge for one of the thread's tags (staff and the asker left
 * out), with those tags, most tags first, then by handle.
 */
export async function listThreadExpertRows(db: Executor, threadId: number, askerId: number) {
  return db
    .select({ ...userRef, tags: sql<string[]>`array_agg(distinct ${tags.slug} order by ${tags.slug})` })
    .from(userBadges)
    .innerJoin(threadTags, and(eq(threadTags.tagId, userBadges.tagId), eq(threadTags.threadId, threadId)))
    .innerJoin(tags, eq(tags.id, userBadges.tagId))
    .innerJoin(users, eq(users.id, userBadges.userId))
    .where(and(eq(userBadges.badge, EXPERT), isNull(userBadges.revokedAt), eq(users.role, 'member'), ne(users.id, askerId)))
    .groupBy(users.id)
    .orderBy(desc(sql`count(distinct ${tags.id})`), asc(users.handle))
    .limit(20);
}

export async function getUserRefs(db: Executor, ids: number[]): Promise<UserRefRow[]> {
  if (!ids.length) return [];
  return db.select(userRef).from(users).where(inArray(users.id, ids));
}
