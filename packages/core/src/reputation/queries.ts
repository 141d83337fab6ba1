import { and, desc, eq, inArray, isNull, lt, notExists, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../db/client.js';
import { users } from '../accounts/schema.js';
import { posts, threads } from '../forum/schema.js';
import { reputationLedger } from './schema.js';

export type LedgerRow = typeof reputationLedger.$inferSelect;
export type NewLedgerRow = typeof reputationLedger.$inferInsert;

const reversal = alias(reputationLedger, 'reversal');

/**
 * Entries about a post that still count: not reversals themselves and not reversed yet,
 * optionally only those one member caused. Callers hold the post's or thread's row lock.
 */
export async function listLiveEntries(db: Executor, where: { postId: number; causedById?: number; reasons: readonly string[] }): Promise<LedgerRow[]> {
  return db
    .select()
    .from(reputationLedger)
    .where(
      and(
        eq(reputationLedger.postId, where.postId),
        where.causedById === undefined ? undefined : eq(reputationLedger.causedById, where.causedById),
        inArray(reputationLedger.reason, [...where.reasons]),
        isNull(reputationLedger.reversesId),
        notExists(db.select({ one: sql`1` }).from(reversal).where(eq(reversal.reversesId, reputationLedger.id))),
      ),
    );
}

export async function insertEntries(db: Executor, rows: NewLedgerRow[]): Promise<void> {
  if (rows.length) await db.insert(reputationLedger).values(rows);
}

/** Moves a member's cached total by `points`, in the transaction that wrote the entries. */
export async function addToReputation(db: Executor, userId: number, points: number): Promise<void> {
  await db.update(users).set({ reputation: sql`${users.reputation} + ${points}` }).where(eq(users.id, userId));
}

export async function getMemberByHandle(db: Executor, handle: string) {
  const [row] = await db
    .select({ id: users.id, handle: users.handle, displayName: users.displayName, reputation: users.reputation, trustLevel: users.trustLevel })
    .from(users)
    .where(sql`lower(${users.handle}) = lower(${handle})`);
  return row;
}

/** A member's ledger, newest first, with the post's thread when the post is still visible. */
export async function listLedgerRows(db: Executor, userId: number, limit: number, beforeId?: number) {
  return db
    .select({
      id: reputationLedger.id,
      reason: reputationLedger.reason,
      points: reputationLedger.points,
      reversesId: reputationLedger.reversesId,
      createdAt: reputationLedger.createdAt,
      postId: posts.id,
      threadId: threads.id,
      threadTitle: threads.title,
    })
    .from(reputationLedger)
    .leftJoin(posts, and(eq(posts.id, reputationLedger.postId), isNull(posts.deletedAt), isNull(posts.heldAt)))
    .leftJoin(threads, and(eq(threads.id, posts.threadId), isNull(threads.deletedAt), isNull(threads.heldAt)))
    .where(and(eq(reputationLedger.userId, userId), beforeId === undefined ? undefined : lt(reputationLedger.id, beforeId)))
    .orderBy(desc(reputationLedger.id))
    .limit(limit);
}

export type LedgerListRow = Awaited<ReturnType<typeof listLedgerRows>>[number];
