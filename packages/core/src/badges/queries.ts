import { and, desc, eq, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { users } from '../accounts/schema.js';
import type { CoreConfig } from '../context.js';
import type { Executor } from '../db/client.js';
import { tags } from '../forum/schema.js';
import type { Role } from '../forum/types.js';
import {
  BADGES,
  EXPERT,
  GOOD_QUESTION_SCORE,
  HELPFUL_ANSWERS,
  HELPFUL_MIN_SCORE,
  SOLUTION_AUTHOR_ACCEPTED,
  badgeBySlug,
} from './catalogue.js';
import { userBadges } from './schema.js';

// ---------------------------------------------------------------------------------------------
// The rules. Each says, in one SELECT, which members qualify for a badge (and for Expert, in which
// tags), over the members in `scope`: a few ids on the event path, everyone for the backfill.
// Both paths build the same SQL from the same functions, the scope being the only difference,
// which is why awarding on events and backfilling agree.

/** Whose badges an evaluation covers: some members (the event path) or everyone (backfill). */
export type Scope = readonly number[] | 'everyone';

export interface RuleRun {
  scope: Scope;
  /** the badges to evaluate */
  slugs: readonly string[];
  now: Date;
  expert: CoreConfig['expert'];
}

const intArray = (ids: readonly number[]) => sql`${`{${ids.join(',')}}`}::int[]`;

function inScope(column: string, scope: Scope): SQL {
  return scope === 'everyone' ? sql`true` : sql`${sql.raw(column)} = any(${intArray(scope)})`;
}

/**
 * Answers: live replies in live question threads by someone other than the asker, with whether
 * the thread accepted them. Every answer-based rule and the experts leaderboard read this. Posts
 * held for approval do not count until approved (approval emits forum.post.created).
 */
function answers(where: SQL): SQL {
  return sql`
    select p.id as post_id, p.author_id as user_id, p.thread_id, p.position, p.score, p.created_at,
           t.author_id as thread_author_id, coalesce(t.accepted_post_id = p.id, false) as accepted
    from posts p join threads t on t.id = p.thread_id
    where p.position > 1 and p.deleted_at is null and p.held_at is null and t.deleted_at is null and t.held_at is null
      and t.kind = 'question' and p.author_id <> t.author_id and ${where}`;
}

const windowStart = (run: Pick<RuleRun, 'now' | 'expert'>) => new Date(run.now.getTime() - run.expert.windowDays * 86_400_000);

/**
 * Per member and tag, from the answers they wrote within the Expert window: how many questions
 * they answered, and in how many of those one of these answers is the accepted one (several
 * replies in one question count once). Reads the `answers` CTE.
 */
function expertStats(run: Pick<RuleRun, 'now' | 'expert'>): SQL {
  return sql`
    select user_id, tag_id, (count(*) filter (where accepted))::int as accepted, count(*)::int as answered
    from (
      select a.user_id, tt.tag_id, a.thread_id, bool_or(a.accepted) as accepted
      from answers a join thread_tags tt on tt.thread_id = a.thread_id
      where a.created_at > ${windowStart(run)}
      group by a.user_id, tt.tag_id, a.thread_id
    ) per_thread
    group by user_id, tag_id`;
}

/** Whether expert stats (`accepted`, `answered`) meet the configured thresholds. */
function expertQualifies(expert: CoreConfig['expert']): SQL {
  return sql`accepted >= ${expert.minAccepted}::int and accepted >= ${String(expert.minRatio)}::numeric * answered`;
}

type Rule = (run: RuleRun) => SQL;

/** One rule per catalogue badge: `select user_id, tag_id` (tag_id null unless per tag). */
const RULES: Record<string, Rule> = {
  first_answer: () => sql`select distinct user_id, null::int as tag_id from answers`,
  first_accepted: () => sql`select distinct user_id, null::int as tag_id from answers where accepted`,
  helpful: () => sql`
    select user_id, null::int as tag_id from answers where score >= ${HELPFUL_MIN_SCORE}::int
    group by user_id having count(*) >= ${HELPFUL_ANSWERS}::int`,
  solution_author: () => sql`
    select user_id, null::int as tag_id from answers where accepted
    group by user_id having count(*) >= ${SOLUTION_AUTHOR_ACCEPTED}::int`,
  // The first reply by anyone but the asker (deleted and held replies keep their turn, so deleting
  // the first reply never makes the second one "first"), to the asker's first thread ever.
  welcomer: () => sql`
    select distinct a.user_id, null::int as tag_id from answers a
    where not exists (
        select 1 from posts e
        where e.thread_id = a.thread_id and e.position > 1 and e.position < a.position and e.author_id <> a.thread_author_id)
      and not exists (select 1 from threads f where f.author_id = a.thread_author_id and f.id < a.thread_id)`,
  // Polls do not record who attached them (the thread's author or staff): the thread's author
  // is the one who started a thread with a poll.
  poll_starter: (run) => sql`
    select distinct t.author_id as user_id, null::int as tag_id
    from polls pl join threads t on t.id = pl.thread_id
    where t.deleted_at is null and t.held_at is null and ${inScope('t.author_id', run.scope)}`,
  good_question: (run) => sql`
    select distinct t.author_id as user_id, null::int as tag_id from threads t
    where t.kind = 'question' and t.deleted_at is null and t.held_at is null and t.score >= ${GOOD_QUESTION_SCORE}::int
      and ${inScope('t.author_id', run.scope)}`,
  [EXPERT]: (run) => sql`select user_id, tag_id from (${expertStats(run)}) s where ${expertQualifies(run.expert)}`,
};

for (const badge of BADGES) if (!RULES[badge.slug]) throw new Error(`badge ${badge.slug} has no rule`);

/** Rules that read answers of any age; when none is evaluated, only the Expert window's answers are read. */
const ALL_TIME_ANSWER_RULES = new Set(['first_answer', 'first_accepted', 'helpful', 'solution_author', 'welcomer']);

/** The qualifying (member, badge, tag) rows of `run`, as a `qualified` CTE over an `answers` CTE. */
function qualifiedCtes(run: RuleRun): SQL {
  const parts = run.slugs.map((slug) => sql`select user_id, ${slug}::text as badge, tag_id from (${RULES[slug](run)}) r`);
  const recentOnly = !run.slugs.some((s) => ALL_TIME_ANSWER_RULES.has(s));
  const where = inScope('p.author_id', run.scope);
  return sql`
    answers as materialized (${answers(recentOnly ? sql`${where} and p.created_at > ${windowStart(run)}` : where)}),
    qualified as (${sql.join(parts, sql` union all `)})`;
}

export interface QualifierRow {
  userId: number;
  badge: string;
  tagId: number | null;
}

/** Who qualifies now for the badges of `run`, without changing anything. */
export async function listQualifierRows(db: Executor, run: RuleRun): Promise<QualifierRow[]> {
  if (!run.slugs.length) return [];
  const { rows } = await db.execute<{ user_id: number; badge: string; tag_id: number | null }>(sql`
    with ${qualifiedCtes(run)}
    select user_id, badge, tag_id from qualified order by user_id, badge, tag_id`);
  return rows.map((r) => ({ userId: r.user_id, badge: r.badge, tagId: r.tag_id }));
}

export interface AwardChange {
  change: 'awarded' | 'lapsed';
  id: number;
  userId: number;
  handle: string;
  badge: string;
  tagId: number | null;
  tagSlug: string | null;
  tagName: string | null;
}

/**
 * Makes the awards of `run`'s badges, for the members in its scope, match what the rules say now,
 * in one statement: qualifying members without a live award get one (unless staff revoked their
 * last award of that badge and tag), and live rule-made awards of re-evaluated badges (Expert)
 * whose holder no longer qualifies lapse. Kept badges and staff grants are never taken back here.
 * The live unique index and ON CONFLICT DO NOTHING make a concurrent or repeated run harmless.
 */
export async function reconcileAwards(tx: Executor, run: RuleRun): Promise<AwardChange[]> {
  if (!run.slugs.length || (run.scope !== 'everyone' && !run.scope.length)) return [];
  const slugs = sql`${`{${run.slugs.join(',')}}`}::text[]`;
  const lapsing = run.slugs.filter((s) => !badgeBySlug(s)?.kept);
  const { rows } = await tx.execute<{
    change: 'awarded' | 'lapsed';
    id: number;
    user_id: number;
    handle: string;
    badge: string;
    tag_id: number | null;
    tag_slug: string | null;
    tag_name: string | null;
  }>(sql`
    with ${qualifiedCtes(run)},
    held as (
      select id, user_id, badge, tag_id, granted_by_id, revoked_at, revoked_by_id,
             row_number() over (partition by user_id, badge, coalesce(tag_id, 0) order by id desc) as recency
      from user_badges
      where badge = any(${slugs}) and ${inScope('user_id', run.scope)}
    ),
    granted as (
      insert into user_badges (user_id, badge, tag_id, granted_at)
      select q.user_id, q.badge, q.tag_id, ${run.now}::timestamptz from qualified q
      where not exists (
        select 1 from held h
        where h.user_id = q.user_id and h.badge = q.badge and coalesce(h.tag_id, 0) = coalesce(q.tag_id, 0)
          and (h.revoked_at is null or (h.recency = 1 and h.revoked_by_id is not null)))
      on conflict do nothing
      returning id, user_id, badge, tag_id
    ),
    lapsed as (
      update user_badges ub set revoked_at = ${run.now}::timestamptz, revoke_reason = 'lapsed'
      from held h
      where ub.id = h.id and h.revoked_at is null and h.granted_by_id is null
        and h.badge = any(${`{${lapsing.join(',')}}`}::text[])
        and not exists (
          select 1 from qualified q
          where q.user_id = h.user_id and q.badge = h.badge and coalesce(q.tag_id, 0) = coalesce(h.tag_id, 0))
      returning ub.id, ub.user_id, ub.badge, ub.tag_id
    ),
    changes as (
      select 'awarded' as change, * from granted
      union all
      select 'lapsed' as change, * from lapsed
    )
    select c.change, c.id, c.user_id, u.handle, c.badge, c.tag_id, tg.slug as tag_slug, tg.name as tag_name
    from changes c join users u on u.id = c.user_id left join tags tg on tg.id = c.tag_id
    order by c.user_id, c.badge, c.tag_id, c.change`);
  return rows.map((r) => ({
    change: r.change,
    id: Number(r.id),
    userId: r.user_id,
    handle: r.handle,
    badge: r.badge,
    tagId: r.tag_id,
    tagSlug: r.tag_slug,
    tagName: r.tag_name,
  }));
}

/**
 * Per member, the kept badges nothing can change any more: held live, or last revoked by staff
 * (which rules respect). Evaluating those rules again could only do nothing.
 */
export async function listSettledKeptBadges(db: Executor, userIds: readonly number[]): Promise<Map<number, Set<string>>> {
  const kept = BADGES.filter((b) => b.kept).map((b) => b.slug);
  const { rows } = await db.execute<{ user_id: number; badge: string }>(sql`
    select user_id, badge from (
      select distinct on (user_id, badge) user_id, badge, revoked_at, revoked_by_id
      from user_badges
      where user_id = any(${intArray(userIds)}) and badge = any(${`{${kept.join(',')}}`}::text[])
      order by user_id, badge, id desc
    ) latest
    where revoked_at is null or revoked_by_id is not null`);
  const settled = new Map<number, Set<string>>();
  for (const r of rows) {
    let set = settled.get(r.user_id);
    if (!set) settled.set(r.user_id, (set = new Set()));
    set.add(r.badge);
  }
  return settled;
}

// ---------------------------------------------------------------------------------------------
// Serialising evaluations. The event path locks each member it evaluates (and shares a global
// lock); the backfill and the Expert sweep take the global lock alone. So an evaluation always
// reads data committed before it started for the members it changes, and a later evaluation of
// the same member waits for an earlier one: the last one to run sees the latest state.

const LOCK_MEMBER = 1_650_549_863;
const LOCK_ALL = 1_650_549_864;

export async function lockMembers(tx: Executor, userIds: readonly number[]): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock_shared(${LOCK_ALL}::int, 0)`);
  await tx.execute(sql`
    select count(pg_advisory_xact_lock(${LOCK_MEMBER}::int, id))
    from (select distinct id from unnest(${intArray(userIds)}) as id order by id) ids`);
}

export async function lockEveryone(tx: Executor): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_ALL}::int, 0)`);
}

