import { sql } from 'drizzle-orm';
import type { Ctx, RateRule } from '../context.js';
import { RateLimited } from '../errors.js';

/**
 * Counts one hit against `key` in a fixed window shared by every app instance, and throws
 * RateLimited once the window's limit is passed.
 */
export async function consumeRateLimit(ctx: Ctx, key: string, rule: RateRule): Promise<void> {
  const now = ctx.now();
  const windowStartLimit = new Date(now.getTime() - rule.windowSeconds * 1000);
  const result = await ctx.db.execute<{ count: number; window_start: Date }>(sql`
    insert into rate_limits (key, window_start, count) values (${key}, ${now}, 1)
    on conflict (key) do update set
      count = case when rate_limits.window_start <= ${windowStartLimit} then 1 else rate_limits.count + 1 end,
      window_start = case when rate_limits.window_start <= ${windowStartLimit} then ${now} else rate_limits.window_start end
    returning count, window_start`);
  const row = result.rows[0];
  if (row.count > rule.limit) {
    const resetsAt = new Date(row.window_start).getTime() + rule.windowSeconds * 1000;
    throw new RateLimited(Math.max(1, Math.ceil((resetsAt - now.getTime()) / 1000)));
  }
}

/** Throws RateLimited when `key` has already used up its window, without counting a hit. */
export async function assertUnderRateLimit(ctx: Ctx, key: string, rule: RateRule): Promise<void> {
  const now = ctx.now();
  const result = await ctx.db.execute<{ count: number; window_start: Date }>(
    sql`select count, window_start from rate_limits where key = ${key}`,
  );
  const row = result.rows[0];
  if (!row) return;
  const resetsAt = new Date(row.window_start).getTime() + rule.windowSeconds * 1000;
  if (resetsAt > now.getTime() && row.count >= rule.limit) {
    throw new RateLimited(Math.max(1, Math.ceil((resetsAt - now.getTime()) / 1000)));
  }
}

/** Deletes counters whose window ended more than a day ago (no rule here is longer than that). */
export async function pruneRateLimits(ctx: Ctx): Promise<number> {
  const result = await ctx.db.execute(sql`delete from rate_limits where window_start < ${new Date(ctx.now().getTime() - 86_400_000)}`);
  return result.rowCount ?? 0;
}
