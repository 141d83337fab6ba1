import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { forum, jobHandlers, runDueJobs, sentiment, type Actor } from '@forum/core';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Clock, createCategory, createMember, createReply, createThread, ctxFor, relaxedConfig } from '../support/factories.js';

// Sentiment of posts for the product team: scored by a background job when a post is written or
// edited, with wink-nlp's English model; clearly negative posts rank below clearly positive ones.

let db: TestDatabase;
const clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
let author: Actor;
let helper: Actor;
let slug: string;
const runJobs = () => runDueJobs({ db: db.db, now: clock.now, config: relaxedConfig }, jobHandlers);
const scoreOf = async (postId: number) => {
  const { rows } = await db.db.execute<{ score: number }>(sql`select score from post_sentiment where post_id = ${postId}`);
  return rows[0]?.score ?? null;
};

beforeAll(async () => {
  db = await createTestDatabase();
  [author, helper] = await Promise.all([createMember(db.db), createMember(db.db)]);
  slug = (await createCategory(db.db)).slug;
});
afterAll(async () => db?.drop());

const POSITIVE = ['Thanks so much, this works perfectly now! Great support, I love the new editor.', 'Brilliant answer, exactly what I needed. Happy with the fix, thank you!'];
const NEGATIVE = ['This update is terrible. Exports are broken, I am furious and nothing works.', 'Awful experience: the app crashes constantly, I hate losing my work, worst release ever.'];
const NEUTRAL = ['How do I change the time zone of a project?'];

describe('post sentiment', () => {
  it('scores new threads and replies in the background, clearly negative below neutral below clearly positive', async () => {
    const ids: Record<string, number[]> = { positive: [], negative: [], neutral: [] };
    for (const [kind, texts] of Object.entries({ positive: POSITIVE, negative: NEGATIVE, neutral: NEUTRAL })) {
      for (const body of texts) {
        const { thread, post } = await createThread(db.db, author, { category: slug, body, clock });
        ids[kind].push(post.id);
        ids[kind].push((await createReply(db.db, helper, thread.id, body, clock)).id);
      }
    }
    expect(await scoreOf(ids.positive[0])).toBeNull();
    await runJobs();
    const scores = async (kind: string) => Promise.all(ids[kind].map(scoreOf));
    const [pos, neg, neu] = [await scores('positive'), await scores('negative'), await scores('neutral')];
    for (const n of neg) expect(n).toBeLessThan(-0.1);
    for (const p of pos) expect(p).toBeGreaterThan(0.1);
    for (const x of neu) expect(Math.abs(x!)).toBeLessThan(0.1);
    expect(Math.max(...(neg as number[]))).toBeLessThan(Math.min(...(pos as number[])));
  });

  it('scores an edited post again', async () => {
    const { post } = await createThread(db.db, author, { category: slug, body: 'Everything works great, thank you!', clock });
    await runJobs();
    expect(await scoreOf(post.id)).toBeGreaterThan(0.1);
    await forum.editPost(ctxFor(db.db, author, clock), post.id, { body: 'Update: it broke again and I am really angry, this is useless.' });
    await runJobs();
    expect(await scoreOf(post.id)).toBeLessThan(-0.1);
  });

  it('backfills posts written before scoring existed, in batches', async () => {
    await db.db.execute(sql`delete from post_sentiment`);
    const total = Number((await db.db.execute<{ n: number }>(sql`select count(*)::int as n from posts where deleted_at is null`)).rows[0].n);
    expect(await sentiment.backfillSentiment(db.db, clock.now(), 5)).toBe(5);
    let done = 5;
    for (let n; (n = await sentiment.backfillSentiment(db.db, clock.now(), 5)) > 0; ) done += n;
    expect(done).toBe(total);
    expect(Number((await db.db.execute<{ n: number }>(sql`select count(*)::int as n from post_sentiment`)).rows[0].n)).toBe(total);
  });
});