/** Refreshes the planner's statistics of the awards table after a bulk change (the thread page reads it per post). */
export async function analyzeAwards(db: Executor): Promise<void> {
  await db.execute(sql`analyze user_badges`);
}

// ---------------------------------------------------------------------------------------------
// What the event path needs to know about its event

/** The member who wrote a post (deleted or not). */
export async function getPostAuthorId(db: Executor, postId: number): Promise<number | null> {
  const { rows } = await db.execute<{ author_id: number }>(sql`select author_id from posts where id = ${postId}`);
  return rows[0]?.author_id ?? null;
}

export async function getThreadAuthorId(db: Executor, threadId: number): Promise<number | null> {
  const { rows } = await db.execute<{ author_id: number }>(sql`select author_id from threads where id = ${threadId}`);
  return rows[0]?.author_id ?? null;
}

/** Everyone who replied in a thread: a retag or deletion changes what their answers count for. */
export async function listThreadReplierIds(db: Executor, threadId: number): Promise<number[]> {
  const { rows } = await db.execute<{ author_id: number }>(
    sql`select distinct author_id from posts where thread_id = ${threadId} and position > 1 order by author_id`,
  );
  return rows.map((r) => r.author_id);
}

// ---------------------------------------------------------------------------------------------
// Reading

export async function getMemberByHandle(db: Executor, handle: string) {
  const [row] = await db
    .select({ id: users.id, handle: users.handle, displayName: users.displayName, role: users.role })
    .from(users)
    .where(sql`lower(${users.handle}) = lower(${handle})`);
  return row;
}

