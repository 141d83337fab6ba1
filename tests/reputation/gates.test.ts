import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@forum/core';
import { startForum, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory } from '../support/factories.js';
import { expectError, settleJobs, signedIn, tableCounts } from '../support/api.js';
import { moderationCounts } from './support.js';

// What trust levels and silences allow, through the HTTP API.

type Signed = { actor: Actor; client: ApiClient };

let forum: TestForum;
let author: Signed;
let agent: Signed;
let anonymous: ApiClient;

beforeAll(async () => {
  forum = await startForum();
  await createCategory(forum.db.db, { slug: 'help', tags: ['sso', 'billing'] });
  [author, agent] = await Promise.all([signedIn(forum, { trustLevel: 1 }), signedIn(forum, { role: 'agent' })]);
  anonymous = new ApiClient(forum.app);
});
afterAll(async () => forum?.close());

async function newThread(client: ApiClient, overrides: Record<string, unknown> = {}) {
  const response = await client.post('/api/threads', { category: 'help', kind: 'question', title: 'How do I set up SSO?', body: 'Where is the setting?', tags: ['sso'], ...overrides });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { thread: { id: number }; post: { id: number } };
}

async function newPoll(threadId: number) {
  const response = await author.client.post(`/api/threads/${threadId}/poll`, { question: 'Which IdP?', kind: 'single', options: ['Okta', 'Entra'] });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().poll as { id: number; options: Array<{ id: number }> };
}

const inAnHour = () => new Date(forum.clock.now().getTime() + 3_600_000).toISOString();

describe('a silenced member', () => {
  it('cannot vote, reply, start a thread, flag or cast a ballot (403 member_silenced), and nothing is written', async () => {
    const target = await signedIn(forum, { trustLevel: 2 });
    const { thread, post } = await newThread(author.client);
    const poll = await newPoll(thread.id);
    const silenced = await agent.client.post(`/api/users/${target.actor.handle}/silence`, { until: inAnHour(), reason: 'Heated replies, take a break' });
    expect(silenced.statusCode, silenced.body).toBe(200);
    expect(silenced.json().member).toMatchObject({ handle: target.actor.handle, silencedUntil: inAnHour() });
    await settleJobs(forum);
    const before = { ...(await tableCounts(forum.db.db)), ...(await moderationCounts(forum.db.db)) };

    const refusals = [
      await target.client.put(`/api/posts/${post.id}/vote`, { value: 1 }),
      await target.client.post(`/api/threads/${thread.id}/posts`, { body: 'I still have something to say.' }),
      await target.client.post('/api/threads', { category: 'help', kind: 'discussion', title: 'A new rant thread', body: 'Listen to me.' }),
      await target.client.post(`/api/posts/${post.id}/flags`, { reason: 'spam' }),
      await target.client.put(`/api/polls/${poll.id}/ballot`, { choices: [poll.options[0].id] }),
    ];
    for (const response of refusals) {
      const error = expectError(response, 403, 'member_silenced');
      expect(error.message).toMatch(/silenced/);
    }
    expect({ ...(await tableCounts(forum.db.db)), ...(await moderationCounts(forum.db.db)) }).toEqual(before);

    // they still read, and the thread page offers them no reply or vote buttons
    const page = (await target.client.get(`/api/threads/${thread.id}`)).json();
    expect(page.thread.abilities).toMatchObject({ reply: false, vote: false });
    expect(page.posts[0].abilities.vote).toBe(false);
    expect((await target.client.get('/api/session')).json().user).toMatchObject({ silenced: true });

    // once staff lift it, they can take part again
    expect((await agent.client.delete(`/api/users/${target.actor.handle}/silence`)).statusCode).toBe(200);
    expect((await target.client.post(`/api/threads/${thread.id}/posts`, { body: 'Sorry about earlier.' })).statusCode).toBe(201);
  });

  it('is free again when the silence runs out', async () => {
    const target = await signedIn(forum, { trustLevel: 1 });
    const { thread } = await newThread(author.client);
    await agent.client.post(`/api/users/${target.actor.handle}/silence`, { until: inAnHour(), reason: 'One hour out' });
    expectError(await target.client.post(`/api/threads/${thread.id}/posts`, { body: 'Too soon.' }), 403, 'member_silenced');
    forum.clock.advance(61);
    expect((await target.client.post(`/api/threads/${thread.id}/posts`, { body: 'Back again.' })).statusCode).toBe(201);
  });
});

