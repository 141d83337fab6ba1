import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@forum/core';
import { startForum, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory } from '../support/factories.js';
import { expectError, signedIn } from '../support/api.js';
import { newPoll, newThread, pollCounts, votesByLabel, type PollShape } from './support.js';

type Signed = { actor: Actor; client: ApiClient };

let forum: TestForum;
let author: Signed;
let voterA: Signed;
let voterB: Signed;
let agent: Signed;
let anonymous: ApiClient;

beforeAll(async () => {
  forum = await startForum();
  await createCategory(forum.db.db, { slug: 'polls' });
  // polls need trust level 1 (voting on them does not)
  [author, voterA, voterB, agent] = await Promise.all([signedIn(forum, { trustLevel: 1 }), signedIn(forum), signedIn(forum), signedIn(forum, { role: 'agent' })]);
  anonymous = new ApiClient(forum.app);
});
afterAll(async () => forum?.close());

const thread = () => newThread(author.client, 'polls');
const getPoll = async (threadId: number, client = anonymous): Promise<PollShape> => {
  const response = await client.get(`/api/threads/${threadId}/poll`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().poll;
};
const vote = async (client: ApiClient, poll: PollShape, labels: string[]) => {
  const ids = labels.map((l) => poll.options.find((o) => o.label === l)!.id);
  return client.put(`/api/polls/${poll.id}/ballot`, { choices: ids });
};
const voted = async (client: ApiClient, poll: PollShape, labels: string[]): Promise<PollShape> => {
  const response = await vote(client, poll, labels);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().poll;
};

describe('POST /api/threads/:id/poll', () => {
  it('attaches a poll with its options in order, and GET shows it', async () => {
    const threadId = await thread();
    const poll = await newPoll(author.client, threadId, { question: '  Which colour?  ', options: ['Red', ' Green ', 'Blue'] });
    expect(poll).toMatchObject({
      threadId,
      question: 'Which colour?',
      kind: 'single',
      minChoices: 1,
      maxChoices: 1,
      anonymous: false,
      resultsVisibility: 'always',
      closesAt: null,
      closed: false,
      ballotCount: 0,
      myBallot: null,
      abilities: { vote: true, close: false, reopen: false },
    });
    expect(poll.options.map((o) => [o.position, o.label])).toEqual([[1, 'Red'], [2, 'Green'], [3, 'Blue']]);
    expect(await getPoll(threadId)).toMatchObject({ id: poll.id, abilities: { vote: false, close: false, reopen: false } });
    expect((await getPoll(threadId, agent.client)).abilities).toEqual({ vote: true, close: true, reopen: false });
  });

  it('answers { poll: null } for a thread without a poll and 404 for an unknown thread', async () => {
    expect(await getPoll(await thread())).toBeNull();
    expectError(await anonymous.get('/api/threads/999999/poll'), 404, 'thread_not_found');
  });

  it('defaults multiple choice to 1..all options and ranked to every option', async () => {
    expect(await newPoll(author.client, await thread(), { kind: 'multiple' })).toMatchObject({ minChoices: 1, maxChoices: 3 });
    expect(await newPoll(author.client, await thread(), { kind: 'multiple', minChoices: 2, maxChoices: 2 })).toMatchObject({ minChoices: 2, maxChoices: 2 });
    expect(await newPoll(author.client, await thread(), { kind: 'ranked' })).toMatchObject({ minChoices: 1, maxChoices: 3 });
  });

  it('lets staff attach a poll to any thread, and refuses other members (403), visitors (401) and a second poll (409)', async () => {
    const threadId = await thread();
    const before = await pollCounts(forum.db.db);
    expectError(await voterA.client.post(`/api/threads/${threadId}/poll`, { question: 'Q?', kind: 'single', options: ['a', 'b'] }), 403, 'forbidden');
    expectError(await anonymous.post(`/api/threads/${threadId}/poll`, { question: 'Q?', kind: 'single', options: ['a', 'b'] }), 401, 'unauthenticated');
    expectError(await voterA.client.post('/api/threads/999999/poll', { question: 'Q?', kind: 'single', options: ['a', 'b'] }), 404, 'thread_not_found');
    expect(await pollCounts(forum.db.db)).toEqual(before);
    await newPoll(agent.client, threadId);
    expectError(await author.client.post(`/api/threads/${threadId}/poll`, { question: 'Again?', kind: 'single', options: ['a', 'b'] }), 409, 'poll_exists');
  });

  it('refuses every invalid poll with 400 naming the field, and writes nothing', async () => {
    const threadId = await thread();
    const base = { question: 'Which one?', kind: 'single', options: ['Red', 'Green'] };
    const before = await pollCounts(forum.db.db);
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ options: ['Only one'] }, 'invalid_request', 'options'],
      [{ options: Array.from({ length: 21 }, (_, i) => `Option ${i}`) }, 'invalid_request', 'options'],
      [{ options: [] }, 'invalid_request', 'options'],
      [{ options: ['Red', 'red '] }, 'invalid', 'options'],
      [{ options: ['Red', 'Red'] }, 'invalid', 'options'],
      [{ options: ['Red', '   '] }, 'invalid', 'options'],
      [{ options: ['Red', 'x'.repeat(101)] }, 'invalid_request', 'options.1'],
      [{ kind: 'multiple', minChoices: 2, maxChoices: 1 }, 'invalid', 'minChoices'],
      [{ kind: 'multiple', maxChoices: 3 }, 'invalid', 'maxChoices'],
      [{ kind: 'multiple', minChoices: 0 }, 'invalid_request', 'minChoices'],
      [{ kind: 'single', maxChoices: 2 }, 'invalid', 'maxChoices'],
      [{ closesAt: new Date(forum.clock.now().getTime() - 60_000).toISOString() }, 'invalid', 'closesAt'],
      [{ closesAt: forum.clock.now().toISOString() }, 'invalid', 'closesAt'],
      [{ closesAt: 'tomorrow' }, 'invalid_request', 'closesAt'],
      [{ question: '   ' }, 'invalid', 'question'],
      [{ question: 'x'.repeat(301) }, 'invalid_request', 'question'],
      [{ kind: 'approval' }, 'invalid_request', 'kind'],
      [{ resultsVisibility: 'never' }, 'invalid_request', 'resultsVisibility'],
      [{ secret: true }, 'invalid_request', 'secret'],
    ];
    for (const [change, code, field] of cases) {
      const error = expectError(await author.client.post(`/api/threads/${threadId}/poll`, { ...base, ...change }), 400, code);
      expect(Object.keys(error.fields ?? {}), JSON.stringify(change)).toContain(field);
    }
    expect(await pollCounts(forum.db.db)).toEqual(before);
    expect(await getPoll(threadId)).toBeNull();
  });
});

