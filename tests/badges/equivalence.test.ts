import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { badges, forum, polls, type Actor, type CoreConfig } from '@forum/core';
import { BADGES } from '@forum/core/badges/catalogue';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Clock, createCategory, ctxFor, relaxedConfig } from '../support/factories.js';
import { liveAwards, member, runJobs } from './support.js';

// Awarding on events and backfilling from scratch must agree. A community is generated from a
// seeded random sequence — questions and discussions in several tags, replies, votes up, down and
// undone, acceptances and their withdrawal, polls, deleted replies and threads, retags, a clock
// that moves hours or days at a time — and the event path (the jobs, and the Expert sweep that
// housekeeping runs as time passes) awards as it goes.
//
// After every batch of steps the awards must be exactly what the rules say, computed for everyone:
// Expert as the rules say now, the kept badges as the rules said at any batch so far (a kept badge
// is not taken back when, say, an acceptance is withdrawn). A member the event path forgot shows
// up as a difference. At the end, backfilling on top of that changes nothing, and backfilling
// from scratch gives the rules' answer now: the event path's awards less exactly the kept badges
// whose reason was later withdrawn. Without withdrawals the two are equal.

const config: CoreConfig = { ...relaxedConfig, expert: { minAccepted: 2, minRatio: 0.4, windowDays: 45 } };
const TAGS = ['alpha', 'beta', 'gamma'];
const DAY = 24 * 60;

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
    chance: (p: number) => next() < p,
  };
}

interface ThreadState {
  id: number;
  author: Actor;
  kind: 'question' | 'discussion';
  deleted: boolean;
  acceptedPostId: number | null;
  poll: boolean;
}
interface PostState {
  id: number;
  threadId: number;
  author: Actor;
  position: number;
  deleted: boolean;
}

const key = (r: { userId: number; badge: string; tagId: number | null }) => `${r.userId}:${r.badge}:${r.tagId ?? ''}`;
const KEPT = new Set(BADGES.filter((b) => b.kept).map((b) => b.slug));

async function awardKeys(db: TestDatabase['db']): Promise<Set<string>> {
  const { rows } = await db.execute<{ user_id: number; badge: string; tag_id: number | null }>(
    sql`select user_id, badge, tag_id from user_badges where revoked_at is null`,
  );
  return new Set(rows.map((r) => key({ userId: r.user_id, badge: r.badge, tagId: r.tag_id })));
}

const sorted = (s: Set<string>) => [...s].sort();

/**
 * Builds a community step by step with the event path awarding as it goes, checking the awards
 * against the rules after every batch. Returns what the checks accumulated.
 */