export async function getTagBySlug(db: Executor, slug: string) {
  const [row] = await db.select({ id: tags.id, slug: tags.slug, name: tags.name }).from(tags).where(eq(tags.slug, slug));
  return row;
}

const awardColumns = {
  id: userBadges.id,
  userId: userBadges.userId,
  badge: userBadges.badge,
  tagId: userBadges.tagId,
  tagSlug: tags.slug,
  tagName: tags.name,
  grantedAt: userBadges.grantedAt,
  grantedById: userBadges.grantedById,
  revokedAt: userBadges.revokedAt,
  revokedById: userBadges.revokedById,
  revokeReason: userBadges.revokeReason,
};

export type AwardRow = Awaited<ReturnType<typeof listMemberAwardRows>>[number];

/** A member's live awards, gold first, newest first within a tier (tiers are sorted by the caller). */
export async function listMemberAwardRows(db: Executor, userId: number) {
  return db
    .select(awardColumns)
    .from(userBadges)
    .leftJoin(tags, eq(tags.id, userBadges.tagId))
    .where(and(eq(userBadges.userId, userId), isNull(userBadges.revokedAt)))
    .orderBy(desc(userBadges.grantedAt), desc(userBadges.id));
}

/** One award of a member, live or not, locked for a change. */
export async function lockAwardRow(db: Executor, userId: number, awardId: number): Promise<AwardRow | undefined> {
  const [row] = await db
    .select(awardColumns)
    .from(userBadges)
    .leftJoin(tags, eq(tags.id, userBadges.tagId))
    .where(and(eq(userBadges.id, awardId), eq(userBadges.userId, userId)))
    .for('update', { of: userBadges });
  return row;
}