describe('ballots', () => {
  it('counts a ballot, lets the member change it and retract it', async () => {
    const poll = await newPoll(author.client, await thread());
    let seen = await voted(voterA.client, poll, ['Red']);
    expect(seen.myBallot).toEqual([poll.options[0].id]);
    expect(seen.ballotCount).toBe(1);
    expect(votesByLabel(seen)).toEqual({ Red: 1, Green: 0, Blue: 0 });
    seen = await voted(voterA.client, poll, ['Blue']);
    expect(votesByLabel(seen)).toEqual({ Red: 0, Green: 0, Blue: 1 });
    expect(seen.results!.options[2].percent).toBe(100);
    expect(seen.results!.winners).toEqual([poll.options[2].id]);
    const retracted = await voterA.client.delete(`/api/polls/${poll.id}/ballot`);
    expect(retracted.statusCode).toBe(200);
    expect(retracted.json().poll).toMatchObject({ myBallot: null, ballotCount: 0 });
    expect(votesByLabel(retracted.json().poll)).toEqual({ Red: 0, Green: 0, Blue: 0 });
  });

  it('lists voters per option on a public poll', async () => {
    const poll = await newPoll(author.client, await thread(), { kind: 'multiple' });
    await voted(voterA.client, poll, ['Red', 'Green']);
    const seen = await voted(voterB.client, poll, ['Green']);
    const voters = seen.results!.options.map((o) => (o.voters ?? []).map((v) => v.handle).sort());
    expect(voters).toEqual([[voterA.actor.handle], [voterA.actor.handle, voterB.actor.handle].sort(), []]);
    expect(seen.results!.options.map((o) => o.percent)).toEqual([50, 100, 0]);
  });

  it('refuses choices that break the poll’s rules with 400 naming "choices", and writes nothing', async () => {
    const single = await newPoll(author.client, await thread());
    const multiple = await newPoll(author.client, await thread(), { kind: 'multiple', options: ['a', 'b', 'c', 'd'], minChoices: 2, maxChoices: 3 });
    const ranked = await newPoll(author.client, await thread(), { kind: 'ranked' });
    const before = await pollCounts(forum.db.db);
    const bad: Array<[PollShape, unknown[], string]> = [
      [single, [], 'invalid'],
      [single, [single.options[0].id, single.options[1].id], 'invalid'],
      [single, [multiple.options[0].id], 'invalid'],
      [single, [0], 'invalid_request'],
      [single, ['x'], 'invalid_request'],
      [multiple, [multiple.options[0].id], 'invalid'],
      [multiple, multiple.options.map((o) => o.id), 'invalid'],
      [multiple, [multiple.options[0].id, multiple.options[0].id], 'invalid'],
      [ranked, [], 'invalid'],
      [ranked, [ranked.options[0].id, ranked.options[0].id], 'invalid'],
    ];
    for (const [poll, choices, code] of bad) {
      expectError(await voterA.client.put(`/api/polls/${poll.id}/ballot`, { choices }), 400, code, ['choices' + (code === 'invalid_request' ? '.0' : '')]);
    }
    expectError(await voterA.client.put(`/api/polls/${single.id}/ballot`, {}), 400, 'invalid_request', ['choices']);
    expect(await pollCounts(forum.db.db)).toEqual(before);
    expectError(await voterA.client.put('/api/polls/999999/ballot', { choices: [1] }), 404, 'poll_not_found');
  });

  it('refuses visitors with 401', async () => {
    const poll = await newPoll(author.client, await thread());
    expectError(await anonymous.put(`/api/polls/${poll.id}/ballot`, { choices: [poll.options[0].id] }), 401, 'unauthenticated');
    expectError(await anonymous.delete(`/api/polls/${poll.id}/ballot`), 401, 'unauthenticated');
  });

  it('closes when its closing time passes on the clock: ballots then get 409 and are kept', async () => {
    const closesAt = new Date(forum.clock.now().getTime() + 60 * 60_000).toISOString();
    const poll = await newPoll(author.client, await thread(), { closesAt });
    expect(poll.closesAt).toBe(closesAt);
    await voted(voterA.client, poll, ['Red']);
    forum.clock.advance(61);
    const seen = await getPoll(poll.threadId, voterA.client);
    expect(seen).toMatchObject({ closed: true, ballotCount: 1, abilities: { vote: false } });
    const before = await pollCounts(forum.db.db);
    expectError(await vote(voterB.client, poll, ['Green']), 409, 'poll_closed');
    expectError(await vote(voterA.client, poll, ['Green']), 409, 'poll_closed');
    expectError(await voterA.client.delete(`/api/polls/${poll.id}/ballot`), 409, 'poll_closed');
    expect(await pollCounts(forum.db.db)).toEqual(before);
    expect(votesByLabel(await getPoll(poll.threadId))).toEqual({ Red: 1, Green: 0, Blue: 0 });
  });

  it('tallies a ranked poll by instant runoff', async () => {
    const poll = await newPoll(author.client, await thread(), { kind: 'ranked', options: ['A', 'B', 'C'] });
    const [A, B, C] = poll.options.map((o) => o.id);
    const members = await Promise.all(Array.from({ length: 5 }, () => signedIn(forum)));
    const ballots = [[A, B], [A], [B, C], [C, B], [C, B]];
    for (const [i, choices] of ballots.entries()) expect((await members[i].client.put(`/api/polls/${poll.id}/ballot`, { choices })).statusCode).toBe(200);
    const seen = await getPoll(poll.threadId);
    // Round 1: A 2, B 1, C 2 → B goes, its ballot moves to C: C 3 of 5.
    expect(seen.results!.rounds).toEqual([
      { counts: [{ optionId: A, votes: 2 }, { optionId: B, votes: 1 }, { optionId: C, votes: 2 }], exhausted: 0, eliminated: B },
      { counts: [{ optionId: A, votes: 2 }, { optionId: C, votes: 3 }], exhausted: 0, eliminated: null },
    ]);
    expect(seen.results!.winners).toEqual([C]);
    expect(seen.results!.options.map((o) => o.votes)).toEqual([2, 1, 2]);
  });
});

