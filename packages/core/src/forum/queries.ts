import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db, Executor } from '../db/client.js';
import { users } from '../accounts/schema.js';
import { userBadges } from '../badges/schema.js';
import { categories, postRevisions, posts, tags, threads, threadTags, votes } from './schema.js';
import type { TagRef } from './types.js';

const tagSlugs = sql<string[]>`array(
  select tg.slug from ${threadTags} tt join ${tags} tg on tg.id = tt.tag_id
  where tt.thread_id = ${threads.id} order by tg.slug)`;

export const threadColumns = {
  id: threads.id,
  title: threads.title,
  kind: threads.kind,
  status: threads.status,
  authorId: threads.authorId,
  acceptedPostId: threads.acceptedPostId,
  replyCount: threads.replyCount,
  score: threads.score,
  createdAt: threads.createdAt,
  lastActivityAt: threads.lastActivityAt,
  categoryId: categories.id,
  categorySlug: categories.slug,
  categoryName: categories.name,
  authorHandle: users.handle,
  authorDisplayName: users.displayName,
  authorRole: users.role,
  tags: tagSlugs,
  heldAt: threads.heldAt,
  takenPrivateAt: threads.takenPrivateAt,
  supportSince: threads.supportSince,
  supportResolvedAt: threads.supportResolvedAt,
  pinnedAt: threads.pinnedAt,
  mergedIntoId: threads.mergedIntoId,
};

export type ThreadRow = Awaited<ReturnType<ReturnType<typeof selectThreads>["execute"]>>[number];

function selectThreads(db: Executor) {
  return db
    .select(threadColumns)
    .from(threads)
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .innerJoin(users, eq(users.id, threads.authorId));
}

export async function getThreadRow(db: Executor, id: number): Promise<ThreadRow | undefined> {
  const statement = prepared(db);
  const [row] = statement
    ? await statement.thread.execute({ id })
    : await selectThreads(db).where(and(eq(threads.id, id), isNull(threads.deletedAt)));
  return row;
}

export interface ThreadFilter {
  list: 'latest' | 'unanswered' | 'solved';
  categoryId?: number;
  tagId?: number;
  authorId?: number;
  /** leave pinned threads out (a category's first page lists them first, on their own) */
  unpinned?: boolean;
}

export interface Keyset {
  at: Date;
  id: number;
}

export async function listThreadRows(db: Executor, filter: ThreadFilter, limit: number, after?: Keyset): Promise<ThreadRow[]> {
  const conditions: SQL[] = [isNull(threads.deletedAt), isNull(threads.heldAt)];
  if (filter.list === 'unanswered') conditions.push(eq(threads.status, 'open'));
  if (filter.list === 'solved') conditions.push(eq(threads.status, 'solved'));
  if (filter.categoryId !== undefined) conditions.push(eq(threads.categoryId, filter.categoryId));
  if (filter.authorId !== undefined) conditions.push(eq(threads.authorId, filter.authorId));
  if (filter.unpinned) conditions.push(isNull(threads.pinnedAt));
  if (filter.tagId !== undefined) {
    conditions.push(sql`exists (select 1 from ${threadTags} tt where tt.thread_id = ${threads.id} and tt.tag_id = ${filter.tagId})`);
  }
  if (after) {
    conditions.push(or(lt(threads.lastActivityAt, after.at), and(eq(threads.lastActivityAt, after.at), lt(threads.id, after.id)))!);
  }
  const rows = await selectThreads(db)
    .where(and(...conditions))
    .orderBy(desc(threads.lastActivityAt), desc(threads.id))
    .limit(limit);
  return rows;
}

/** A category's pinned threads, most recently pinned first. */
export async function listPinnedThreadRows(db: Executor, categoryId: number): Promise<ThreadRow[]> {
  return selectThreads(db)
    .where(and(eq(threads.categoryId, categoryId), isNotNull(threads.pinnedAt), isNull(threads.deletedAt), isNull(threads.heldAt)))
    .orderBy(desc(threads.pinnedAt), desc(threads.id));
}

export async function getThreadRowsByIds(db: Executor, ids: number[]): Promise<ThreadRow[]> {
  if (!ids.length) return [];
  return (await selectThreads(db).where(and(inArray(threads.id, ids), isNull(threads.deletedAt), isNull(threads.heldAt))));
}

