import { sql } from 'drizzle-orm';
import { isoDate, mondayOf, WEEK } from '../dates.js';
import type { Ctx } from '../context.js';
import { Invalid } from '../errors.js';
import { authorize } from '../policy/index.js';

// The console's insights for product teams (and staff): how customers feel, per category or tag
// and week, and the open threads where they feel worst. Read from the sentiment the background
// job stored per post (insights/sentiment.ts). Weeks are ISO weeks in UTC (Monday first).

export const INSIGHT_LIMITS = { weeksMax: 52, weeksDefault: 12, groupsMax: 10, threadsMax: 100, threadsDefault: 20 } as const;
/** below this a post counts as negative (wink's scores of plain questions sit at 0) */
const NEGATIVE_BELOW = -0.05;

export type SentimentGrouping = 'category' | 'tag';

export interface SentimentWeek {
  /** Monday, YYYY-MM-DD */
  week: string;
  posts: number;
  /** mean sentiment, -1..1; null with no posts */
  average: number | null;
  /** share of posts below the negative threshold, 0..1; null with no posts */
  negativeShare: number | null;
}

export interface SentimentTrends {
  by: SentimentGrouping;
  weeks: string[];
  /** the busiest groups of the range, most posts first */
  groups: { key: string; name: string; posts: number; average: number | null; series: SentimentWeek[] }[];
}

export interface NegativeThread {
  id: number;
  title: string;
  category: string;
  status: string;
  posts: number;
  average: number;
  lastActivityAt: string;
}

const round3 = (n: number | null) => (n === null ? null : Math.round(n * 1000) / 1000);


function checkWeeks(weeks: number | undefined): number {
  const n = weeks ?? INSIGHT_LIMITS.weeksDefault;
  if (!Number.isInteger(n) || n < 1 || n > INSIGHT_LIMITS.weeksMax) throw new Invalid({ weeks: `must be a whole number from 1 to ${INSIGHT_LIMITS.weeksMax}` });
  return n;
}

/**
 * Weekly sentiment per category or tag over the last `weeks` ISO weeks (this one included), for
 * the busiest groups (at most 10). Staff and product teams; Forbidden for members.
 */
export async function sentimentTrends(ctx: Ctx, input: { by?: SentimentGrouping; weeks?: number } = {}): Promise<SentimentTrends> {
  authorize(ctx.actor, 'console.insights', null);
  const by = input.by ?? 'category';
  if (by !== 'category' && by !== 'tag') throw new Invalid({ by: 'must be category or tag' });
  const weeks = checkWeeks(input.weeks);
  const first = new Date(mondayOf(ctx.now()).getTime() - (weeks - 1) * WEEK);
  const end = new Date(mondayOf(ctx.now()).getTime() + WEEK);
  const labels = Array.from({ length: weeks }, (_, i) => isoDate(new Date(first.getTime() + i * WEEK)));

  const group =
    by === 'category'
      ? sql`join categories g on g.id = t.category_id`
      : sql`join thread_tags tt on tt.thread_id = t.id join tags g on g.id = tt.tag_id`;
  const { rows } = await ctx.db.execute<{ key: string; name: string; week: string; posts: number; average: number | null; negative: number }>(sql`
    with scored as (
      select g.slug as key, g.name as name, date_trunc('week', p.created_at at time zone 'UTC')::date::text as week, s.score
      from posts p
      join post_sentiment s on s.post_id = p.id
      join threads t on t.id = p.thread_id
      ${group}
      where p.created_at >= ${first} and p.created_at < ${end}
        and p.deleted_at is null and p.held_at is null and t.deleted_at is null and t.held_at is null
    ), busiest as (
      select key from scored group by key order by count(*) desc, key limit ${INSIGHT_LIMITS.groupsMax}
    )
    select key, min(name) as name, week, count(*)::int as posts, avg(score)::float8 as average,
      count(*) filter (where score < ${NEGATIVE_BELOW})::int as negative
    from scored where key in (select key from busiest)
    group by key, week`);

  const groups = new Map<string, { key: string; name: string; weeks: Map<string, { posts: number; sum: number; negative: number }> }>();
  for (const r of rows) {
    const g = groups.get(r.key) ?? { key: r.key, name: r.name, weeks: new Map() };
    g.weeks.set(r.week, { posts: r.posts, sum: Number(r.average) * r.posts, negative: r.negative });
    groups.set(r.key, g);
  }
  return {
    by,
    weeks: labels,
    groups: [...groups.values()]
      .map((g) => {
        const series = labels.map((week): SentimentWeek => {
          const w = g.weeks.get(week);
          return w ? { week, posts: w.posts, average: round3(w.sum / w.posts), negativeShare: round3(w.negative / w.posts) } : { week, posts: 0, average: null, negativeShare: null };
        });
        const posts = series.reduce((n, w) => n + w.posts, 0);
        const sum = [...g.weeks.values()].reduce((n, w) => n + w.sum, 0);
        return { key: g.key, name: g.name, posts, average: round3(posts ? sum / posts : null), series };
      })
      .sort((a, b) => b.posts - a.posts || a.key.localeCompare(b.key)),
  };
}

