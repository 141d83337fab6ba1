import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forum as forumService, type Actor } from '@forum/core';
import { startForum, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory, createMember, createReply, createThread, ctxFor } from '../support/factories.js';
import { expectError, settleJobs } from '../support/api.js';

let forum: TestForum;
let anonymous: ApiClient;
let helper: Actor;
let asker: Actor;
const helperAnswers: number[] = [];
let solvedThreadId: number;

beforeAll(async () => {
  forum = await startForum();
  anonymous = new ApiClient(forum.app);
  const db = forum.db.db;
  await createCategory(db, { slug: 'help' });
  [helper, asker] = await Promise.all([createMember(db, { handle: 'Helpful_Hannah' }), createMember(db, { handle: 'curious_carl' })]);
  const ctx = (actor: Actor) => ctxFor(db, actor);

  // Hannah: 2 live threads (and 1 deleted), 4 live answers (1 deleted, 1 in a deleted thread), 2 accepted.
  await createThread(db, helper, { category: 'help', title: 'Hannah asks about exports' });
  await createThread(db, helper, { category: 'help', title: 'Hannah starts a discussion', kind: 'discussion' });
  const gone = await createThread(db, helper, { category: 'help', title: 'Hannah deletes this one' });
  await forumService.deleteThread(ctx(helper), gone.thread.id);

  const questions = [];
  for (let i = 0; i < 4; i++) questions.push((await createThread(db, asker, { category: 'help', title: `Carl question ${i}` })).thread.id);
  for (const id of questions) helperAnswers.push((await createReply(db, helper, id, `Hannah answers question ${id} with a long enough explanation.`)).id);
  await forumService.acceptAnswer(ctx(asker), questions[0], helperAnswers[0]);
  await forumService.acceptAnswer(ctx(asker), questions[1], helperAnswers[1]);
  solvedThreadId = questions[0];

  const removedAnswer = await createReply(db, helper, questions[2], 'Hannah says something she regrets.');
  await forumService.deletePost(ctx(helper), removedAnswer.id);
  const doomed = await createThread(db, asker, { category: 'help', title: 'Carl question that gets deleted' });
  const answerInDoomed = await createReply(db, helper, doomed.thread.id, 'Hannah answers a thread that goes away.');
  await forumService.acceptAnswer(ctx(asker), doomed.thread.id, answerInDoomed.id);
  await forumService.deleteThread(ctx(asker), doomed.thread.id);
  await settleJobs(forum); // trust levels are raised by a background job
});
afterAll(async () => forum?.close());

describe('GET /api/users/:handle', () => {
  it('counts live threads, answers and accepted answers', async () => {
    const response = await anonymous.get('/api/users/Helpful_Hannah');
    expect(response.statusCode, response.body).toBe(200);
    const profile = response.json();
    expect(profile.user).toEqual({
      id: helper.id,
      handle: 'Helpful_Hannah',
      displayName: 'Helpful_Hannah',
      role: 'member',
      staff: false,
      joinedAt: expect.any(String),
      threadCount: 2,
      answerCount: 4,
      acceptedCount: 2,
      // three accepted answers (one in a thread deleted later: deleting it takes nothing back)
      reputation: 3 * 15,
      // live replies in others' threads reach level 1; level 2 needs a week as a member
      trustLevel: 1,
    });
  });

  it("lists the member's threads and answers, marking accepted ones", async () => {
    const profile = (await anonymous.get('/api/users/Helpful_Hannah')).json();
    expect(profile.threads.map((t: { title: string }) => t.title).sort()).toEqual(['Hannah asks about exports', 'Hannah starts a discussion']);
    expect(profile.answers).toHaveLength(4);
    expect(profile.answers.map((a: { post: { id: number } }) => a.post.id).sort()).toEqual([...helperAnswers].sort());
    const accepted = profile.answers.find((a: { post: { id: number } }) => a.post.id === helperAnswers[0]);
    expect(accepted).toMatchObject({ post: { accepted: true, score: 0, excerpt: expect.stringContaining('Hannah answers question') }, thread: { id: solvedThreadId, status: 'solved' } });
    expect(profile.answers.filter((a: { post: { accepted: boolean } }) => a.post.accepted)).toHaveLength(2);
  });

  it("counts the asker's side too", async () => {
    const profile = (await anonymous.get('/api/users/curious_carl')).json();
    expect(profile.user).toMatchObject({ threadCount: 4, answerCount: 0, acceptedCount: 0 });
    expect(profile.answers).toEqual([]);
  });

  it('finds a member whatever the case of the handle', async () => {
    expect((await anonymous.get('/api/users/helpful_hannah')).json().user.handle).toBe('Helpful_Hannah');
  });

  it('shows staff as staff', async () => {
    await createMember(forum.db.db, { handle: 'support_sam', role: 'supervisor' });
    expect((await anonymous.get('/api/users/support_sam')).json().user).toMatchObject({ role: 'supervisor', staff: true, threadCount: 0 });
  });

  it('does not reveal email addresses', async () => {
    const profile = (await anonymous.get('/api/users/Helpful_Hannah')).json();
    expect(JSON.stringify(profile)).not.toContain('@example.test');
  });

  it('answers 404 member_not_found for an unknown handle', async () => {
    expectError(await anonymous.get('/api/users/nobody_at_all'), 404, 'member_not_found');
  });

  it('answers 400 naming "handle" for a handle longer than any member can have', async () => {
    expectError(await anonymous.get(`/api/users/${'h'.repeat(31)}`), 400, 'invalid_request', ['handle']);
  });
});