describe('closing and reopening (staff)', () => {
  it('lets staff close and reopen; members get 403; the state decides 409s', async () => {
    const poll = await newPoll(author.client, await thread());
    expectError(await author.client.post(`/api/polls/${poll.id}/close`), 403, 'forbidden');
    expectError(await voterA.client.post(`/api/polls/${poll.id}/close`), 403, 'forbidden');
    expectError(await anonymous.post(`/api/polls/${poll.id}/close`), 401, 'unauthenticated');
    expectError(await agent.client.post(`/api/polls/${poll.id}/reopen`), 409, 'poll_not_closed');
    const closed = await agent.client.post(`/api/polls/${poll.id}/close`);
    expect(closed.statusCode).toBe(200);
    expect(closed.json().poll).toMatchObject({ closed: true, abilities: { vote: false, close: false, reopen: true } });
    expectError(await agent.client.post(`/api/polls/${poll.id}/close`), 409, 'poll_closed');
    expectError(await vote(voterA.client, poll, ['Red']), 409, 'poll_closed');
    expectError(await author.client.post(`/api/polls/${poll.id}/reopen`), 403, 'forbidden');
    const reopened = await agent.client.post(`/api/polls/${poll.id}/reopen`);
    expect(reopened.json().poll).toMatchObject({ closed: false });
    await voted(voterA.client, poll, ['Red']);
  });

  it('reopening a poll whose closing time passed clears the closing time', async () => {
    const poll = await newPoll(author.client, await thread(), { closesAt: new Date(forum.clock.now().getTime() + 60_000).toISOString() });
    forum.clock.advance(2);
    const reopened = (await agent.client.post(`/api/polls/${poll.id}/reopen`)).json().poll;
    expect(reopened).toMatchObject({ closed: false, closesAt: null });
  });
});

