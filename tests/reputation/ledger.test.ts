import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { forum as forumService, type Actor } from '@forum/core';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createCategory, createMember, createReply, createThread, ctxFor, relaxedConfig } from '../support/factories.js';
import { scalar } from '../support/api.js';
import { ledgerOf, manyMembers, totalsOf } from './support.js';

// The reputation ledger, driven through the forum's own services (votes and acceptances).

let db: TestDatabase;
const points = relaxedConfig.reputation;

beforeAll(async () => {
  db = await createTestDatabase();
  await createCategory(db.db, { slug: 'help' });
});
afterAll(async () => db?.drop());

const vote = (actor: Actor, postId: number, value: 1 | -1 | 0) => forumService.votePost(ctxFor(db.db, actor), postId, value);

/** A question by `asker` with one answer by each of `answerers`. */
async function question(asker: Actor, ...answerers: Actor[]) {
  const { thread, post } = await createThread(db.db, asker, { category: 'help' });
  const answers = [];
  for (const a of answerers) answers.push(await createReply(db.db, a, thread.id, `An answer by ${a.handle}`));
  return { threadId: thread.id, questionId: post.id, answerIds: answers.map((a) => a.id) };
}

async function expectExact(user: Actor, expected: number) {
  expect(await totalsOf(db.db, user.id)).toEqual({ cached: expected, ledger: expected });
}