/** A staff grant; nothing (undefined) when the member already holds that badge and tag live. */
export async function insertStaffAward(
  tx: Executor,
  award: { userId: number; badge: string; tagId: number | null; at: Date; byId: number; reason: string },
): Promise<{ id: number } | undefined> {
  const [row] = await tx
    .insert(userBadges)
    .values({ userId: award.userId, badge: award.badge, tagId: award.tagId, grantedAt: award.at, grantedById: award.byId, grantReason: award.reason })
    .onConflictDoNothing()
    .returning({ id: userBadges.id });
  return row;
}

/** A staff revocation: the row stays, with who revoked it, when and why. */
export async function revokeAward(tx: Executor, awardId: number, by: { at: Date; byId: number; reason: string }): Promise<void> {
  await tx.update(userBadges).set({ revokedAt: by.at, revokedById: by.byId, revokeReason: by.reason }).where(eq(userBadges.id, awardId));
}

/** How many members hold each badge now (a member expert in three tags counts once). */
export async function countHolders(db: Executor): Promise<Map<string, number>> {
  const rows = await db
    .select({ badge: userBadges.badge, holders: sql<number>`count(distinct ${userBadges.userId})`.mapWith(Number) })
    .from(userBadges)
    .where(isNull(userBadges.revokedAt))
    .groupBy(userBadges.badge);
  return new Map(rows.map((r) => [r.badge, r.holders]));
}