async function simulate(db: TestDatabase['db'], options: { seed: number; steps: number; withdrawals: boolean }) {
  const r = random(options.seed);
  const clock = new Clock(new Date('2025-06-01T08:00:00Z'));
  const ctx = (actor: Actor | null) => ctxFor(db, actor, clock, config);
  const category = `c${options.seed}`;
  await createCategory(db, { slug: category, tags: TAGS });
  const members: Actor[] = [];
  for (let i = 0; i < 16; i++) members.push(await member(db));
  const agent = await member(db, { role: 'agent' });
  const people = [...members, agent];
  // one very busy member and a few busy ones, as in any community
  const someone = () => (r.chance(0.3) ? members[0] : r.chance(0.45) ? members[r.int(1, 3)] : r.pick(members));

  const threads: ThreadState[] = [];
  const posts: PostState[] = [];
  // Activity gathers on recent threads, as it does on a forum's front page.
  const liveThreads = () => threads.filter((t) => !t.deleted).slice(-12);
  const livePosts = () => posts.filter((p) => !p.deleted && !threads.find((t) => t.id === p.threadId)!.deleted).slice(-30);
  const everKept = new Set<string>();
  const stats = { lapsedExperts: 0, awardedExperts: 0, checks: 0 };

  // The clock stands still within a batch and moves between batches, followed by the Expert sweep
  // (the hourly housekeeping): so at a check, every difference from the rules is a change the
  // event path missed, not time that passed.
  let pending = 0;
  async function passTime() {
    clock.advance(pending);
    pending = 0;
    const swept = await badges.sweepExperts(ctx(null));
    stats.lapsedExperts += swept.lapsed;
    stats.awardedExperts += swept.awarded;
  }

  async function check() {
    await runJobs(db, clock, config);
    const rules = await badges.listQualifiers(ctx(null));
    for (const q of rules) if (KEPT.has(q.badge)) everKept.add(key(q));
    const expected = new Set([...everKept, ...rules.filter((q) => !KEPT.has(q.badge)).map(key)]);
    expect(sorted(await awardKeys(db))).toEqual(sorted(expected));
    stats.checks++;
    return rules;
  }

  for (let step = 0; step < options.steps; step++) {
    pending += r.int(0, 3) * 60 + (r.chance(0.03) ? r.int(1, 5) * DAY : 0);
    const roll = r.next();
    const live = liveThreads();
    if (roll < 0.15 || live.length < 3) {
      const author = someone();
      const kind = r.chance(0.75) ? 'question' : 'discussion';
      const tags = TAGS.filter(() => r.chance(0.45)).slice(0, 2);
      const { thread, post } = await forum.createThread(ctx(author), { category, kind, title: `Question number ${step} about setup`, body: 'How does this work?', tags });
      threads.push({ id: thread.id, author, kind, deleted: false, acceptedPostId: null, poll: false });
      posts.push({ id: post.id, threadId: thread.id, author, position: 1, deleted: false });
    } else if (roll < 0.45) {
      const thread = r.pick(live);
      const author = r.chance(0.1) ? thread.author : r.chance(0.05) ? agent : someone();
      const post = await forum.createReply(ctx(author), thread.id, { body: `Reply at step ${step}.` });
      posts.push({ id: post.id, threadId: thread.id, author, position: post.position, deleted: false });
    } else if (roll < 0.7) {
      // questions get a good share of the votes
      const recent = livePosts().slice(-10);
      const openers = livePosts().filter((p) => p.position === 1).slice(-4);
      // and the regulars' answers get more than their share
      const regulars = recent.filter((p) => p.position > 1 && members.indexOf(p.author) < 4 && threads.find((t) => t.id === p.threadId)!.kind === 'question');
      const post = r.chance(0.35) && openers.length ? r.pick(openers) : r.chance(0.6) && regulars.length ? r.pick(regulars) : r.pick(recent);
      // a post that catches readers' eyes gets a few votes at once
      const others = people.filter((p) => p.id !== post.author.id);
      for (let n = r.int(2, 6); n > 0; n--) {
        const value = options.withdrawals ? r.pick([1, 1, 1, 1, -1, 0] as const) : 1;
        await forum.votePost(ctx(r.pick(others)), post.id, value);
      }
    } else if (roll < 0.86) {
      const answersIn = (t: ThreadState) => posts.filter((p) => p.threadId === t.id && p.position > 1 && !p.deleted && p.author.id !== t.author.id);
      const answeredQuestions = live.filter((t) => t.kind === 'question' && answersIn(t).length);
      const open = answeredQuestions.filter((t) => !t.acceptedPostId);
      const thread = open.length && r.chance(0.8) ? r.pick(open) : r.pick(answeredQuestions);
      const answers = thread ? answersIn(thread) : [];
      if (thread && answers.length) {
        if (thread.acceptedPostId && options.withdrawals && r.chance(0.4)) {
          await forum.unacceptAnswer(ctx(thread.author), thread.id);
          thread.acceptedPostId = null;
        } else if (!thread.acceptedPostId || options.withdrawals) {
          const answer = r.pick(answers);
          await forum.acceptAnswer(ctx(r.chance(0.1) ? agent : thread.author), thread.id, answer.id);
          thread.acceptedPostId = answer.id;
        }
      }
    } else if (roll < 0.89) {
      const thread = r.pick(live.filter((t) => !t.poll));
      if (thread) {
        await polls.createPoll(ctx(r.chance(0.2) ? agent : thread.author), thread.id, { question: 'Which one?', kind: 'single', options: ['This', 'That'] });
        thread.poll = true;
      }
    } else if (roll < 0.93 && options.withdrawals) {
      const reply = r.pick(livePosts().filter((p) => p.position > 1));
      if (reply) {
        await forum.deletePost(ctx(reply.author), reply.id);
        reply.deleted = true;
        const thread = threads.find((t) => t.id === reply.threadId)!;
        if (thread.acceptedPostId === reply.id) thread.acceptedPostId = null;
      }
    } else if (roll < 0.97 && options.withdrawals) {
      const thread = r.pick(live);
      await forum.updateThread(ctx(thread.author), thread.id, { tags: TAGS.filter(() => r.chance(0.4)).slice(0, 2) });
    } else if (options.withdrawals && r.chance(0.3)) {
      const thread = r.pick(live);
      await forum.deleteThread(ctx(thread.author), thread.id);
      thread.deleted = true;
    }
    if (step % 8 === 7) {
      await check();
      await passTime();
    }
  }
  const finalRules = await check();
  return { everKept, finalRules, stats, clock };
}

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const d of databases) await d.drop();
});

