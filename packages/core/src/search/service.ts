import { sql } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { Invalid, NotFound } from '../errors.js';
import { escapeHtml } from '../forum/markdown.js';
import { presentThreadSummary } from '../forum/present.js';
import * as q from '../forum/queries.js';
import { decodeCursor, encodeCursor, LIMITS } from '../forum/service.js';
import type { SearchResult, ThreadStatus } from '../forum/types.js';

export interface SearchInput {
  q: string;
  category?: string;
  tag?: string;
  status?: ThreadStatus;
  limit?: number;
  cursor?: string;
}

export interface SearchPage {
  results: SearchResult[];
  nextCursor: string | null;
  /** a corrected query when the one asked found nothing and a close spelling did */
  didYouMean: string | null;
}

const MAX_OFFSET = 1_000;
/** how many of the newest matching posts (and titles) a search ranks */
export const SEARCH_CANDIDATES = 1_000;
// Sentinels that cannot appear in stored text mark the matches; the snippet is escaped first
// and only then are they turned into <mark>, so user text never becomes markup.
const START = '\u0002';
const STOP = '\u0003';
// ts_headline takes anything between < and > for an HTML tag and drops it, words and all, so
// the brackets go in disguised and come out escaped.
const LT = '\u0004';
const GT = '\u0005';

interface Filters {
  categoryId?: number;
  tagId?: number;
  status?: ThreadStatus;
}

type Hit = {
  thread_id: number;
  post_id: number | null;
  rank: number;
};

/**
 * Full-text search over thread titles (weight A) and post bodies (weight B) with PostgreSQL's
 * websearch syntax, one result per thread, ranked, with a highlighted snippet from the best
 * matching post. When nothing matches, a spelling close to the query (trigram similarity over
 * titles) is tried and offered as `didYouMean`.
 */
export async function searchThreads(ctx: Ctx, input: SearchInput): Promise<SearchPage> {
  const text = input.q.trim();
  if (!text) throw new Invalid({ q: 'must not be empty' });
  const limit = Math.min(Math.max(input.limit ?? LIMITS.pageDefault, 1), LIMITS.pageMax);
  const offset = decodeCursor(input.cursor, isOffset) ?? 0;
  const filters = await resolveFilters(ctx, input);

  let hits = await rankedHits(ctx, text, filters, limit + 1, offset);
  let didYouMean: string | null = null;
  if (!hits.length && offset === 0) {
    const corrected = await correctSpelling(ctx, text);
    if (corrected && corrected.toLowerCase() !== text.toLowerCase()) {
      hits = await rankedHits(ctx, corrected, filters, limit + 1, 0);
      if (hits.length) didYouMean = corrected;
    }
  }
  const page = hits.slice(0, limit);
  const results = await presentHits(ctx, didYouMean ?? text, page);
  return {
    results,
    nextCursor: hits.length > limit && offset + limit < MAX_OFFSET ? encodeCursor(offset + limit) : null,
    didYouMean,
  };
}

const isOffset = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_OFFSET;

async function resolveFilters(ctx: Ctx, input: SearchInput): Promise<Filters> {
  const filters: Filters = { status: input.status };
  if (input.category) {
    const category = await q.getCategoryBySlug(ctx.db, input.category);
    if (!category) throw new NotFound('Category', 'category_not_found');
    filters.categoryId = category.id;
  }
  if (input.tag) {
    const [tag] = await q.getTagsBySlugs(ctx.db, [input.tag]);
    if (!tag) throw new NotFound('Tag', 'tag_not_found');
    filters.tagId = tag.id;
  }
  return filters;
}

