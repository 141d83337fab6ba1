import { createRequire } from 'node:module';
import { sql } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import type { Executor } from '../db/client.js';
import type { JobHandlers, JobPayload } from '../events/jobs.js';

// Sentiment of posts, for the product team's insights. wink-nlp with its English "lite" model
// (shipped inside its npm package, no network): a lexicon of scored words with negation
// handling, averaged over the text, -1..1. It reads English; other languages score near 0.
// The model takes a few hundred milliseconds to load, so it loads on the first post scored, in
// the job worker, never in a request.

export const SENTIMENT_JOB = 'insights.sentiment';
/** longer texts are scored on their first part: the opening says most, and the cost stays bounded */
const TEXT_MAX = 5_000;

type Nlp = { readDoc(text: string): { out(what: unknown): unknown }; its: { sentiment: unknown } };
let nlp: Nlp | null = null;

function model(): Nlp {
  if (!nlp) {
    const require = createRequire(import.meta.url);
    const winkNLP = require('wink-nlp') as (model: unknown, pipe?: string[]) => Nlp;
    nlp = winkNLP(require('wink-eng-lite-web-model'), ['sbd', 'negation', 'sentiment']);
  }
  return nlp;
}

/** The text's sentiment, -1..1 (0 for text with no scored words). */
export function sentimentOf(text: string): number {
  const clean = text.slice(0, TEXT_MAX).trim();
  if (!clean) return 0;
  const m = model();
  const score = Number(m.readDoc(clean).out(m.its.sentiment));
  return Number.isFinite(score) ? Math.max(-1, Math.min(1, score)) : 0;
}

/** Scores the given posts (their current text) and stores the scores; returns how many. */
export async function scorePosts(db: Executor, postIds: number[], at: Date): Promise<number> {
  if (!postIds.length) return 0;
  const { rows } = await db.execute<{ id: number; body_text: string }>(
    sql`select id, body_text from posts where id = any(${`{${postIds.join(',')}}`}::int[]) and deleted_at is null`,
  );
  if (!rows.length) return 0;
  const values = rows.map((r) => sql`(${r.id}, ${sentimentOf(r.body_text)}, ${at})`);
  await db.execute(sql`
    insert into post_sentiment (post_id, score, computed_at) values ${sql.join(values, sql`, `)}
    on conflict (post_id) do update set score = excluded.score, computed_at = excluded.computed_at`);
  return rows.length;
}

/**
 * Scores posts that have no score yet (the demo's, or those written before this existed), up to
 * `limit` per call, oldest first; returns how many. Run in batches at start-up.
 */
export async function backfillSentiment(db: Executor, at: Date, limit = 2_000): Promise<number> {
  const { rows } = await db.execute<{ id: number }>(
    sql`select p.id from posts p where p.deleted_at is null and not exists (select 1 from post_sentiment s where s.post_id = p.id) order by p.id limit ${limit}`,
  );
  return scorePosts(db, rows.map((r) => Number(r.id)), at);
}

/** The post an event is about: the opening post of a new thread, a new reply, an edited post. */
function postIdOf(payload: JobPayload): number | null {
  const facts = payload.facts as { postId?: unknown } | undefined;
  const data = payload.data as { post?: { id?: unknown } } | undefined;
  const id = Number(facts?.postId ?? data?.post?.id);
  return Number.isInteger(id) && id > 0 ? id : null;
}

async function runSentimentJob(ctx: Ctx, payload: JobPayload): Promise<void> {
  const id = postIdOf(payload);
  if (id !== null) await scorePosts(ctx.db, [id], ctx.now());
}

export const sentimentJobHandlers: JobHandlers = { [SENTIMENT_JOB]: runSentimentJob };