async function freshDatabase() {
  const database = await createTestDatabase();
  databases.push(database);
  return database.db;
}

describe('awarding on events and backfilling agree', () => {
  it("with withdrawals: the rules' answer after every batch; a backfill on top changes nothing; from scratch only the kept badges whose reason was withdrawn are missing", async () => {
    const db = await freshDatabase();
    const { everKept, finalRules, stats, clock } = await simulate(db, { seed: 20_260_301, steps: 640, withdrawals: true });
    const eventAwards = await awardKeys(db);
    const readable = await liveAwards(db);

    // the community was varied enough to say something
    const slugs = new Set([...eventAwards].map((k) => k.split(':')[1]));
    for (const slug of ['first_answer', 'first_accepted', 'welcomer', 'poll_starter', 'good_question', 'helpful', 'expert']) expect(slugs, slug).toContain(slug);
    expect(stats.checks).toBeGreaterThanOrEqual(60);
    expect(stats.lapsedExperts + stats.awardedExperts, 'the clock made experts lapse or qualify between events').toBeGreaterThan(0);

    // the backfill at the time of the last check, on top of the event path's awards: nothing to do
    const ctx = ctxFor(db, null, clock, config);
    const onTop = await badges.backfillBadges(ctx);
    expect([onTop.awarded, onTop.lapsed]).toEqual([0, 0]);
    expect(await liveAwards(db)).toEqual(readable);

    // from scratch
    await db.execute(sql`delete from user_badges`);
    const fromScratch = await badges.backfillBadges(ctx);
    const backfilled = await awardKeys(db);
    expect(fromScratch.awarded).toBe(backfilled.size);
    expect(sorted(backfilled)).toEqual(sorted(new Set(finalRules.map(key))));
    const withdrawn = new Set([...everKept].filter((k) => !backfilled.has(k)));
    expect(withdrawn.size, 'some kept badge lost its reason along the way').toBeGreaterThan(0);
    expect([...withdrawn].every((k) => KEPT.has(k.split(':')[1]))).toBe(true);
    expect(sorted(eventAwards)).toEqual(sorted(new Set([...backfilled, ...withdrawn])));
  }, 180_000);

  it('without withdrawals: the event path and a backfill from scratch give exactly the same awards', async () => {
    const db = await freshDatabase();
    const { clock } = await simulate(db, { seed: 77, steps: 320, withdrawals: false });
    const eventAwards = await liveAwards(db);
    expect(new Set(eventAwards.map((a) => a.split(':')[1])).size).toBeGreaterThanOrEqual(5);
    await db.execute(sql`delete from user_badges`);
    await badges.backfillBadges(ctxFor(db, null, clock, config));
    expect(await liveAwards(db)).toEqual(eventAwards);
  }, 180_000);
});