async function rankedHits(ctx: Ctx, text: string, f: Filters, limit: number, offset: number): Promise<Hit[]> {
  const filters = [
    f.categoryId !== undefined ? sql`t.category_id = ${f.categoryId}` : undefined,
    f.status !== undefined ? sql`t.status = ${f.status}` : undefined,
    f.tagId !== undefined ? sql`exists (select 1 from thread_tags tt where tt.thread_id = t.id and tt.tag_id = ${f.tagId})` : undefined,
  ].filter((c) => c !== undefined);
  // held threads (awaiting approval) are not public yet; post_search already leaves their posts out
  const threadFilter = sql.join([sql`t.deleted_at is null and t.held_at is null`, ...filters], sql` and `);
  // The query is written out in each place (not shared through a CTE) so the planner sees it and
  // can estimate how many rows match: a rare word walks the GIN index, a common one the newest
  // posts. post_search holds only posts of live threads, so without filters it needs no join.
  const tsquery = sql`websearch_to_tsquery('english', ${text})`;
  const bodySource = filters.length
    ? sql`post_search ps join threads t on t.id = ps.thread_id where ps.tsv @@ ${tsquery} and ${threadFilter}`
    : sql`post_search ps where ps.tsv @@ ${tsquery}`;
  // For words that match very many posts, only the newest SEARCH_CANDIDATES matches are ranked:
  // ranking every match of a common word costs far more than it changes the first pages.
  const result = await ctx.db.execute<Hit>(sql`
    with title_hits as (
      select t.id as thread_id, ts_rank(t.title_tsv, ${tsquery}) as rank
      from threads t
      where t.title_tsv @@ ${tsquery} and ${threadFilter}
      order by t.id desc
      limit ${SEARCH_CANDIDATES}
    ),
    body_matches as (
      select ps.thread_id, ps.post_id, ts_rank(ps.tsv, ${tsquery}) as rank
      from ${bodySource}
      order by ps.post_id desc
      limit ${SEARCH_CANDIDATES}
    ),
    body_hits as (
      select distinct on (thread_id) thread_id, post_id, rank
      from body_matches
      order by thread_id, rank desc, post_id
    )
    select coalesce(b.thread_id, h.thread_id) as thread_id,
           b.post_id,
           (coalesce(h.rank, 0) * 2 + coalesce(b.rank, 0))::float8 as rank
    from title_hits h full join body_hits b on b.thread_id = h.thread_id
    order by rank desc, thread_id desc
    limit ${limit} offset ${offset}`);
  return result.rows;
}

async function presentHits(ctx: Ctx, text: string, hits: Hit[]): Promise<SearchResult[]> {
  if (!hits.length) return [];
  const threadIds = hits.map((h) => h.thread_id);
  // a title hit's snippet comes from the opening post, which flags may have hidden: no text then
  const [threadRows, snippets] = await Promise.all([
    q.getThreadRowsByIds(ctx.db, threadIds),
    ctx.db.execute<{ thread_id: number; snippet: string }>(sql`
      select h.thread_id,
             ts_headline('english', translate(case when p.hidden_at is null then p.body_text else '' end, '<>', ${LT + GT}), websearch_to_tsquery('english', ${text}),
               ${`StartSel=${START}, StopSel=${STOP}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "`}) as snippet
      from unnest(${sql.raw(`array[${threadIds.map(Number).join(',')}]::int[]`)}, ${sql.raw(
        `array[${hits.map((h) => (h.post_id === null ? 'null' : Number(h.post_id))).join(',')}]::int[]`,
      )}) as h(thread_id, post_id)
      join posts p on p.id = coalesce(h.post_id, (select id from posts where thread_id = h.thread_id and position = 1))`),
  ]);
  const threadsById = new Map(threadRows.map((t) => [t.id, t]));
  const snippetById = new Map(snippets.rows.map((s) => [s.thread_id, s.snippet]));
  return hits.flatMap((h) => {
    const row = threadsById.get(h.thread_id);
    if (!row) return [];
    return [{ thread: presentThreadSummary(row), snippet: highlight(snippetById.get(h.thread_id) ?? ''), rank: Number(h.rank) }];
  });
}

function highlight(raw: string): string {
  return escapeHtml(raw).replaceAll(START, '<mark>').replaceAll(STOP, '</mark>').replaceAll(LT, '&lt;').replaceAll(GT, '&gt;');
}

/**
 * Replaces each word of the query that appears nowhere in the titles by the closest word of
 * the titles that look most like the query (pg_trgm), e.g. "pasword resett" → "password reset".
 */
async function correctSpelling(ctx: Ctx, text: string): Promise<string | null> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (!words.length || words.length > 8) return null;
  const result = await ctx.db.execute<{ word: string; candidate: string | null }>(sql`
    with input as (select unnest(${sql.raw(`array[${words.map((w) => `'${w.replaceAll("'", "''")}'`).join(',')}]::text[]`)}) as word),
    vocabulary as (
      select distinct lower(w) as w
      from (select title from threads where deleted_at is null and held_at is null and ${text} <% title order by word_similarity(${text}, title) desc limit 50) t,
           regexp_split_to_table(t.title, '[^[:alnum:]]+') as w
      where length(w) > 2
    )
    select i.word,
           (select v.w from vocabulary v where similarity(v.w, i.word) > 0.3 order by similarity(v.w, i.word) desc limit 1) as candidate
    from input i`);
  const fixed = result.rows.map((r) => r.candidate ?? r.word);
  const changed = fixed.some((w, i) => w !== words[i]);
  return changed ? fixed.join(' ') : null;
}
