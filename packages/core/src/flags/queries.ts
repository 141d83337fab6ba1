import { and, asc, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../db/client.js';
import { users } from '../accounts/schema.js';
import { categories, posts, threads } from '../forum/schema.js';
import { flags } from './schema.js';
import type { FlagStatus } from './types.js';

export type FlagRow = typeof flags.$inferSelect;

export async function getOpenFlag(db: Executor, postId: number, flaggerId: number): Promise<FlagRow | undefined> {
  const [row] = await db
    .select()
    .from(flags)
    .where(and(eq(flags.postId, postId), eq(flags.flaggerId, flaggerId), eq(flags.status, 'open')));
  return row;
}

export async function lockFlag(db: Executor, flagId: number): Promise<FlagRow | undefined> {
  const [row] = await db.select().from(flags).where(eq(flags.id, flagId)).for('update');
  return row;
}

const flagger = alias(users, 'flagger');
const author = alias(users, 'author');
const resolver = alias(users, 'resolver');
/** Who raised a flag, as reviewers see them. */
const flaggerColumns = {
  flaggerHandle: flagger.handle,
  flaggerDisplayName: flagger.displayName,
  flaggerRole: flagger.role,
  flaggerTrustLevel: flagger.trustLevel,
};

/** Flags with everything a reviewer needs, in one query: open ones oldest first, resolved ones newest first. */
export async function listFlagRows(db: Executor, where: { status: FlagStatus; ids?: number[] }, limit: number, afterId?: number) {
  const oldestFirst = where.status === 'open';
  return db
    .select({
      flag: flags,
      ...flaggerColumns,
      postThreadId: posts.threadId,
      postPosition: posts.position,
      postText: posts.bodyText,
      postDeletedAt: posts.deletedAt,
      authorId: author.id,
      authorHandle: author.handle,
      authorDisplayName: author.displayName,
      authorRole: author.role,
      threadTitle: threads.title,
      resolverId: resolver.id,
      resolverHandle: resolver.handle,
      resolverDisplayName: resolver.displayName,
      resolverRole: resolver.role,
      openWeight: sql<number>`(select coalesce(sum(f2.weight), 0) from ${flags} f2 where f2.post_id = ${flags.postId} and f2.status = 'open')`.mapWith(Number),
    })
    .from(flags)
    .innerJoin(flagger, eq(flagger.id, flags.flaggerId))
    .innerJoin(posts, eq(posts.id, flags.postId))
    .innerJoin(author, eq(author.id, posts.authorId))
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .leftJoin(resolver, eq(resolver.id, flags.resolvedById))
    .where(
      and(
        eq(flags.status, where.status),
        where.ids ? inArray(flags.id, where.ids) : undefined,
        afterId === undefined ? undefined : oldestFirst ? gt(flags.id, afterId) : lt(flags.id, afterId),
      ),
    )
    .orderBy(oldestFirst ? asc(flags.id) : desc(flags.id))
    .limit(limit);
}

export type FlagListRow = Awaited<ReturnType<typeof listFlagRows>>[number];

/**
 * The weight that hides a post: its open flags' weights, less "needs staff" flags, which ask
 * for staff's attention and say nothing against the post.
 */
export async function hidingWeight(db: Executor, postId: number): Promise<number> {
  const [row] = await db
    .select({ weight: sql<number>`coalesce(sum(${flags.weight}), 0)`.mapWith(Number) })
    .from(flags)
    .where(and(eq(flags.postId, postId), eq(flags.status, 'open'), sql`${flags.reason} <> 'needs_staff'`));
  return row?.weight ?? 0;
}

/** A post's open flags, oldest first, locked. */
export async function lockOpenFlags(db: Executor, postId: number): Promise<FlagRow[]> {
  return db
    .select()
    .from(flags)
    .where(and(eq(flags.postId, postId), eq(flags.status, 'open')))
    .orderBy(asc(flags.id))
    .for('update');
}

/**
 * Posts with open flags, one row each, by their oldest open flag (keyset on that flag's id):
 * the post, its author and thread, the category's threshold and the open flags' summed weight.
 */
export async function listFlaggedPostRows(db: Executor, limit: number, afterFlagId?: number) {
  const firstFlagId = sql<number>`min(${flags.id})`.mapWith(Number);
  return db
    .select({
      firstFlagId,
      postId: posts.id,
      threadId: posts.threadId,
      position: posts.position,
      bodyText: posts.bodyText,
      deletedAt: posts.deletedAt,
      hiddenAt: posts.hiddenAt,
      authorId: author.id,
      authorHandle: author.handle,
      authorDisplayName: author.displayName,
      authorRole: author.role,
      threadTitle: threads.title,
      threshold: categories.flagThreshold,
      totalWeight: sql<number>`sum(${flags.weight})`.mapWith(Number),
    })
    .from(flags)
    .innerJoin(posts, eq(posts.id, flags.postId))
    .innerJoin(author, eq(author.id, posts.authorId))
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .where(eq(flags.status, 'open'))
    .groupBy(posts.id, author.id, threads.id, categories.id)
    .having(afterFlagId === undefined ? undefined : sql`min(${flags.id}) > ${afterFlagId}`)
    .orderBy(sql`min(${flags.id})`)
    .limit(limit);
}

export type FlaggedPostRow = Awaited<ReturnType<typeof listFlaggedPostRows>>[number];

/** The open flags on these posts with their flaggers, oldest first. */
export async function listOpenFlagsOf(db: Executor, postIds: number[]) {
  if (!postIds.length) return [];
  return db
    .select({
      flag: flags,
      ...flaggerColumns,
    })
    .from(flags)
    .innerJoin(flagger, eq(flagger.id, flags.flaggerId))
    .where(and(inArray(flags.postId, postIds), eq(flags.status, 'open')))
    .orderBy(asc(flags.id));
}

export type OpenFlagRow = Awaited<ReturnType<typeof listOpenFlagsOf>>[number];