describe('votes', () => {
  it('100 members upvoting one answer at once: score 100, 100 ledger rows, the exact total', async () => {
    const [asker, answerer] = await Promise.all([createMember(db.db), createMember(db.db)]);
    const { answerIds: [answerId] } = await question(asker, answerer);
    const voters = await manyMembers(db.db, 100);

    const results = await Promise.all(voters.map((v) => vote(v, answerId, 1)));
    expect(results.every((r) => r.myVote === 1)).toBe(true);

    expect(await scalar(db.db, sql`select score from posts where id = ${answerId}`)).toBe(100);
    const rows = await ledgerOf(db.db, answerer.id);
    expect(rows).toHaveLength(100);
    expect(rows.every((r) => r.reason === 'answer_upvoted' && r.points === points.answerUpvoted && r.postId === answerId && r.reversesId === null)).toBe(true);
    expect(new Set(rows.map((r) => r.causedById))).toEqual(new Set(voters.map((v) => v.id)));
    await expectExact(answerer, 100 * points.answerUpvoted);
  });

  it('one member sending the same vote 20 times at once gets one entry', async () => {
    const [asker, answerer, voter] = await Promise.all([createMember(db.db), createMember(db.db), createMember(db.db)]);
    const { answerIds: [answerId] } = await question(asker, answerer);
    const eventsBefore = await scalar(db.db, sql`select count(*) from events where name = 'forum.post.voted'`);

    await Promise.all(Array.from({ length: 20 }, () => vote(voter, answerId, 1)));

    expect(await ledgerOf(db.db, answerer.id)).toEqual([
      expect.objectContaining({ reason: 'answer_upvoted', points: points.answerUpvoted, causedById: voter.id, reversesId: null }),
    ]);
    expect(await scalar(db.db, sql`select score from posts where id = ${answerId}`)).toBe(1);
    // only the vote that changed something was announced
    expect(await scalar(db.db, sql`select count(*) from events where name = 'forum.post.voted'`)).toBe(eventsBefore + 1);
    await expectExact(answerer, points.answerUpvoted);
  });

  it('up, then down, then undo: each change reverses the last entry and the total returns to 0', async () => {
    const [asker, answerer, voter] = await Promise.all([createMember(db.db), createMember(db.db), createMember(db.db)]);
    const { answerIds: [answerId] } = await question(asker, answerer);

    await vote(voter, answerId, 1);
    await expectExact(answerer, points.answerUpvoted);
    await vote(voter, answerId, -1);
    await expectExact(answerer, points.postDownvoted);
    await vote(voter, answerId, 0);
    await expectExact(answerer, 0);

    const [up, upUndone, down, downUndone] = await ledgerOf(db.db, answerer.id);
    expect(up).toMatchObject({ reason: 'answer_upvoted', points: points.answerUpvoted, reversesId: null });
    expect(upUndone).toMatchObject({ reason: 'answer_upvoted', points: -points.answerUpvoted, reversesId: up.id });
    expect(down).toMatchObject({ reason: 'post_downvoted', points: points.postDownvoted, reversesId: null });
    expect(downUndone).toMatchObject({ reason: 'post_downvoted', points: -points.postDownvoted, reversesId: down.id });
    expect(await ledgerOf(db.db, answerer.id)).toHaveLength(4);

    // undoing a vote that is not there writes nothing
    await vote(voter, answerId, 0);
    expect(await ledgerOf(db.db, answerer.id)).toHaveLength(4);
  });

  it('gives the question its own points, and takes points for a downvoted question', async () => {
    const [asker, voter, critic] = await Promise.all([createMember(db.db), createMember(db.db), createMember(db.db)]);
    const { questionId } = await question(asker);
    await vote(voter, questionId, 1);
    await vote(critic, questionId, -1);
    expect((await ledgerOf(db.db, asker.id)).map((r) => [r.reason, r.points])).toEqual([
      ['question_upvoted', points.questionUpvoted],
      ['post_downvoted', points.postDownvoted],
    ]);
    await expectExact(asker, points.questionUpvoted + points.postDownvoted);
  });

  it('changing votes concurrently (many members flipping up and down at once) keeps every total exact', async () => {
    const [asker, answerer] = await Promise.all([createMember(db.db), createMember(db.db)]);
    const { answerIds: [answerId] } = await question(asker, answerer);
    const voters = await manyMembers(db.db, 20);
    // every voter sends up, down and up again without waiting: the post's lock orders each
    // member's three votes in some order, and the final state is whatever came last
    await Promise.all(voters.flatMap((v) => [vote(v, answerId, 1), vote(v, answerId, -1), vote(v, answerId, 1)]));
    const score = await scalar(db.db, sql`select score from posts where id = ${answerId}`);
    const ups = await scalar(db.db, sql`select count(*) from votes where post_id = ${answerId} and value = 1`);
    const downs = await scalar(db.db, sql`select count(*) from votes where post_id = ${answerId} and value = -1`);
    expect(ups + downs).toBe(20);
    expect(score).toBe(ups - downs);
    await expectExact(answerer, ups * points.answerUpvoted + downs * points.postDownvoted);
    // each voter has exactly one entry that still counts
    const live = await scalar(db.db, sql`
      select count(*) from reputation_ledger l
      where l.post_id = ${answerId} and l.reverses_id is null and not exists (select 1 from reputation_ledger r where r.reverses_id = l.id)`);
    expect(live).toBe(20);
  });
});

