import { and, asc, eq, gt, isNull, notInArray, or, sql } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { authorize } from '../policy/index.js';
import { categories, threads } from '../forum/schema.js';
import { presentThreadSummary } from '../forum/present.js';
import * as q from '../forum/queries.js';
import { decodeCursor, encodeCursor, isKeyset, LIMITS } from '../forum/service.js';
import type { ThreadSummary } from '../forum/types.js';

export interface UnansweredItem {
  thread: ThreadSummary;
  reason: 'unanswered';
  /** when the category's community window closed */
  windowEndedAt: string;
  waitingMinutes: number;
}

/**
 * Threads that no peer answered within their category's community window, oldest first: the
 * first slice of the agents' queue. Staff only (Forbidden otherwise).
 */
export async function listUnansweredPastWindow(
  ctx: Ctx,
  input: { limit?: number; cursor?: string } = {},
): Promise<{ items: UnansweredItem[]; nextCursor: string | null }> {
  authorize(ctx.actor, 'console.access', null);
  const limit = Math.min(Math.max(input.limit ?? LIMITS.pageDefault, 1), LIMITS.pageMax);
  const after = decodeCursor(input.cursor, isKeyset);
  const now = ctx.now();
  const windowEnd = sql`${threads.createdAt} + make_interval(mins => ${categories.communityWindowMinutes})`;
  const rows = await ctx.db
    .select({ id: threads.id, createdAt: threads.createdAt, windowEndedAt: sql<Date>`${windowEnd}`.mapWith((v) => new Date(v)) })
    .from(threads)
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .where(
      and(
        isNull(threads.firstPeerReplyAt),
        isNull(threads.deletedAt),
        isNull(threads.heldAt),
        notInArray(threads.status, ['closed', 'solved']),
        sql`${windowEnd} <= ${now}`,
        after ? or(gt(threads.createdAt, new Date(after[0])), and(eq(threads.createdAt, new Date(after[0])), gt(threads.id, after[1]))) : undefined,
      ),
    )
    .orderBy(asc(threads.createdAt), asc(threads.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const details = new Map((await q.getThreadRowsByIds(ctx.db, page.map((r) => r.id))).map((t) => [t.id, t]));
  const last = page[page.length - 1];
  return {
    items: page.flatMap((r) => {
      const row = details.get(r.id);
      if (!row) return [];
      return [{
        thread: presentThreadSummary(row),
        reason: 'unanswered' as const,
        windowEndedAt: r.windowEndedAt.toISOString(),
        waitingMinutes: Math.max(0, Math.floor((now.getTime() - r.windowEndedAt.getTime()) / 60_000)),
      }];
    }),
    nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
  };
}

// The console's moderation actions, the audit log and the approval list live beside this file.
export * from './actions.js';
export * from './audit-log.js';
export * from './approvals.js';
