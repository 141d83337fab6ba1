import { and, asc, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../db/client.js';
import { users } from '../accounts/schema.js';
import { posts, threads } from '../forum/schema.js';
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

/** Flags with everything a reviewer needs, in one query: open ones oldest first, resolved ones newest first. */
export async function listFlagRows(db: Executor, where: { status: FlagStatus; ids?: number[] }, limit: number, afterId?: number) {
  const oldestFirst = where.status === 'open';
  return db
    .select({
      flag: flags,
      flaggerHandle: flagger.handle,
      flaggerDisplayName: flagger.displayName,
      flaggerRole: flagger.role,
      flaggerTrustLevel: flagger.trustLevel,
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
