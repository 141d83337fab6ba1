import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { badges, forum, jobHandlers, polls, type Actor } from '@forum/core';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Clock, createCategory, createReply, createThread, ctxFor, relaxedConfig } from '../support/factories.js';
import { badgeEvents, badgesOf, lastEventId, member, runJobs } from './support.js';

// Each badge's rule, driven through the real services and the real job queue: a member does the
// thing, the jobs run, and the badge is there (or, where the rule says no, it is not).

let database: TestDatabase;
let db: TestDatabase['db'];
const clock = new Clock(new Date('2026-03-02T10:00:00Z'));
const category = 'help';

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await createCategory(db, { slug: category, tags: ['billing', 'api'] });
});
afterAll(() => database?.drop());

const ask = (author: Actor, options: { kind?: 'question' | 'discussion'; tags?: string[] } = {}) =>
  createThread(db, author, { category, clock, kind: options.kind, tags: options.tags });
const reply = (author: Actor, threadId: number) => createReply(db, author, threadId, 'Try the settings page under Billing.', clock);
const accept = (asker: Actor, threadId: number, postId: number) => forum.acceptAnswer(ctxFor(db, asker, clock), threadId, postId);
const vote = (voter: Actor, postId: number, value: 1 | -1 | 0 = 1) => forum.votePost(ctxFor(db, voter, clock), postId, value);
const jobs = () => runJobs(db, clock);

/** A member who has asked before: answering them is not welcoming a new member. */
async function regular() {
  const asker = await member(db);
  await ask(asker, { kind: 'discussion' });
  return asker;
}

/** A question by a regular asker, answered by `answerer`; returns the ids. */
async function answered(answerer: Actor, by?: Actor) {
  const asker = by ?? (await regular());
  const { thread } = await ask(asker);
  const answer = await reply(answerer, thread.id);
  return { asker, threadId: thread.id, postId: answer.id };
}

describe('First answer', () => {
  it("is earned by answering someone else's question, not by replying in your own thread or in a discussion", async () => {
    const asker = await regular();
    const answerer = await member(db);
    const { thread: question } = await ask(asker);
    const { thread: discussion } = await ask(asker, { kind: 'discussion' });
    await reply(answerer, discussion.id);
    await reply(asker, question.id);
    await jobs();
    expect(await badgesOf(db, answerer)).toEqual([]);
    expect(await badgesOf(db, asker)).toEqual([]);

    const before = await lastEventId(db);
    await reply(answerer, question.id);
    await jobs();
    expect(await badgesOf(db, answerer)).toEqual(['first_answer']);
    expect(await badgesOf(db, asker)).toEqual([]);
    // the award is announced to the member's own room only
    expect(await badgeEvents(db, before)).toEqual([
      {
        name: 'badges.badge.awarded',
        rooms: [`user:${answerer.id}`],
        payload: { badge: { slug: 'first_answer', name: 'First answer', tier: 'bronze', tag: null }, user: { id: answerer.id, handle: answerer.handle } },
      },
    ]);
  });

  it('is awarded once however often the job runs again (a retried job changes nothing)', async () => {
    const answerer = await member(db);
    const { postId } = await answered(answerer);
    const { rows } = await db.execute<{ payload: Record<string, unknown> }>(
      sql`select payload from jobs where kind = 'badges.evaluate' and payload->>'event' = 'forum.post.created' and (payload->'facts'->>'postId')::int = ${postId}`,
    );
    expect(rows).toHaveLength(1);
    const payload = rows[0].payload;
    await jobs();
    const before = await lastEventId(db);
    for (let i = 0; i < 3; i++) {
      await db.transaction((tx) => jobHandlers['badges.evaluate']({ db: tx as never, actor: null, now: clock.now, config: relaxedConfig }, payload));
    }
    expect(await badgesOf(db, answerer)).toEqual(['first_answer']);
    expect(await badgeEvents(db, before)).toEqual([]);
    const { rows: count } = await db.execute<{ n: number }>(sql`select count(*)::int as n from user_badges where user_id = ${answerer.id}`);
    expect(count[0].n).toBe(1);
  });
});

describe('First accepted answer', () => {
  it('is earned when an answer is accepted, and kept when the acceptance is withdrawn', async () => {
    const answerer = await member(db);
    const { asker, threadId, postId } = await answered(answerer);
    await jobs();
    expect(await badgesOf(db, answerer)).toEqual(['first_answer']);
    await accept(asker, threadId, postId);
    await jobs();
    expect(await badgesOf(db, answerer)).toEqual(['first_accepted', 'first_answer']);
    await forum.unacceptAnswer(ctxFor(db, asker, clock), threadId);
    await jobs();
    expect(await badgesOf(db, answerer)).toEqual(['first_accepted', 'first_answer']);
  });
});

describe('Helpful', () => {
  it('is earned with the tenth answer scoring 1 or more, not before', async () => {
    const answerer = await member(db);
    const voter = await member(db);
    const asker = await regular();
    const posts: number[] = [];
    for (let i = 0; i < 10; i++) posts.push((await answered(answerer, asker)).postId);
    for (const postId of posts.slice(0, 9)) await vote(voter, postId);
    // a tenth answer with a score of 0 (one up, one down) does not count
    const critic = await member(db);
    await vote(voter, posts[9]);
    await vote(critic, posts[9], -1);
    await jobs();
    expect(await badgesOf(db, answerer)).not.toContain('helpful');
    await vote(critic, posts[9], 0);
    await jobs();
    expect(await badgesOf(db, answerer)).toContain('helpful');
  });
});

