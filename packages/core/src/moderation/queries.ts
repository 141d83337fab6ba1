import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import { users } from '../accounts/schema.js';
import { auditLog } from '../audit/schema.js';
import type { Executor } from '../db/client.js';
import { posts, threads } from '../forum/schema.js';

/** The thread's columns a moderation step checks, row-locked; deleted threads too (the caller decides). */
export async function lockThreadForModeration(tx: Executor, threadId: number) {
  const [thread] = await tx
    .select({
      id: threads.id,
      title: threads.title,
      status: threads.status,
      categoryId: threads.categoryId,
      authorId: threads.authorId,
      heldAt: threads.heldAt,
      pinnedAt: threads.pinnedAt,
      mergedIntoId: threads.mergedIntoId,
      deletedAt: threads.deletedAt,
      lastPosition: threads.lastPosition,
      replyCount: threads.replyCount,
      firstPeerReplyAt: threads.firstPeerReplyAt,
      statusBeforeClose: threads.statusBeforeClose,
    })
    .from(threads)
    .where(eq(threads.id, threadId))
    .for('update');
  return thread;
}

export type MovedReply = {
  id: number;
  created_at: string;
  author_id: number;
  /** neither deleted nor held: it counts on its new thread */
  live: boolean;
  /** a live reply by a member other than the target's author: a peer answer there */
  peer: boolean;
};

/**
 * Moves every reply of a thread to the end of another, in order, after its last position (the
 * unique (thread, position) index holds throughout). Authors and times stay.
 */
export async function moveReplies(tx: Executor, fromThreadId: number, into: { id: number; lastPosition: number; authorId: number }): Promise<MovedReply[]> {
  const { rows } = await tx.execute<MovedReply>(sql`
    with moving as (
      select p.id, row_number() over (order by p.position) as n from ${posts} p
      where p.thread_id = ${fromThreadId} and p.position > 1
    )
    update ${posts} p set thread_id = ${into.id}, position = ${into.lastPosition} + moving.n
    from moving where p.id = moving.id
    returning p.id, p.created_at, p.author_id,
      (p.deleted_at is null and p.held_at is null) as live,
      (p.deleted_at is null and p.held_at is null and p.author_id <> ${into.authorId}
        and exists (select 1 from ${users} u where u.id = p.author_id and u.role = 'member')) as peer`);
  return rows;
}

export interface AuditRowFilter {
  actorHandle?: string;
  /** matched as a prefix */
  action?: string;
  subjectType?: string;
  subjectId?: number;
  from?: Date;
  to?: Date;
  beforeId?: number;
}

/** Audit entries newest first (keyset on id), with the actor and a label for the subject as it is now. */
export async function listAuditRows(db: Executor, filter: AuditRowFilter, limit: number) {
  const conditions: SQL[] = [];
  if (filter.actorHandle) conditions.push(sql`lower(${users.handle}) = lower(${filter.actorHandle})`);
  if (filter.action) conditions.push(sql`${auditLog.action} like ${`${filter.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  if (filter.subjectType) conditions.push(eq(auditLog.subjectType, filter.subjectType));
  if (filter.subjectId !== undefined) conditions.push(eq(auditLog.subjectId, filter.subjectId));
  if (filter.from) conditions.push(sql`${auditLog.createdAt} >= ${filter.from}`);
  if (filter.to) conditions.push(lt(auditLog.createdAt, filter.to));
  if (filter.beforeId !== undefined) conditions.push(lt(auditLog.id, filter.beforeId));
  return db
    .select({
      id: auditLog.id,
      action: auditLog.action,
      subjectType: auditLog.subjectType,
      subjectId: auditLog.subjectId,
      reason: auditLog.reason,
      data: auditLog.data,
      createdAt: auditLog.createdAt,
      actorId: users.id,
      actorHandle: users.handle,
      actorDisplayName: users.displayName,
      actorRole: users.role,
      subjectLabel: sql<string | null>`case ${auditLog.subjectType}
        when 'user' then (select u.handle from ${users} u where u.id = ${auditLog.subjectId})
        when 'thread' then (select t.title from ${threads} t where t.id = ${auditLog.subjectId})
        when 'post' then (select t.title from ${posts} p join ${threads} t on t.id = p.thread_id where p.id = ${auditLog.subjectId})
        end`,
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(and(...conditions))
    .orderBy(desc(auditLog.id))
    .limit(limit);
}