/** The columns services lock and check before changing a thread. */
export async function lockThread(db: Executor, id: number) {
  const [row] = await db
    .select({
      id: threads.id,
      authorId: threads.authorId,
      kind: threads.kind,
      status: threads.status,
      statusBeforeClose: threads.statusBeforeClose,
      acceptedPostId: threads.acceptedPostId,
      firstPeerReplyAt: threads.firstPeerReplyAt,
      categoryId: threads.categoryId,
      title: threads.title,
      heldAt: threads.heldAt,
    })
    .from(threads)
    .where(and(eq(threads.id, id), isNull(threads.deletedAt)))
    .for('update');
  return row;
}

const voter = alias(votes, 'my_vote');

/**
 * The tags a post's author is a live Expert in, the post's thread's own tags first: a subselect of
 * the post query on the live-award index (which starts with the member), so a thread page stays
 * one query. It names the posts table itself (Drizzle leaves columns unqualified in RETURNING), so
 * an INSERT … RETURNING of a post can use it too.
 */
export const authorExpertIn = sql<TagRef[]>`(
  select coalesce(json_agg(json_build_object('slug', tg.slug, 'name', tg.name)
           order by exists (select 1 from ${threadTags} tt where tt.thread_id = posts.thread_id and tt.tag_id = tg.id) desc, tg.slug), '[]'::json)
  from ${userBadges} ub join ${tags} tg on tg.id = ub.tag_id
  where ub.user_id = posts.author_id and ub.badge = 'expert' and ub.revoked_at is null)`;

export function postColumns(viewerId: number) {
  return {
    id: posts.id,
    threadId: posts.threadId,
    position: posts.position,
    authorId: posts.authorId,
    authorHandle: users.handle,
    authorDisplayName: users.displayName,
    authorRole: users.role,
    bodyHtml: posts.bodyHtml,
    bodyMarkdown: posts.bodyMarkdown,
    score: posts.score,
    revisionCount: posts.revisionCount,
    createdAt: posts.createdAt,
    editedAt: posts.editedAt,
    deletedAt: posts.deletedAt,
    heldAt: posts.heldAt,
    hiddenAt: posts.hiddenAt,
    staffVerifiedAt: posts.staffVerifiedAt,
    authorExpertIn,
    myVote: sql<number>`coalesce(${voter.value}, 0)`.mapWith(Number),
  };
}

/** Held posts are shown to their author and to staff only. */
const visibleHeld = (viewerId: unknown, staff: unknown) => sql`(${posts.heldAt} is null or ${posts.authorId} = ${viewerId} or ${staff}::boolean)`;

export type PostRow = Awaited<ReturnType<typeof listPostRows>>[number];

export async function listPostRows(db: Executor, threadId: number, viewerId: number, afterPosition: number, limit: number, staff = false) {
  const statement = prepared(db);
  if (statement) return statement.posts.execute({ threadId, viewerId, afterPosition, limit, staff });
  return db
    .select(postColumns(viewerId))
    .from(posts)
    .innerJoin(users, eq(users.id, posts.authorId))
    .leftJoin(voter, and(eq(voter.postId, posts.id), eq(voter.userId, viewerId)))
    .where(and(eq(posts.threadId, threadId), gt(posts.position, afterPosition), visibleHeld(viewerId, staff)))
    .orderBy(asc(posts.position))
    .limit(limit);
}

export async function getPostRow(db: Executor, postId: number, viewerId: number) {
  const [row] = await db
    .select(postColumns(viewerId))
    .from(posts)
    .innerJoin(users, eq(users.id, posts.authorId))
    .leftJoin(voter, and(eq(voter.postId, posts.id), eq(voter.userId, viewerId)))
    .where(eq(posts.id, postId));
  return row;
}

export async function lockPost(db: Executor, postId: number) {
  const [row] = await db
    .select({
      id: posts.id,
      threadId: posts.threadId,
      authorId: posts.authorId,
      position: posts.position,
      bodyMarkdown: posts.bodyMarkdown,
      revisionCount: posts.revisionCount,
      score: posts.score,
      deletedAt: posts.deletedAt,
      heldAt: posts.heldAt,
      hiddenAt: posts.hiddenAt,
    })
    .from(posts)
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .where(and(eq(posts.id, postId), isNull(threads.deletedAt)))
    .for('update', { of: posts });
  return row;
}