describe('links from new members', () => {
  const links = (n: number) => Array.from({ length: n }, (_, i) => `[docs ${i}](https://docs.example.com/page-${i})`).join(' and ');

  it('level 0: a third link is refused with 400 naming body, on threads, replies and edits', async () => {
    const newcomer = await signedIn(forum);
    const { thread } = await newThread(author.client);
    const before = await tableCounts(forum.db.db);
    for (const response of [
      await newcomer.client.post('/api/threads', { category: 'help', kind: 'question', title: 'Three links here', body: links(3) }),
      await newcomer.client.post(`/api/threads/${thread.id}/posts`, { body: `${links(2)} and https://bare.example.com/also-counts` }),
    ]) {
      const error = expectError(response, 400, 'invalid', ['body']);
      expect(error.fields!.body).toMatch(/at most 2 links/);
    }
    expect(await tableCounts(forum.db.db)).toEqual(before);

    const ok = await newcomer.client.post(`/api/threads/${thread.id}/posts`, { body: links(2) });
    expect(ok.statusCode, ok.body).toBe(201);
    expectError(await newcomer.client.patch(`/api/posts/${ok.json().post.id}`, { body: links(3) }), 400, 'invalid', ['body']);
  });

  it('level 1 and staff may post more links', async () => {
    const regular = await signedIn(forum, { trustLevel: 1 });
    const { thread } = await newThread(regular.client, { body: links(5) });
    expect((await agent.client.post(`/api/threads/${thread.id}/posts`, { body: links(4) })).statusCode).toBe(201);
  });
});

describe('retitling and retagging other members’ threads', () => {
  it('is allowed from trust level 3; level 2 gets 403 and the thread stays as it was', async () => {
    const [regular, member] = await Promise.all([signedIn(forum, { trustLevel: 3 }), signedIn(forum, { trustLevel: 2 })]);
    const { thread } = await newThread(author.client, { title: 'sso wont work???' });

    expectError(await member.client.patch(`/api/threads/${thread.id}`, { title: 'Member retitle attempt' }), 403, 'forbidden');
    expect((await anonymous.get(`/api/threads/${thread.id}`)).json().thread).toMatchObject({ title: 'sso wont work???', tags: ['sso'] });

    const response = await regular.client.patch(`/api/threads/${thread.id}`, { title: 'SSO sign-in fails after setup', tags: ['sso', 'billing'] });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().thread).toMatchObject({ title: 'SSO sign-in fails after setup', tags: ['billing', 'sso'], abilities: { edit: true } });
    // the old title is kept in the opening post's revisions, with the regular as editor
    const revisions = (await anonymous.get(`/api/posts/${(await anonymous.get(`/api/threads/${thread.id}`)).json().posts[0].id}/revisions`)).json().revisions;
    expect(revisions[0]).toMatchObject({ title: 'sso wont work???', editor: { id: regular.actor.id } });
  });

  it('does not let a regular edit the body of someone else’s post', async () => {
    const regular = await signedIn(forum, { trustLevel: 3 });
    const { post } = await newThread(author.client);
    expectError(await regular.client.patch(`/api/posts/${post.id}`, { body: 'Rewritten by someone else' }), 403, 'forbidden');
  });
});

describe('polls', () => {
  it('need trust level 1: a level-0 author gets 403 saying so; level 1 may', async () => {
    const newcomer = await signedIn(forum);
    const { thread } = await newThread(newcomer.client, { kind: 'discussion' });
    const error = expectError(
      await newcomer.client.post(`/api/threads/${thread.id}/poll`, { question: 'Which one?', kind: 'single', options: ['a', 'b'] }),
      403,
      'forbidden',
    );
    expect(error.message).toMatch(/trust level 0/);
    expect((await newcomer.client.get(`/api/threads/${thread.id}/poll`)).json().poll).toBeNull();

    const { thread: other } = await newThread(author.client, { kind: 'discussion' });
    await newPoll(other.id);
  });
});
