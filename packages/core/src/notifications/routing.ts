import type { Ctx } from '../context.js';
import type { Executor } from '../db/client.js';
import { countRoutedSince, getThreadForRouting, listRoutableExperts, type ThreadForRouting } from './queries.js';

const HOUR_MS = 3_600_000;

export interface RoutingPlan {
  thread: ThreadForRouting;
  /** thread created_at + the category's community window: the experts' head start ends here */
  windowEndsAt: Date;
  /** who may be sent it, with the thread's tags each is an expert in */
  experts: Array<{ userId: number; tags: Array<{ slug: string; name: string }> }>;
}

export interface NewThreadFacts {
  threadId: number;
  kind: string;
  tagIds: number[];
}

/**
 * Who a new thread is routed to, before the rolling-hour limit. Only questions with tags are
 * routed: a discussion asks for no answer, and an untagged question names no expertise (both
 * wait for the community and, after the window, the agents' queue). A thread that is gone,
 * closed or already solved, or whose community window has passed (a job that ran late), is
 * not routed either. Experts are members with a live Expert badge in any of the thread's tags,
 * minus the asker, members who muted routing, silenced or suspended members, and `exclude`
 * (members notified about this post already, e.g. @mentioned in it). Null: route to nobody.
 */
export async function planRouting(ctx: Ctx, tx: Executor, facts: NewThreadFacts, exclude: ReadonlySet<number>): Promise<RoutingPlan | null> {
  if (facts.kind !== 'question' || !facts.tagIds.length) return null;
  const thread = await getThreadForRouting(tx, facts.threadId);
  if (!thread || thread.kind !== 'question' || thread.status === 'solved' || thread.status === 'closed') return null;
  const now = ctx.now();
  const windowEndsAt = new Date(thread.createdAt.getTime() + thread.communityWindowMinutes * 60_000);
  if (now.getTime() >= windowEndsAt.getTime()) return null;

  const experts = new Map<number, Array<{ slug: string; name: string }>>();
  for (const row of await listRoutableExperts(tx, facts.tagIds, thread.authorId, now)) {
    if (exclude.has(row.userId)) continue;
    const tags = experts.get(row.userId) ?? [];
    tags.push({ slug: row.tagSlug, name: row.tagName });
    experts.set(row.userId, tags);
  }
  if (!experts.size) return null;
  return { thread, windowEndsAt, experts: [...experts].map(([userId, tags]) => ({ userId, tags })) };
}

/**
 * The experts still under `config.routing.perExpertPerHour` routed questions in the hour before
 * now (by the job's clock). Call it only while holding the experts' notification locks
 * (lockRecipients): then no other job can route to them between this count and the insert, so
 * the limit is exact however many jobs run at once.
 */
export async function withinRoutingLimit(ctx: Ctx, tx: Executor, plan: RoutingPlan): Promise<RoutingPlan['experts']> {
  const limit = ctx.config.routing.perExpertPerHour;
  const since = new Date(ctx.now().getTime() - HOUR_MS);
  const routed = await countRoutedSince(tx, plan.experts.map((e) => e.userId), since);
  return plan.experts.filter((e) => (routed.get(e.userId) ?? 0) < limit);
}
