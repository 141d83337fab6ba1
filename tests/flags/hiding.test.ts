import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Actor } from '@forum/core';
import { startForum, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory } from '../support/factories.js';
import { expectError, scalar, signedIn } from '../support/api.js';
import { LiveClient } from '../support/ws.js';

// Flags past the category's threshold hide the post on the forum: readers keep its place but
// not its text, its author and staff still read it, search forgets it, and open pages hear of it.

type Signed = { actor: Actor; client: ApiClient };

let forum: TestForum;
let author: Signed;
let agent: Signed;
let reader: Signed;
let anonymous: ApiClient;
let wsUrl: string;

beforeAll(async () => {
  forum = await startForum();
  await createCategory(forum.db.db, { slug: 'hide-help' });
  [author, agent, reader] = await Promise.all([signedIn(forum, { trustLevel: 1 }), signedIn(forum, { role: 'agent' }), signedIn(forum, { trustLevel: 1 })]);
  anonymous = new ApiClient(forum.app);
  const address = await forum.app.listen({ port: 0, host: '127.0.0.1' });
  await forum.app.realtime.ready;
  wsUrl = `${address.replace('http', 'ws')}/ws`;
});
afterAll(async () => forum?.close());

/** A thread with a reply by `author`; the reply's text carries a word to search for. */
async function threadWithReply(word: string) {
  const thread = await agent.client.post('/api/threads', { category: 'hide-help', kind: 'discussion', title: `Printer trouble ${word}`, body: 'It jams on page two.' });
  expect(thread.statusCode, thread.body).toBe(201);
  const threadId = thread.json().thread.id as number;
  const reply = await author.client.post(`/api/threads/${threadId}/posts`, { body: `Buy ${word} toner from my shop` });
  expect(reply.statusCode, reply.body).toBe(201);
  return { threadId, postId: reply.json().post.id as number };
}

const flag = (client: ApiClient, postId: number, reason = 'spam') => client.post(`/api/posts/${postId}/flags`, { reason });

async function flagWith(postId: number, trustLevels: number[], reason = 'spam') {
  for (const trustLevel of trustLevels) {
    const flagger = await signedIn(forum, { trustLevel });
    const response = await flag(flagger.client, postId, reason);
    expect(response.statusCode, response.body).toBe(201);
  }
}