/** Live holders of a badge, newest award first, keyset-paginated. */
export async function listHolderRows(db: Executor, badge: string, limit: number, after?: { at: Date; id: number }) {
  const conditions = [eq(userBadges.badge, badge), isNull(userBadges.revokedAt)];
  if (after) {
    conditions.push(or(lt(userBadges.grantedAt, after.at), and(eq(userBadges.grantedAt, after.at), lt(userBadges.id, after.id)))!);
  }
  return db
    .select({
      id: userBadges.id,
      grantedAt: userBadges.grantedAt,
      userId: users.id,
      handle: users.handle,
      displayName: users.displayName,
      role: users.role,
      tagSlug: tags.slug,
      tagName: tags.name,
    })
    .from(userBadges)
    .innerJoin(users, eq(users.id, userBadges.userId))
    .leftJoin(tags, eq(tags.id, userBadges.tagId))
    .where(and(...conditions))
    .orderBy(desc(userBadges.grantedAt), desc(userBadges.id))
    .limit(limit);
}

export interface TagStandingRow {
  userId: number;
  handle: string;
  displayName: string;
  role: Role;
  accepted: number;
  answered: number;
  qualifies: boolean;
  expertSince: Date | null;
}

/**
 * A tag's answerers within the Expert window, counted exactly as the Expert rule counts them,
 * with their live Expert award if any (staff-granted experts appear even without answers):
 * experts first, then by accepted answers, share accepted, and id.
 */
export async function listTagStandingRows(
  db: Executor,
  tagId: number,
  run: Pick<RuleRun, 'now' | 'expert'>,
  limits: { experts: number; others: number },
): Promise<{ rows: TagStandingRow[]; expertCount: number }> {
  const { rows } = await db.execute<{
    user_id: number;
    handle: string;
    display_name: string;
    role: TagStandingRow['role'];
    accepted: number;
    answered: number;
    qualifies: boolean;
    expert_since: Date | string | null;
    expert_count: number;
  }>(sql`
    with answers as materialized (${answers(sql`t.id in (select thread_id from thread_tags where tag_id = ${tagId}) and p.created_at > ${windowStart(run)}`)}),
    stats as (select * from (${expertStats(run)}) s where tag_id = ${tagId}),
    experts as (select user_id, granted_at from user_badges where badge = ${EXPERT} and tag_id = ${tagId} and revoked_at is null),
    standing as (
      select coalesce(s.user_id, e.user_id) as user_id, coalesce(s.accepted, 0) as accepted, coalesce(s.answered, 0) as answered,
             e.granted_at as expert_since,
             row_number() over (
               partition by e.user_id is not null
               order by coalesce(s.accepted, 0) desc, coalesce(s.accepted, 0)::numeric / greatest(coalesce(s.answered, 0), 1) desc,
                        coalesce(s.user_id, e.user_id)) as rank
      from stats s full join experts e on e.user_id = s.user_id
    )
    select st.user_id, u.handle, u.display_name, u.role, st.accepted, st.answered, st.expert_since,
           (st.accepted >= ${run.expert.minAccepted}::int and st.accepted >= ${String(run.expert.minRatio)}::numeric * st.answered) as qualifies,
           (select count(*) from experts)::int as expert_count
    from standing st join users u on u.id = st.user_id
    where (st.expert_since is not null and st.rank <= ${limits.experts}::int)
       or (st.expert_since is null and st.accepted > 0 and st.rank <= ${limits.others}::int)
    order by st.expert_since is null, st.rank`);
  return {
    // with any live expert, at least one row is an expert's
    expertCount: rows[0]?.expert_count ?? 0,
    rows: rows.map((r) => ({
      userId: r.user_id,
      handle: r.handle,
      displayName: r.display_name,
      role: r.role,
      accepted: r.accepted,
      answered: r.answered,
      qualifies: r.qualifies,
      expertSince: r.expert_since === null ? null : new Date(r.expert_since),
    })),
  };
}