describe('Solution author', () => {
  it('is earned with the 25th accepted answer', async () => {
    const answerer = await member(db);
    const askers = [await regular(), await regular()];
    for (let i = 0; i < 25; i++) {
      const { asker, threadId, postId } = await answered(answerer, askers[i % 2]);
      await accept(asker, threadId, postId);
      if (i === 23) {
        await jobs();
        expect(await badgesOf(db, answerer)).not.toContain('solution_author');
      }
    }
    await jobs();
    expect(await badgesOf(db, answerer)).toContain('solution_author');
    const { rows } = await db.execute<{ tier: string }>(
      sql`select payload->'badge'->>'tier' as tier from events where name = 'badges.badge.awarded' and payload->'badge'->>'slug' = 'solution_author'`,
    );
    expect(rows).toEqual([{ tier: 'gold' }]);
  });
});

describe('Welcomer', () => {
  it("is earned by the first reply to a new member's first question, and by nobody else", async () => {
    const newcomer = await member(db);
    const [first, second, later] = [await member(db), await member(db), await member(db)];
    const { thread } = await ask(newcomer);
    // the asker's own follow-up does not take the first reply's turn
    await reply(newcomer, thread.id);
    await reply(first, thread.id);
    await reply(second, thread.id);
    // the newcomer's second question is not a new member's question any more
    const { thread: again } = await ask(newcomer);
    await reply(later, again.id);
    await jobs();
    expect(await badgesOf(db, first)).toEqual(['first_answer', 'welcomer']);
    expect(await badgesOf(db, second)).toEqual(['first_answer']);
    expect(await badgesOf(db, later)).toEqual(['first_answer']);
  });

  it('does not pass to the second reply when the first one is deleted', async () => {
    const newcomer = await member(db);
    const [first, second] = [await member(db), await member(db)];
    const { thread } = await ask(newcomer);
    const firstReply = await reply(first, thread.id);
    await forum.deletePost(ctxFor(db, first, clock), firstReply.id);
    await reply(second, thread.id);
    await jobs();
    expect(await badgesOf(db, first)).toEqual([]);
    expect(await badgesOf(db, second)).toEqual(['first_answer']);
  });
});

describe('Poll starter', () => {
  it("is earned by starting a thread with a poll; a poll staff attach earns it for the thread's author", async () => {
    const author = await member(db);
    const other = await member(db);
    const agent = await member(db, { role: 'agent' });
    const poll = { question: 'Which plan are you on?', kind: 'single' as const, options: ['Free', 'Team'] };
    const { thread } = await ask(author, { kind: 'discussion' });
    await jobs();
    expect(await badgesOf(db, author)).toEqual([]);
    await polls.createPoll(ctxFor(db, author, clock), thread.id, poll);
    const { thread: otherThread } = await ask(other, { kind: 'discussion' });
    await polls.createPoll(ctxFor(db, agent, clock), otherThread.id, poll);
    await jobs();
    expect(await badgesOf(db, author)).toEqual(['poll_starter']);
    expect(await badgesOf(db, other)).toEqual(['poll_starter']);
    expect(await badgesOf(db, agent)).toEqual([]);
  });
});

describe('Good question', () => {
  it('is earned when a question reaches a score of 5', async () => {
    const asker = await member(db);
    const { thread, post } = await ask(asker);
    const voters = await Promise.all(Array.from({ length: 5 }, () => member(db)));
    for (const voter of voters.slice(0, 4)) await vote(voter, post.id);
    await jobs();
    expect(await badgesOf(db, asker)).toEqual([]);
    await vote(voters[4], post.id);
    await jobs();
    expect(await badgesOf(db, asker)).toEqual(['good_question']);
    expect(thread.kind).toBe('question');
  });
});

describe('the catalogue', () => {
  it('lists every badge with its tier and how many members hold it', async () => {
    const list = await badges.listBadges(ctxFor(db, null, clock));
    expect(list.map((b) => [b.slug, b.tier])).toEqual([
      ['first_answer', 'bronze'],
      ['first_accepted', 'bronze'],
      ['welcomer', 'bronze'],
      ['poll_starter', 'bronze'],
      ['good_question', 'bronze'],
      ['helpful', 'silver'],
      ['solution_author', 'gold'],
      ['expert', 'gold'],
    ]);
    const { rows } = await db.execute<{ n: number }>(sql`select count(distinct user_id)::int as n from user_badges where badge = 'first_answer' and revoked_at is null`);
    expect(list.find((b) => b.slug === 'first_answer')!.holders).toBe(rows[0].n);
    expect(list.find((b) => b.slug === 'expert')).toMatchObject({ perTag: true, kept: false });
    expect(list.find((b) => b.slug === 'expert')!.description).toContain(`${relaxedConfig.expert.windowDays} days`);
  });
});
