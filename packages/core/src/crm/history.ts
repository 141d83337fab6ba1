import { sql } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { badgeBySlug } from '../badges/catalogue.js';
import { NotFound } from '../errors.js';
import { authorize } from '../policy/index.js';

// The forum half of the console's customer panel: what the member did in the community, read in
// a handful of queries (each on an author, flagger or thread index), never one per row.

export const HISTORY_LIMITS = { recentThreads: 5, interactions: 10 } as const;

export type FlagOutcome = 'open' | 'agreed' | 'disagreed';
export type FlagCounts = Record<FlagOutcome, number>;

export interface MemberForumHistory {
  member: { handle: string; displayName: string; reputation: number; trustLevel: number; memberSince: string };
  counts: { threads: number; posts: number; acceptedAnswers: number };
  recentThreads: { id: number; title: string; solved: boolean; createdAt: string }[];
  badges: { slug: string; name: string; tier: string; tag: string | null }[];
  flags: { against: FlagCounts; raised: FlagCounts };
  /** resolved queue items on the member's threads, newest first */
  interactions: {
    itemId: number;
    threadId: number;
    threadTitle: string;
    resolution: string | null;
    agent: string | null;
    resolvedAt: string | null;
    csat: { score: number; comment: string | null } | null;
  }[];
}

const iso = (d: Date | string) => new Date(d).toISOString();
const noFlags = (): FlagCounts => ({ open: 0, agreed: 0, disagreed: 0 });

/**
 * A member's forum history for staff (crm.view, like the CRM half beside it): counts, latest
 * threads, live badges, flags on their posts and by them by outcome, and earlier agent
 * interactions with the CSAT the member gave. NotFound member_not_found.
 */
export async function memberForumHistory(ctx: Ctx, handle: string): Promise<MemberForumHistory> {
  authorize(ctx.actor, 'crm.view', null);
  const { rows: members } = await ctx.db.execute<{
    id: number;
    handle: string;
    display_name: string;
    reputation: number;
    trust_level: number;
    created_at: Date;
    threads: number;
    posts: number;
    accepted: number;
  }>(sql`
    select u.id, u.handle, u.display_name, u.reputation, u.trust_level, u.created_at,
      (select count(*)::int from threads t where t.author_id = u.id and t.deleted_at is null) as threads,
      (select count(*)::int from posts p where p.author_id = u.id and p.deleted_at is null) as posts,
      (select count(*)::int from posts p join threads t on t.accepted_post_id = p.id
        where p.author_id = u.id and p.deleted_at is null and t.deleted_at is null) as accepted
    from users u where lower(u.handle) = lower(${handle})`);
  const member = members[0];
  if (!member) throw new NotFound('Member', 'member_not_found');

  const [threads, badges, flags, interactions] = await Promise.all([
    ctx.db.execute<{ id: number; title: string; solved: boolean; created_at: Date }>(sql`
      select t.id, t.title, t.accepted_post_id is not null as solved, t.created_at
      from threads t where t.author_id = ${member.id} and t.deleted_at is null
      order by t.created_at desc, t.id desc limit ${HISTORY_LIMITS.recentThreads}`),
    ctx.db.execute<{ badge: string; tag: string | null }>(sql`
      select b.badge, tg.name as tag from user_badges b left join tags tg on tg.id = b.tag_id
      where b.user_id = ${member.id} and b.revoked_at is null
      order by b.granted_at desc, b.id desc`),
    ctx.db.execute<{ side: 'against' | 'raised'; status: FlagOutcome; n: number }>(sql`
      select 'against' as side, f.status, count(*)::int as n
        from flags f join posts p on p.id = f.post_id where p.author_id = ${member.id} group by f.status
      union all
      select 'raised', f.status, count(*)::int from flags f where f.flagger_id = ${member.id} group by f.status`),
    ctx.db.execute<{
      item_id: number;
      thread_id: number;
      title: string;
      resolution: string | null;
      agent: string | null;
      resolved_at: Date | null;
      score: number | null;
      comment: string | null;
    }>(sql`
      select q.id as item_id, t.id as thread_id, t.title, q.resolution::text as resolution, a.handle as agent, q.resolved_at, c.score, c.comment
      from threads t
      join queue_items q on q.thread_id = t.id and q.status = 'resolved'
      left join users a on a.id = q.resolved_by_id
      left join csat_responses c on c.item_id = q.id
      where t.author_id = ${member.id}
      order by q.resolved_at desc nulls last, q.id desc limit ${HISTORY_LIMITS.interactions}`),
  ]);

  const flagCounts = { against: noFlags(), raised: noFlags() };
  for (const f of flags.rows) flagCounts[f.side][f.status] = f.n;

  return {
    member: {
      handle: member.handle,
      displayName: member.display_name,
      reputation: member.reputation,
      trustLevel: member.trust_level,
      memberSince: iso(member.created_at),
    },
    counts: { threads: member.threads, posts: member.posts, acceptedAnswers: member.accepted },
    recentThreads: threads.rows.map((t) => ({ id: t.id, title: t.title, solved: t.solved, createdAt: iso(t.created_at) })),
    badges: badges.rows.map((b) => {
      const def = badgeBySlug(b.badge);
      return { slug: b.badge, name: def?.name ?? b.badge, tier: def?.tier ?? 'bronze', tag: b.tag };
    }),
    flags: flagCounts,
    interactions: interactions.rows.map((i) => ({
      itemId: i.item_id,
      threadId: i.thread_id,
      threadTitle: i.title,
      resolution: i.resolution,
      agent: i.agent,
      resolvedAt: i.resolved_at ? iso(i.resolved_at) : null,
      csat: i.score === null ? null : { score: i.score, comment: i.comment },
    })),
  };
}