describe('acceptances', () => {
  it('accept → unaccept → accept another answer: entries and totals follow', async () => {
    const [asker, first, second] = await Promise.all([createMember(db.db), createMember(db.db), createMember(db.db)]);
    const { threadId, answerIds: [a, b] } = await question(asker, first, second);
    const ctx = ctxFor(db.db, asker);

    await forumService.acceptAnswer(ctx, threadId, a);
    await expectExact(first, points.answerAccepted);
    await expectExact(asker, points.acceptedAnAnswer);

    await forumService.unacceptAnswer(ctx, threadId);
    await expectExact(first, 0);
    await expectExact(asker, 0);

    await forumService.acceptAnswer(ctx, threadId, b);
    await expectExact(first, 0);
    await expectExact(second, points.answerAccepted);
    await expectExact(asker, points.acceptedAnAnswer);

    const firstRows = await ledgerOf(db.db, first.id);
    expect(firstRows).toEqual([
      expect.objectContaining({ reason: 'answer_accepted', points: points.answerAccepted, postId: a, causedById: asker.id, reversesId: null }),
      expect.objectContaining({ reason: 'answer_accepted', points: -points.answerAccepted, postId: a, reversesId: firstRows[0].id }),
    ]);
    const askerRows = await ledgerOf(db.db, asker.id);
    expect(askerRows.map((r) => [r.reason, r.points, r.postId])).toEqual([
      ['accepted_an_answer', points.acceptedAnAnswer, a],
      ['accepted_an_answer', -points.acceptedAnAnswer, a],
      ['accepted_an_answer', points.acceptedAnAnswer, b],
    ]);
  });

  it('replacing the accepted answer directly reverses the old one in the same step', async () => {
    const [asker, first, second] = await Promise.all([createMember(db.db), createMember(db.db), createMember(db.db)]);
    const { threadId, answerIds: [a, b] } = await question(asker, first, second);
    const ctx = ctxFor(db.db, asker);
    await forumService.acceptAnswer(ctx, threadId, a);
    await forumService.acceptAnswer(ctx, threadId, b);
    // accepting the same answer again changes nothing
    await forumService.acceptAnswer(ctx, threadId, b);
    await expectExact(first, 0);
    await expectExact(second, points.answerAccepted);
    await expectExact(asker, points.acceptedAnAnswer);
    expect(await ledgerOf(db.db, second.id)).toHaveLength(1);
  });

  it('staff accepting on the asker’s behalf reward the answer only; accepting your own answer earns nothing', async () => {
    const [asker, answerer, agent] = await Promise.all([createMember(db.db), createMember(db.db), createMember(db.db, { role: 'agent' })]);
    const { threadId, answerIds: [a, own] } = await question(asker, answerer, asker);
    await forumService.acceptAnswer(ctxFor(db.db, agent), threadId, a);
    await expectExact(answerer, points.answerAccepted);
    await expectExact(asker, 0);
    await expectExact(agent, 0);

    await forumService.acceptAnswer(ctxFor(db.db, asker), threadId, own);
    await expectExact(answerer, 0);
    await expectExact(asker, 0);
    expect(await ledgerOf(db.db, asker.id)).toEqual([]);
  });

  it('deleting the accepted answer takes the acceptance back; deleting a downvoted post keeps the penalty', async () => {
    const [asker, answerer, critic] = await Promise.all([createMember(db.db), createMember(db.db), createMember(db.db)]);
    const { threadId, answerIds: [a, b] } = await question(asker, answerer, answerer);
    await forumService.acceptAnswer(ctxFor(db.db, asker), threadId, a);
    await vote(critic, b, -1);
    await expectExact(answerer, points.answerAccepted + points.postDownvoted);

    await forumService.deletePost(ctxFor(db.db, answerer), a);
    await forumService.deletePost(ctxFor(db.db, answerer), b);
    await expectExact(answerer, points.postDownvoted);
    await expectExact(asker, 0);
    expect(await scalar(db.db, sql`select count(*) from events where name = 'forum.answer.unaccepted' and (payload->>'postId')::int = ${a}`)).toBe(1);
  });

  it('concurrent accepts of different answers leave exactly one accepted and matching totals', async () => {
    const [asker, ...answerers] = await Promise.all(Array.from({ length: 6 }, () => createMember(db.db)));
    const { threadId, answerIds } = await question(asker, ...answerers);
    const ctx = ctxFor(db.db, asker);
    await Promise.all(answerIds.map((id) => forumService.acceptAnswer(ctx, threadId, id)));
    const accepted = await scalar(db.db, sql`select accepted_post_id from threads where id = ${threadId}`);
    for (const [i, id] of answerIds.entries()) await expectExact(answerers[i], id === accepted ? points.answerAccepted : 0);
    await expectExact(asker, points.acceptedAnAnswer);
  });
});

describe('every total', () => {
  it('equals the sum of its ledger, for every member this file touched', async () => {
    const mismatched = await scalar(
      db.db,
      sql`select count(*) from users u where u.reputation <> (select coalesce(sum(points), 0) from reputation_ledger l where l.user_id = u.id)`,
    );
    expect(mismatched).toBe(0);
    // and no entry was reversed twice
    expect(await scalar(db.db, sql`select count(*) from (select reverses_id from reputation_ledger where reverses_id is not null group by reverses_id having count(*) > 1) d`)).toBe(0);
  });
});
