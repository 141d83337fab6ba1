import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Actor } from '@forum/core';
import { startForum, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory } from '../support/factories.js';
import { expectError, scalar, signedIn } from '../support/api.js';
import { LiveClient } from '../support/ws.js';
import { newPoll, newThread, votesByLabel, type PollShape } from './support.js';

type Signed = { actor: Actor; client: ApiClient };

let forum: TestForum;
let author: Signed;
let agent: Signed;
let admin: Signed;
let anonymous: ApiClient;
let wsUrl: string;
const sockets: LiveClient[] = [];

beforeAll(async () => {
  forum = await startForum();
  await createCategory(forum.db.db, { slug: 'polls' });
  // polls need trust level 1
  [author, agent, admin] = await Promise.all([signedIn(forum, { trustLevel: 1 }), signedIn(forum, { role: 'agent' }), signedIn(forum, { role: 'admin' })]);
  anonymous = new ApiClient(forum.app);
  const address = await forum.app.listen({ port: 0, host: '127.0.0.1' });
  wsUrl = `${address.replace('http', 'ws')}/ws`;
  await forum.app.realtime.ready;
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await forum?.close();
});

async function members(n: number): Promise<Signed[]> {
  const out: Signed[] = [];
  for (let i = 0; i < n; i += 10) out.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => signedIn(forum)))));
  return out;
}

describe('100 parallel ballots', () => {
  it('give exact totals and exactly 100 ballot rows', async () => {
    const poll = await newPoll(author.client, await newThread(author.client, 'polls'), { kind: 'multiple', options: ['Red', 'Green', 'Blue'] });
    const [red, green, blue] = poll.options.map((o) => o.id);
    const voters = await members(100);
    // Voter i picks Red; every second also Green; every fifth also Blue.
    const choicesOf = (i: number) => [red, ...(i % 2 === 0 ? [green] : []), ...(i % 5 === 0 ? [blue] : [])];
    const responses = await Promise.all(voters.map((v, i) => v.client.put(`/api/polls/${poll.id}/ballot`, { choices: choicesOf(i) })));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(100).fill(200));
    expect(await scalar(forum.db.db, sql`select count(*) from ballots where poll_id = ${poll.id}`)).toBe(100);
    const seen = (await anonymous.get(`/api/threads/${poll.threadId}/poll`)).json().poll as PollShape;
    expect(seen.ballotCount).toBe(100);
    expect(votesByLabel(seen)).toEqual({ Red: 100, Green: 50, Blue: 20 });
    // The last event written carries the final tally.
    const { rows } = await forum.db.db.execute<{ payload: { ballotCount: number } }>(
      sql`select payload from events where name = 'polls.ballot.cast' and (payload->>'pollId')::int = ${poll.id} order by id desc limit 1`,
    );
    expect(rows[0].payload.ballotCount).toBe(100);
  });

  it('keep one ballot per member, even when one member sends many at once', async () => {
    const poll = await newPoll(author.client, await newThread(author.client, 'polls'));
    const [voter] = await members(1);
    const responses = await Promise.all(poll.options.flatMap((o) => Array.from({ length: 10 }, () => voter.client.put(`/api/polls/${poll.id}/ballot`, { choices: [o.id] }))));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(30).fill(200));
    expect(await scalar(forum.db.db, sql`select count(*) from ballots where poll_id = ${poll.id}`)).toBe(1);
    // The database itself refuses a second row for the same member.
    await expect(
      forum.db.db.execute(sql`insert into ballots (poll_id, user_id, choices) values (${poll.id}, ${voter.actor.id}, ${`{${poll.options[0].id}}`}::int[])`),
    ).rejects.toThrow();
  });
});