/**
 * Open threads (open or answered) whose posts read most negative on average, worst first.
 * Staff and product teams; Forbidden for members; Invalid limit.
 */
export async function negativeThreads(ctx: Ctx, input: { limit?: number } = {}): Promise<NegativeThread[]> {
  authorize(ctx.actor, 'console.insights', null);
  const limit = input.limit ?? INSIGHT_LIMITS.threadsDefault;
  if (!Number.isInteger(limit) || limit < 1 || limit > INSIGHT_LIMITS.threadsMax) throw new Invalid({ limit: `must be a whole number from 1 to ${INSIGHT_LIMITS.threadsMax}` });
  const { rows } = await ctx.db.execute<{ id: number; title: string; category: string; status: string; posts: number; average: number; last_activity_at: Date }>(sql`
    select t.id, t.title, c.name as category, t.status::text as status, count(*)::int as posts, avg(s.score)::float8 as average, t.last_activity_at
    from threads t
    join categories c on c.id = t.category_id
    join posts p on p.thread_id = t.id and p.deleted_at is null and p.held_at is null
    join post_sentiment s on s.post_id = p.id
    where t.status in ('open', 'answered') and t.deleted_at is null and t.held_at is null
    group by t.id, c.name
    having avg(s.score) < 0
    order by avg(s.score), t.last_activity_at desc, t.id
    limit ${limit}`);
  return rows.map((r) => ({
    id: Number(r.id),
    title: r.title,
    category: r.category,
    status: r.status,
    posts: r.posts,
    average: round3(Number(r.average))!,
    lastActivityAt: new Date(r.last_activity_at).toISOString(),
  }));
}

/**
 * Rows as CSV (RFC 4180: quoted where needed, CRLF line ends). A cell starting with = + - @
 * would run as a formula in a spreadsheet, so it is prefixed with an apostrophe; numbers are
 * written as numbers.
 */