export async function listRevisionRows(db: Executor, postId: number) {
  return db
    .select({
      revision: postRevisions.revision,
      bodyMarkdown: postRevisions.bodyMarkdown,
      title: postRevisions.title,
      createdAt: postRevisions.createdAt,
      editorId: users.id,
      editorHandle: users.handle,
      editorDisplayName: users.displayName,
      editorRole: users.role,
    })
    .from(postRevisions)
    .innerJoin(users, eq(users.id, postRevisions.editorId))
    .where(eq(postRevisions.postId, postId))
    .orderBy(desc(postRevisions.revision));
}

// In a select from one table, Drizzle writes its columns unqualified ("id"), which inside a
// subquery would bind to the subquery's own table; the correlated subqueries below name the
// outer table explicitly instead.

export async function listCategoryRows(db: Executor) {
  return db
    .select({
      id: categories.id,
      slug: categories.slug,
      name: categories.name,
      description: categories.description,
      communityWindowMinutes: categories.communityWindowMinutes,
      threadCount: sql<number>`(select count(*) from ${threads} t where t.category_id = ${categories}.id and t.deleted_at is null and t.held_at is null)`.mapWith(Number),
      tags: sql<string[]>`array(select tg.slug from ${tags} tg where tg.category_id = ${categories}.id order by tg.slug)`,
    })
    .from(categories)
    .orderBy(asc(categories.position), asc(categories.id));
}

export async function getCategoryBySlug(db: Executor, slug: string) {
  const [row] = await db.select().from(categories).where(eq(categories.slug, slug));
  return row;
}

export async function getTagsBySlugs(db: Executor, slugs: string[]) {
  if (!slugs.length) return [];
  return db.select().from(tags).where(inArray(tags.slug, slugs));
}

export async function listTagRows(db: Executor) {
  return db
    .select({
      slug: tags.slug,
      name: tags.name,
      threadCount: sql<number>`(select count(*) from ${threadTags} tt join ${threads} t on t.id = tt.thread_id where tt.tag_id = ${tags}.id and t.deleted_at is null and t.held_at is null)`.mapWith(Number),
    })
    .from(tags)
    .orderBy(asc(tags.slug));
}

export async function getUserByHandle(db: Executor, handle: string) {
  const [row] = await db
    .select({
      id: users.id,
      handle: users.handle,
      displayName: users.displayName,
      role: users.role,
      createdAt: users.createdAt,
      reputation: users.reputation,
      trustLevel: users.trustLevel,
      trustLevelLocked: users.trustLevelLocked,
      silencedUntil: users.silencedUntil,
      suspendedUntil: users.suspendedUntil,
      threadCount: sql<number>`(select count(*) from ${threads} t where t.author_id = ${users}.id and t.deleted_at is null and t.held_at is null)`.mapWith(Number),
      answerCount: sql<number>`(select count(*) from ${posts} p join ${threads} t on t.id = p.thread_id where p.author_id = ${users}.id and p.position > 1 and p.deleted_at is null and p.held_at is null and t.deleted_at is null)`.mapWith(Number),
      acceptedCount: sql<number>`(select count(*) from ${threads} t join ${posts} p on p.id = t.accepted_post_id where p.author_id = ${users}.id and t.deleted_at is null)`.mapWith(Number),
    })
    .from(users)
    .where(sql`lower(${users.handle}) = lower(${handle})`);
  return row;
}

export async function listAnswerRows(db: Executor, authorId: number, limit: number) {
  return db
    .select({
      id: posts.id,
      threadId: posts.threadId,
      score: posts.score,
      createdAt: posts.createdAt,
      bodyText: posts.bodyText,
      accepted: sql<boolean>`${threads.acceptedPostId} = ${posts.id}`.mapWith(Boolean),
    })
    .from(posts)
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .where(and(eq(posts.authorId, authorId), gt(posts.position, 1), isNull(posts.deletedAt), isNull(posts.heldAt), isNull(posts.hiddenAt), isNull(threads.deletedAt), isNull(threads.heldAt)))
    .orderBy(desc(posts.createdAt))
    .limit(limit);
}