describe('anonymous polls', () => {
  it('never reveal who voted for what, in any route, to any role, or in events', async () => {
    const threadId = await newThread(author.client, 'polls', 'A secret ballot about the roadmap');
    const poll = await newPoll(author.client, threadId, { anonymous: true, kind: 'ranked', options: ['Alpha', 'Beta', 'Gamma'] });
    const voters = await members(3);
    const bodies: string[] = [];
    const keep = (r: { statusCode: number; body: string }) => {
      expect(r.statusCode, r.body).toBeLessThan(300);
      bodies.push(r.body);
      return r;
    };
    const ids = poll.options.map((o) => o.id);
    keep(await voters[0].client.put(`/api/polls/${poll.id}/ballot`, { choices: [ids[0], ids[1]] }));
    keep(await voters[1].client.put(`/api/polls/${poll.id}/ballot`, { choices: [ids[2]] }));
    keep(await voters[2].client.put(`/api/polls/${poll.id}/ballot`, { choices: [ids[1]] }));
    keep(await voters[2].client.put(`/api/polls/${poll.id}/ballot`, { choices: [ids[0]] }));
    keep(await voters[1].client.delete(`/api/polls/${poll.id}/ballot`));
    keep(await voters[1].client.put(`/api/polls/${poll.id}/ballot`, { choices: [ids[2], ids[0]] }));
    keep(await agent.client.post(`/api/polls/${poll.id}/close`));
    for (const viewer of [anonymous, author.client, agent.client, admin.client, ...voters.map((v) => v.client)]) {
      keep(await viewer.get(`/api/threads/${threadId}/poll`));
      keep(await viewer.get(`/api/threads/${threadId}`));
    }
    keep(await admin.client.post(`/api/polls/${poll.id}/reopen`));
    const { rows } = await forum.db.db.execute<{ payload: unknown }>(sql`select payload from events where name like 'polls.%' and rooms @> array[${`thread:${threadId}`}]::text[]`);
    expect(rows.length).toBeGreaterThanOrEqual(7);
    bodies.push(...rows.map((r) => JSON.stringify(r.payload)));

    const final = JSON.parse(bodies[bodies.length - 1 - rows.length]).poll as PollShape;
    expect(final.ballotCount).toBe(3);
    expect(final.results!.options.map((o) => o.votes)).toEqual([2, 0, 1]);
    for (const body of bodies) {
      for (const v of voters) {
        expect(body).not.toContain(v.actor.handle);
        expect(body).not.toContain(v.actor.displayName);
      }
      expect(body).not.toMatch(/"voters"|"userId"|"user"/);
    }
    // Each voter still sees their own ballot, and nobody else's.
    const own = (await voters[0].client.get(`/api/threads/${threadId}/poll`)).json().poll;
    expect(own.myBallot).toEqual([ids[0], ids[1]]);
  });
});

describe('live updates', () => {
  it("push a ballot's event with the public tally to the thread's room", async () => {
    const threadId = await newThread(author.client, 'polls');
    const poll = await newPoll(author.client, threadId);
    const hidden = await newPoll(author.client, await newThread(author.client, 'polls'), { resultsVisibility: 'after_vote' });
    const socket = await LiveClient.connect(wsUrl);
    sockets.push(socket);
    await socket.subscribe(`thread:${threadId}`);
    await socket.subscribe(`thread:${hidden.threadId}`);
    const [voter] = await members(1);
    await voter.client.put(`/api/polls/${poll.id}/ballot`, { choices: [poll.options[1].id] });
    const event = await socket.event('polls.ballot.cast', `thread:${threadId}`);
    expect(event.data).toMatchObject({ pollId: poll.id, closed: false, ballotCount: 1 });
    expect(event.data.results.options.map((o: { votes: number }) => o.votes)).toEqual([0, 1, 0]);
    expect(event.data.results.options[1].voters.map((v: { handle: string }) => v.handle)).toEqual([voter.actor.handle]);

    await voter.client.put(`/api/polls/${hidden.id}/ballot`, { choices: [hidden.options[0].id] });
    const quiet = await socket.event('polls.ballot.cast', `thread:${hidden.threadId}`);
    expect(quiet.data).toEqual({ pollId: hidden.id, closed: false, ballotCount: 1, results: null });

    await agent.client.post(`/api/polls/${poll.id}/close`);
    const closed = await socket.event('polls.poll.updated', `thread:${threadId}`);
    expect(closed.data).toMatchObject({ pollId: poll.id, closed: true });
    expectError(await voter.client.put(`/api/polls/${poll.id}/ballot`, { choices: [poll.options[0].id] }), 409, 'poll_closed');
  });
});