export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  const cell = (v: string | number | null) => {
    if (v === null) return '';
    if (typeof v === 'number') return String(v);
    const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export interface GratitudeWeek {
  week: string;
  /** questions solved that week (by when the answer was accepted) */
  solved: number;
  /** of those, how many the asker thanked someone in (a later post of theirs) */
  thanked: number;
  /** thanked / solved; null with none solved */
  index: number | null;
}

// "thanks", "thank you", "thx", "ty", "cheers", "appreciate it", "grateful", "kudos"
const THANKS = String.raw`\m(thanks?|thank[[:space:]]+you|thx|ty|cheers|appreciate[ds]?|appreciated|grateful|kudos)\M`;

/**
 * The gratitude index per week: of the questions solved in the week, the share whose asker
 * thanked someone in a later post of the thread. Staff and product teams; Invalid weeks.
 */
export async function gratitudeIndex(ctx: Ctx, input: { weeks?: number } = {}): Promise<{ weeks: GratitudeWeek[]; total: GratitudeWeek }> {
  authorize(ctx.actor, 'console.insights', null);
  const weeks = checkWeeks(input.weeks);
  const first = new Date(mondayOf(ctx.now()).getTime() - (weeks - 1) * WEEK);
  const { rows } = await ctx.db.execute<{ week: string; solved: number; thanked: number }>(sql`
    with solved as (
      select t.id, t.author_id,
        (select min(l.created_at) from reputation_ledger l where l.post_id = t.accepted_post_id and l.reason = 'answer_accepted') as solved_at,
        t.last_activity_at
      from threads t
      where t.kind = 'question' and t.accepted_post_id is not null and t.deleted_at is null and t.held_at is null
    )
    select date_trunc('week', coalesce(s.solved_at, s.last_activity_at) at time zone 'UTC')::date::text as week,
      count(*)::int as solved,
      count(*) filter (where exists (
        select 1 from posts p
        where p.thread_id = s.id and p.author_id = s.author_id and p.position > 1 and p.deleted_at is null
          and p.body_text ~* ${THANKS}
      ))::int as thanked
    from solved s
    where coalesce(s.solved_at, s.last_activity_at) >= ${first}
    group by 1`);
  const byWeek = new Map(rows.map((r) => [r.week, r]));
  const list = Array.from({ length: weeks }, (_, i): GratitudeWeek => {
    const week = isoDate(new Date(first.getTime() + i * WEEK));
    const r = byWeek.get(week);
    const solved = r?.solved ?? 0;
    const thanked = r?.thanked ?? 0;
    return { week, solved, thanked, index: solved ? round3(thanked / solved) : null };
  });
  const solved = list.reduce((n, w) => n + w.solved, 0);
  const thanked = list.reduce((n, w) => n + w.thanked, 0);
  return { weeks: list, total: { week: list[0].week, solved, thanked, index: solved ? round3(thanked / solved) : null } };
}

export interface UnansweredTopic {
  tag: string;
  name: string;
  /** open questions in the tag with no reply from anyone but their asker */
  unanswered: number;
  /** the oldest of them, first */
  threads: { id: number; title: string; createdAt: string }[];
}

/**
 * The tags with the most questions nobody has answered yet (no reply but the asker's), with
 * the oldest three of each. Staff and product teams.
 */
export async function unansweredTopics(ctx: Ctx, input: { limit?: number } = {}): Promise<UnansweredTopic[]> {
  authorize(ctx.actor, 'console.insights', null);
  const limit = input.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw new Invalid({ limit: 'must be a whole number from 1 to 50' });
  const { rows } = await ctx.db.execute<{ tag: string; name: string; unanswered: number; threads: { id: number; title: string; createdAt: string }[] }>(sql`
    with waiting as (
      select t.id, t.title, t.created_at
      from threads t
      where t.kind = 'question' and t.status = 'open' and t.deleted_at is null and t.held_at is null
        and not exists (select 1 from posts p where p.thread_id = t.id and p.position > 1 and p.author_id <> t.author_id and p.deleted_at is null)
    )
    select g.slug as tag, g.name, count(*)::int as unanswered,
      (array_agg(json_build_object('id', w.id, 'title', w.title, 'createdAt', w.created_at) order by w.created_at, w.id))[1:3] as threads
    from waiting w
    join thread_tags tt on tt.thread_id = w.id
    join tags g on g.id = tt.tag_id
    group by g.slug, g.name
    order by count(*) desc, g.slug
    limit ${limit}`);
  return rows.map((r) => ({
    tag: r.tag,
    name: r.name,
    unanswered: r.unanswered,
    threads: r.threads.map((t) => ({ id: Number(t.id), title: t.title, createdAt: new Date(t.createdAt).toISOString() })),
  }));
}