// The thread page is the most read thing in a forum: its two queries are named prepared
// statements, so PostgreSQL plans them once per connection and Drizzle builds them once per
// pool. Inside a transaction the ordinary builders above are used.
function prepareReads(db: Db) {
  return {
    thread: selectThreads(db)
      .where(and(eq(threads.id, sql.placeholder('id')), isNull(threads.deletedAt)))
      .prepare('forum_thread_by_id'),
    posts: db
      .select(postColumns(0))
      .from(posts)
      .innerJoin(users, eq(users.id, posts.authorId))
      .leftJoin(voter, and(eq(voter.postId, posts.id), eq(voter.userId, sql.placeholder('viewerId'))))
      .where(
        and(
          eq(posts.threadId, sql.placeholder('threadId')),
          gt(posts.position, sql.placeholder('afterPosition')),
          visibleHeld(sql.placeholder('viewerId'), sql.placeholder('staff')),
        ),
      )
      .orderBy(asc(posts.position))
      .limit(sql.placeholder('limit'))
      .prepare('forum_thread_posts'),
  };
}

const preparedByDb = new WeakMap<Db, ReturnType<typeof prepareReads>>();

function prepared(db: Executor): ReturnType<typeof prepareReads> | null {
  if ('rollback' in db) return null;
  let statements = preparedByDb.get(db);
  if (!statements) preparedByDb.set(db, (statements = prepareReads(db)));
  return statements;
}

/**
 * Counts a new reply on its thread, under the thread's row lock: the next position, activity
 * time, and for a reply by someone other than the author the first peer (open → answered) or
 * first staff reply time. Returns nothing when the thread is missing, deleted, held or closed.
 * A reply held for approval (`held`) takes its position only; when staff approve it
 * (`approved`) it counts like a new reply, in whatever status the thread is now.
 */
export async function bumpThreadForReply(
  tx: Executor,
  threadId: number,
  replier: { id: number; staff: boolean },
  now: Date,
  mode: 'reply' | 'held' | 'approved' = 'reply',
) {
  const other = sql`t.author_id <> ${replier.id}`;
  const sets: SQL[] = [];
  if (mode !== 'approved') sets.push(sql`last_position = t.last_position + 1`);
  if (mode !== 'held') {
    sets.push(sql`reply_count = t.reply_count + 1`, sql`last_activity_at = ${now}`);
    sets.push(
      replier.staff
        ? sql`first_staff_reply_at = case when ${other} then coalesce(t.first_staff_reply_at, ${now}) else t.first_staff_reply_at end`
        : sql`first_peer_reply_at = case when ${other} then coalesce(t.first_peer_reply_at, ${now}) else t.first_peer_reply_at end,
              status = case when ${other} and t.status = 'open' then 'answered'::thread_status else t.status end,
              status_before_close = case when ${other} and t.status_before_close = 'open' then 'answered'::thread_status else t.status_before_close end`,
    );
  }
  const writable = mode === 'approved' ? sql`true` : sql`old.status <> 'closed' and old.held_at is null`;
  const { rows } = await tx.execute<{
    last_position: number;
    status: ThreadRow['status'];
    previous_status: ThreadRow['status'];
    author_id: number;
    kind: ThreadRow['kind'];
    accepted_post_id: number | null;
  }>(sql`
    with old as (select id, status, held_at from threads where id = ${threadId} and deleted_at is null for update)
    update threads t set ${sql.join(sets, sql`, `)}
    from old
    where t.id = old.id and ${writable}
    returning t.last_position, t.status, old.status as previous_status, t.author_id, t.kind, t.accepted_post_id`);
  const row = rows[0];
  return (
    row && {
      lastPosition: row.last_position,
      status: row.status,
      previousStatus: row.previous_status,
      authorId: row.author_id,
      kind: row.kind,
      acceptedPostId: row.accepted_post_id,
    }
  );
}

/**
 * Whether a new post by this member in this category is held for approval: the category asks
 * for it and the member has no visible post yet. (The caller checks the trust level first, so
 * most posts never run this.)
 */
export async function holdsFirstPost(db: Executor, authorId: number, where: { categoryId: number } | { threadId: number }): Promise<boolean> {
  const category =
    'categoryId' in where
      ? sql`select hold_first_posts from ${categories} where id = ${where.categoryId}`
      : sql`select c.hold_first_posts from ${categories} c join ${threads} t on t.category_id = c.id where t.id = ${where.threadId}`;
  const { rows } = await db.execute<{ held: boolean }>(sql`
    select coalesce((${category}), false)
      and not exists (select 1 from ${posts} p where p.author_id = ${authorId} and p.held_at is null and p.deleted_at is null) as held`);
  return rows[0]?.held === true;
}
