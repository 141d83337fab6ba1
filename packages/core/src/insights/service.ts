import { sql } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { Invalid } from '../errors.js';
import { authorize } from '../policy/index.js';

// The console's insights for product teams (and staff): how customers feel, per category or tag
// and week, and the open threads where they feel worst. Read from the sentiment the background
// job stored per post (insights/sentiment.ts). Weeks are ISO weeks in UTC (Monday first).

export const INSIGHT_LIMITS = { weeksMax: 52, weeksDefault: 12, groupsMax: 10, threadsMax: 100, threadsDefault: 20 } as const;
/** below this a post counts as negative (wink's scores of plain questions sit at 0) */
const NEGATIVE_BELOW = -0.05;
const WEEK = 7 * 86_400_000;

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

function mondayOf(d: Date): Date {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * 86_400_000);
}
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

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
  const labels = Array.from({ length: weeks }, (_, i) => isoDay(new Date(first.getTime() + i * WEEK)));

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