describe('results visibility', () => {
  it('always: everyone sees the tally', async () => {
    const poll = await newPoll(author.client, await thread());
    await voted(voterA.client, poll, ['Red']);
    expect(votesByLabel(await getPoll(poll.threadId))).toEqual({ Red: 1, Green: 0, Blue: 0 });
  });

  it('after_vote: only members who voted see it, until the poll closes', async () => {
    const poll = await newPoll(author.client, await thread(), { resultsVisibility: 'after_vote' });
    expect(poll.results).toBeNull();
    const mine = await voted(voterA.client, poll, ['Green']);
    expect(votesByLabel(mine)).toEqual({ Red: 0, Green: 1, Blue: 0 });
    expect(await getPoll(poll.threadId)).toMatchObject({ results: null, ballotCount: 1 });
    expect((await getPoll(poll.threadId, voterB.client)).results).toBeNull();
    expect((await getPoll(poll.threadId, agent.client)).results).toBeNull();
    await agent.client.post(`/api/polls/${poll.id}/close`);
    expect(votesByLabel(await getPoll(poll.threadId))).toEqual({ Red: 0, Green: 1, Blue: 0 });
  });

  it('after_close: nobody sees it, voters included, until the poll closes', async () => {
    const poll = await newPoll(author.client, await thread(), { resultsVisibility: 'after_close', closesAt: new Date(forum.clock.now().getTime() + 10 * 60_000).toISOString() });
    const mine = await voted(voterA.client, poll, ['Blue']);
    expect(mine.results).toBeNull();
    expect((await getPoll(poll.threadId, agent.client)).results).toBeNull();
    forum.clock.advance(11);
    expect(votesByLabel(await getPoll(poll.threadId))).toEqual({ Red: 0, Green: 0, Blue: 1 });
  });
});