async function postAs(client: ApiClient, threadId: number, postId: number) {
  const response = await client.get(`/api/threads/${threadId}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().posts.find((p: { id: number }) => p.id === postId);
}

const searchIds = async (q: string) =>
  (await anonymous.get(`/api/search?q=${encodeURIComponent(q)}`)).json().results.map((r: { thread: { id: number } }) => r.thread.id);

describe('the threshold', () => {
  it('hides a post once its open flags weigh the threshold: two level-0 flags (1 each) do not reach 3, a third does', async () => {
    const { threadId, postId } = await threadWithReply('zanzibarite');
    await flagWith(postId, [0, 0]);
    expect(await postAs(reader.client, threadId, postId)).toMatchObject({ hidden: false, bodyHtml: expect.stringContaining('zanzibarite') });

    await flagWith(postId, [0]);
    expect(await postAs(reader.client, threadId, postId)).toMatchObject({ hidden: true, bodyHtml: '', bodyMarkdown: '', position: 2 });
    expect(await scalar(forum.db.db, sql`select count(*) from posts where id = ${postId} and hidden_at is not null and hidden_reason = 'flags'`)).toBe(1);
  });

  it('weighs a level-2 flag as 2: with one level-0 flag it reaches 3', async () => {
    const { threadId, postId } = await threadWithReply('quokkastone');
    await flagWith(postId, [2]);
    expect((await postAs(anonymous, threadId, postId)).hidden).toBe(false);
    await flagWith(postId, [0]);
    expect((await postAs(anonymous, threadId, postId)).hidden).toBe(true);
  });

  it('does not count "needs staff" flags toward hiding: they ask for help, not removal', async () => {
    const { threadId, postId } = await threadWithReply('marmotide');
    await flagWith(postId, [2, 2], 'needs_staff');
    expect(await postAs(anonymous, threadId, postId)).toMatchObject({ hidden: false, bodyHtml: expect.stringContaining('marmotide') });
  });
});

describe('a hidden post', () => {
  it('keeps its place for visitors and other members but not its text; its author and staff still read it', async () => {
    const { threadId, postId } = await threadWithReply('wombatine');
    await flagWith(postId, [0, 0, 0]);

    for (const client of [anonymous, reader.client]) {
      const post = await postAs(client, threadId, postId);
      expect(post).toMatchObject({ id: postId, position: 2, hidden: true, deleted: false, bodyHtml: '', bodyMarkdown: '', abilities: { vote: false } });
    }
    for (const client of [author.client, agent.client]) {
      expect(await postAs(client, threadId, postId)).toMatchObject({ hidden: true, bodyMarkdown: 'Buy wombatine toner from my shop' });
    }
    // its earlier text is as private as its text, and it takes no votes
    expectError(await reader.client.get(`/api/posts/${postId}/revisions`), 404, 'post_not_found');
    expect((await author.client.get(`/api/posts/${postId}/revisions`)).statusCode).toBe(200);
    expectError(await reader.client.put(`/api/posts/${postId}/vote`, { value: 1 }), 409, 'post_hidden');
  });

  it('drops out of search, also out of the snippet of its thread’s title match', async () => {
    const { threadId, postId } = await threadWithReply('capybarium');
    expect(await searchIds('capybarium')).toContain(threadId);
    await flagWith(postId, [0, 0, 0]);
    // the title carries the word too, so the thread is still found, but not through the post
    const response = await anonymous.get('/api/search?q=capybarium');
    const hit = response.json().results.find((r: { thread: { id: number } }) => r.thread.id === threadId);
    expect(hit.snippet).not.toContain('toner');
    expect(await scalar(forum.db.db, sql`select count(*) from post_search where post_id = ${postId}`)).toBe(0);
  });

  it('hides only the body of an opening post: the thread, its title and its replies stay', async () => {
    const thread = await author.client.post('/api/threads', { category: 'hide-help', kind: 'discussion', title: 'Selling licences cheap', body: 'DM me for ocelotium deals' });
    const threadId = thread.json().thread.id as number;
    const openingId = thread.json().post.id as number;
    expect((await reader.client.post(`/api/threads/${threadId}/posts`, { body: 'This looks like spam.' })).statusCode).toBe(201);
    await flagWith(openingId, [0, 0, 0]);

    const page = (await anonymous.get(`/api/threads/${threadId}`)).json();
    expect(page.thread.title).toBe('Selling licences cheap');
    expect(page.posts.map((p: { position: number; hidden: boolean; bodyMarkdown: string }) => [p.position, p.hidden, p.bodyMarkdown])).toEqual([
      [1, true, ''],
      [2, false, 'This looks like spam.'],
    ]);
    expect(await searchIds('ocelotium')).not.toContain(threadId);
  });

  it('disappears live: forum.post.hidden reaches sockets on the thread’s room, without its text', async () => {
    const { threadId, postId } = await threadWithReply('lemurite');
    const socket = await LiveClient.connect(wsUrl);
    try {
      await socket.subscribe(`thread:${threadId}`);
      await flagWith(postId, [0, 0, 0]);
      const event = await socket.event('forum.post.hidden', `thread:${threadId}`);
      expect(event.data).toEqual({ postId, threadId });
      // the reply's own creation event may still be on its way when the socket subscribes (it
      // carries the text, rightly: the post was visible then); nothing from the hiding on may
      const from = socket.received.findIndex((m) => m.type === 'event' && m.name === 'forum.post.hidden');
      expect(from).toBeGreaterThanOrEqual(0);
      expect(JSON.stringify(socket.received.slice(from))).not.toContain('lemurite');
    } finally {
      socket.close();
    }
  });
});
