import { sql } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import type { Executor } from '../db/client.js';
import type { JobPayload } from '../events/jobs.js';
import { appendEvent } from '../events/outbox.js';
import { earnedTrustLevel, promotedTrustLevel, type TrustStats } from './levels.js';

// Automatic trust levels. A member's level is worked out from what they did (replies in other
// members' threads, accepted answers, agreed flags, days since joining) against
// config.trust.levels, and only ever raised: levels are not taken away for inactivity.
// Suspension is what lowers a level (members/service.ts), and activity before the end of the
// last suspension does not count again. Locked levels are left alone.

interface Candidate extends TrustStats {
  id: number;
  trustLevel: number;
}

/**
 * Activity stats of members who may be promoted: not locked, not suspended now, below level 4;
 * all of them, or those in `ids`.
 */
async function listCandidates(db: Executor, now: Date, ids?: number[]): Promise<Candidate[]> {
  const only = ids ? sql`and u.id = any(${sql.raw(`array[${ids.map(Number).join(',') || 'null'}]::int[]`)})` : sql``;
  const { rows } = await db.execute<{ id: number; trust_level: number; days: number; replies: number; accepted: number; agreed_flags: number }>(sql`
    with candidates as (
      -- activity counts from the end of the last suspension, days from then or from joining
      select u.id, u.trust_level, coalesce(u.suspended_until, '-infinity'::timestamptz) as since,
        greatest(u.created_at, coalesce(u.suspended_until, u.created_at)) as member_since
      from users u
      where not u.trust_level_locked and u.trust_level < 4
        and (u.suspended_until is null or u.suspended_until <= ${now})
        ${only}
    )
    select c.id, c.trust_level,
      greatest(floor(extract(epoch from (${now}::timestamptz - c.member_since)) / 86400), 0)::int as days,
      (select count(*) from posts p join threads t on t.id = p.thread_id
        where p.author_id = c.id and p.position > 1 and p.created_at >= c.since
          and p.deleted_at is null and p.held_at is null and t.deleted_at is null and t.held_at is null
          and t.author_id <> c.id)::int as replies,
      (select count(*) from threads t join posts p on p.id = t.accepted_post_id
        where p.author_id = c.id and t.author_id <> c.id and p.created_at >= c.since
          and t.deleted_at is null and p.deleted_at is null)::int as accepted,
      (select count(*) from flags f where f.flagger_id = c.id and f.status = 'agreed' and f.created_at >= c.since)::int as agreed_flags
    from candidates c`);
  return rows.map((r) => ({ id: r.id, trustLevel: r.trust_level, days: r.days, replies: r.replies, accepted: r.accepted, agreedFlags: r.agreed_flags }));
}

/** Writes a level change and tells the member's own room. */
export async function changeTrustLevel(tx: Executor, userId: number, from: number, to: number): Promise<void> {
  await tx.execute(sql`update users set trust_level = ${to} where id = ${userId}`);
  await appendEvent(tx, 'members.trust_level.changed', [`user:${userId}`], { level: to }, { userId, level: to, previousLevel: from });
}

/**
 * Raises a member's trust level to what their activity earned, under their row lock (so two
 * evaluations cannot both promote). Leaves locked, suspended and unknown members alone.
 * Emits members.trust_level.changed when the level moves; returns the level.
 */
export async function evaluateTrustLevel(ctx: Ctx, userId: number): Promise<number | null> {
  return ctx.db.transaction(async (tx) => {
    const { rows } = await tx.execute<{ trust_level: number; trust_level_locked: boolean }>(
      sql`select trust_level, trust_level_locked from users where id = ${userId} for update`,
    );
    const user = rows[0];
    if (!user) return null;
    const [stats] = await listCandidates(tx, ctx.now(), [userId]);
    if (!stats) return user.trust_level;
    const level = promotedTrustLevel(user.trust_level, user.trust_level_locked, earnedTrustLevel(stats, ctx.config.trust.levels));
    if (level !== user.trust_level) await changeTrustLevel(tx, userId, user.trust_level, level);
    return level;
  });
}

/**
 * Re-evaluates every member, for the promotions that time alone brings (days since joining);
 * the hourly housekeeping runs it. Returns how many members were promoted.
 */
export async function evaluateEveryone(ctx: Ctx): Promise<number> {
  const due = (await listCandidates(ctx.db, ctx.now())).filter((c) => earnedTrustLevel(c, ctx.config.trust.levels) > c.trustLevel);
  let promoted = 0;
  for (const member of due) {
    const before = member.trustLevel;
    const after = await evaluateTrustLevel(ctx, member.id);
    if (after !== null && after > before) promoted += 1;
  }
  return promoted;
}

/** The members an event may have moved toward a new level. */
function subjectsOf(payload: JobPayload): number[] {
  const facts = payload.facts ?? {};
  const id = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? [v] : []);
  switch (payload.event) {
    case 'forum.thread.created':
    case 'forum.post.created':
      return id(facts.authorId);
    case 'forum.answer.accepted':
    case 'forum.answer.unaccepted':
      return id(facts.answerAuthorId);
    case 'flags.flag.resolved':
      return facts.outcome === 'agreed' ? id(facts.flaggerId) : [];
    default:
      return [];
  }
}

/** Job `trust.evaluate`: re-evaluates the members an event concerns. Idempotent. */
export async function evaluateTrustForEvent(ctx: Ctx, payload: JobPayload): Promise<void> {
  for (const userId of subjectsOf(payload)) await evaluateTrustLevel(ctx, userId);
}
