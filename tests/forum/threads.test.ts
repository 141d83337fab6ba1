import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Actor } from '@forum/core';
import { startForum, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory, createReply, createThread } from '../support/factories.js';
import { expectError, scalar, settleJobs, signedIn, tableCounts } from '../support/api.js';

let forum: TestForum;
let author: { actor: Actor; client: ApiClient };
let stranger: { actor: Actor; client: ApiClient };
let agent: { actor: Actor; client: ApiClient };
let anonymous: ApiClient;

beforeAll(async () => {
  forum = await startForum();
  await createCategory(forum.db.db, { slug: 'help', tags: ['setup', 'billing', 'api', 'sso', 'mobile', 'webhooks', 'doomed'] });
  await createCategory(forum.db.db, { slug: 'other' });
  author = await signedIn(forum);
  stranger = await signedIn(forum);
  agent = await signedIn(forum, { role: 'agent' });
  anonymous = new ApiClient(forum.app, '10.0.0.99');
});
afterAll(async () => forum?.close());

const ask = (client: ApiClient, overrides: Record<string, unknown> = {}) =>
  client.post('/api/threads', { category: 'help', kind: 'question', title: 'How do I set up SSO?', body: 'Where is the **setting**?', tags: ['sso'], ...overrides });

async function newThread(overrides: Record<string, unknown> = {}) {
  const response = await ask(author.client, overrides);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { thread: { id: number }; post: { id: number } };
}

const fetchThread = async (id: number, client: ApiClient = anonymous) => client.get(`/api/threads/${id}`);

describe('POST /api/threads', () => {
  it('creates a question with its opening post and answers 201', async () => {
    const response = await ask(author.client, { tags: ['sso', 'setup'] });
    expect(response.statusCode, response.body).toBe(201);
    const { thread, post } = response.json();
    expect(thread).toMatchObject({
      title: 'How do I set up SSO?',
      kind: 'question',
      status: 'open',
      category: { slug: 'help', name: 'Category help' },
      tags: ['setup', 'sso'],
      author: { id: author.actor.id, handle: author.actor.handle, role: 'member', staff: false },
      replyCount: 0,
      score: 0,
      acceptedPostId: null,
      abilities: { reply: true, edit: true, delete: true, accept: true, close: true, reopen: false, vote: true },
    });
    expect(post).toMatchObject({
      threadId: thread.id,
      position: 1,
      bodyMarkdown: 'Where is the **setting**?',
      bodyHtml: '<p>Where is the <strong>setting</strong>?</p>\n',
      deleted: false,
      accepted: false,
      revisionCount: 0,
      editedAt: null,
      myVote: 0,
      abilities: { edit: true, delete: true, vote: false, accept: false },
    });

    const read = (await fetchThread(thread.id)).json();
    expect(read.thread.title).toBe('How do I set up SSO?');
    expect(read.posts.map((p: { id: number }) => p.id)).toEqual([post.id]);
  });

  it('records a forum.thread.created event for the latest list', async () => {
    const { thread } = await newThread({ title: 'Event check question' });
    const { rows } = await forum.db.db.execute<{ name: string; rooms: string[]; payload: { thread: { id: number } } }>(
      sql`select name, rooms, payload from events where name = 'forum.thread.created' and (payload->'thread'->>'id')::int = ${thread.id}`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].rooms).toContain('latest');
  });

  it('starts a discussion, which has no accept ability', async () => {
    const response = await ask(author.client, { kind: 'discussion', title: 'Show us your dashboards' });
    expect(response.statusCode).toBe(201);
    expect(response.json().thread).toMatchObject({ kind: 'discussion', abilities: { accept: false } });
  });

  it('tidies the title and ignores repeated tags', async () => {
    const { thread } = await newThread({ title: '   Spaces   everywhere   here  ', tags: ['sso', 'sso', 'api'] });
    const read = (await fetchThread(thread.id)).json().thread;
    expect(read.title).toBe('Spaces everywhere here');
    expect(read.tags).toEqual(['api', 'sso']);
  });

  it('needs a session: 401 unauthenticated', async () => {
    expectError(await ask(anonymous), 401, 'unauthenticated');
  });

  const bad: Array<[string, Record<string, unknown>, number, string, string]> = [
    ['an unknown category', { category: 'nope' }, 400, 'invalid', 'category'],
    ['an unknown tag', { tags: ['sso', 'no-such-tag'] }, 400, 'invalid', 'tags'],
    ['more than 5 tags', { tags: ['setup', 'billing', 'api', 'sso', 'mobile', 'webhooks'] }, 400, 'invalid_request', 'tags'],
    ['a tag that is not a slug', { tags: ['Not A Slug'] }, 400, 'invalid_request', 'tags.0'],
    ['a title under 5 characters', { title: 'Help' }, 400, 'invalid_request', 'title'],
    ['a title of spaces around 4 characters', { title: '   Help    ' }, 400, 'invalid', 'title'],
    ['a title over 200 characters', { title: 'x'.repeat(201) }, 400, 'invalid_request', 'title'],
    ['an empty body', { body: '' }, 400, 'invalid_request', 'body'],
    ['a body of whitespace', { body: '   \n  ' }, 400, 'invalid', 'body'],
    ['a body over 20000 characters', { body: 'x'.repeat(20_001) }, 400, 'invalid_request', 'body'],
    ['an unknown kind', { kind: 'poll' }, 400, 'invalid_request', 'kind'],
    ['a missing title', { title: undefined }, 400, 'invalid_request', 'title'],
    ['a missing category', { category: undefined }, 400, 'invalid_request', 'category'],
    ['an extra field', { pinned: true }, 400, 'invalid_request', 'pinned'],
  ];
  for (const [name, overrides, status, code, field] of bad) {
    it(`refuses ${name} (${status} ${code}, field "${field}") and writes nothing`, async () => {
      const before = await tableCounts(forum.db.db);
      const body = Object.fromEntries(
        Object.entries({ category: 'help', kind: 'question', title: 'A valid title', body: 'A valid body', tags: [], ...overrides }).filter(([, v]) => v !== undefined),
      );
      const error = expectError(await author.client.post('/api/threads', body), status, code, [field]);
      expect(error.fields![field]).toBeTruthy();
      expect(await tableCounts(forum.db.db)).toEqual(before);
    });
  }

  it('names the allowed values when a field is not one of them', async () => {
    const response = await author.client.post('/api/threads', { category: 'help', kind: 'poll', title: 'A valid title', body: 'A valid body' });
    expect(expectError(response, 400, 'invalid_request', ['kind']).fields).toEqual({ kind: 'must be one of: question, discussion' });
  });

  it('accepts exactly 5 tags, a 200-character title and a 20000-character body', async () => {
    const response = await ask(author.client, {
      title: 't'.repeat(200),
      body: 'b'.repeat(20_000),
      tags: ['setup', 'billing', 'api', 'sso', 'mobile'],
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().thread.tags).toHaveLength(5);
  });
});

describe('GET /api/threads/:id', () => {
  let threadId: number;
  let replyIds: number[];

  beforeAll(async () => {
    const created = await createThread(forum.db.db, author.actor, { category: 'help', title: 'A long thread to page through' });
    threadId = created.thread.id;
    replyIds = [];
    for (let i = 1; i <= 24; i++) replyIds.push((await createReply(forum.db.db, i % 2 ? stranger.actor : agent.actor, threadId, `Reply number ${i}`)).id);
  });

  it('returns the thread and the first 20 posts in order, with a cursor to the rest', async () => {
    const response = await fetchThread(threadId);
    expect(response.statusCode).toBe(200);
    const page = response.json();
    expect(page.thread).toMatchObject({ id: threadId, replyCount: 24 });
    expect(page.posts.map((p: { position: number }) => p.position)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it('walks every post exactly once with nextCursor', async () => {
    for (const limit of [7, 25, 50]) {
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor ? `?limit=${limit}&cursor=${cursor}` : `?limit=${limit}`;
        const page = (await anonymous.get(`/api/threads/${threadId}${query}`)).json();
        expect(page.posts.length).toBeLessThanOrEqual(limit);
        seen.push(...page.posts.map((p: { position: number }) => p.position));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      expect(pages).toBe(Math.ceil(25 / limit));
    }
  });

  it('ends with a null cursor when the last page is exactly full', async () => {
    const page = (await anonymous.get(`/api/threads/${threadId}?limit=25`)).json();
    expect(page.posts).toHaveLength(25);
    expect(page.nextCursor).toBeNull();
  });

  it('shows abilities for the viewer: none for anonymous, edit for your own post, vote for others', async () => {
    const anon = (await fetchThread(threadId)).json();
    expect(anon.thread.abilities).toEqual({ reply: false, edit: false, delete: false, accept: false, close: false, reopen: false, vote: false });
    expect(anon.posts[1].abilities).toEqual({ edit: false, delete: false, vote: false, accept: false });

    const mine = (await fetchThread(threadId, stranger.client)).json();
    const ownReply = mine.posts.find((p: { author: { id: number } }) => p.author.id === stranger.actor.id);
    const agentReply = mine.posts.find((p: { author: { id: number } }) => p.author.id === agent.actor.id);
    expect(ownReply.abilities).toEqual({ edit: true, delete: true, vote: false, accept: false });
    expect(agentReply.abilities).toEqual({ edit: false, delete: false, vote: true, accept: false });
    expect(agentReply.author).toMatchObject({ role: 'agent', staff: true });
    expect(mine.thread.abilities).toMatchObject({ reply: true, edit: false, close: false, accept: false, vote: true });

    const asAuthor = (await fetchThread(threadId, author.client)).json();
    expect(asAuthor.posts[0].abilities.accept).toBe(false);
    expect(asAuthor.posts[1].abilities.accept).toBe(true);
  });

  it('answers 404 thread_not_found for an id nobody has', async () => {
    expectError(await fetchThread(999_999), 404, 'thread_not_found');
  });
});

describe('PATCH /api/threads/:id', () => {
  it('lets the author retitle and retag, keeping the old title as a revision', async () => {
    const { thread, post } = await newThread({ title: 'Original title here', tags: ['sso'] });
    const response = await author.client.patch(`/api/threads/${thread.id}`, { title: 'Better title here', tags: ['api', 'setup'] });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().thread).toMatchObject({ id: thread.id, title: 'Better title here', tags: ['api', 'setup'] });

    const read = (await fetchThread(thread.id)).json();
    expect(read.thread).toMatchObject({ title: 'Better title here', tags: ['api', 'setup'] });
    expect(read.posts[0]).toMatchObject({ revisionCount: 1, editedAt: expect.any(String) });
    const revisions = (await anonymous.get(`/api/posts/${post.id}/revisions`)).json().revisions;
    expect(revisions).toEqual([
      expect.objectContaining({ revision: 1, title: 'Original title here', bodyMarkdown: 'Where is the **setting**?', editor: expect.objectContaining({ id: author.actor.id }) }),
    ]);
  });

  it('changes only what is sent: tags alone keep the title, and [] clears the tags', async () => {
    const { thread } = await newThread({ title: 'Keep this title', tags: ['sso'] });
    await author.client.patch(`/api/threads/${thread.id}`, { tags: [] });
    const read = (await fetchThread(thread.id)).json();
    expect(read.thread).toMatchObject({ title: 'Keep this title', tags: [] });
    expect(read.posts[0].revisionCount).toBe(0);
  });

  it('keeps no revision when the title does not change', async () => {
    const { thread } = await newThread({ title: 'Same title as before' });
    expect((await author.client.patch(`/api/threads/${thread.id}`, { title: 'Same title as before' })).statusCode).toBe(200);
    expect((await fetchThread(thread.id)).json().posts[0].revisionCount).toBe(0);
  });

  it('lets staff edit any thread', async () => {
    const { thread } = await newThread();
    const response = await agent.client.patch(`/api/threads/${thread.id}`, { title: 'Retitled by support' });
    expect(response.statusCode).toBe(200);
    expect((await fetchThread(thread.id)).json().thread.title).toBe('Retitled by support');
  });

  it('refuses other members with 403 and anonymous visitors with 401, changing nothing', async () => {
    const { thread } = await newThread({ title: 'Not yours to edit' });
    expectError(await stranger.client.patch(`/api/threads/${thread.id}`, { title: 'Hijacked title' }), 403, 'forbidden');
    expectError(await anonymous.patch(`/api/threads/${thread.id}`, { title: 'Hijacked title' }), 401, 'unauthenticated');
    expect((await fetchThread(thread.id)).json().thread.title).toBe('Not yours to edit');
  });

  it('validates like creation, and a failure half-way leaves the thread as it was', async () => {
    const { thread, post } = await newThread({ title: 'Atomic edit check', tags: ['sso'] });
    await settleJobs(forum); // jobs of earlier requests may still be writing their events
    const before = await tableCounts(forum.db.db);
    expectError(await author.client.patch(`/api/threads/${thread.id}`, { title: 'Renamed title', tags: ['no-such-tag'] }), 400, 'invalid', ['tags']);
    expectError(await author.client.patch(`/api/threads/${thread.id}`, { title: 'Shrt' }), 400, 'invalid_request', ['title']);
    expectError(await author.client.patch(`/api/threads/${thread.id}`, { tags: ['a', 'b', 'c', 'd', 'e', 'f'] }), 400, 'invalid_request', ['tags']);
    expectError(await author.client.patch(`/api/threads/${thread.id}`, {}), 400, 'invalid_request');
    expectError(await author.client.patch(`/api/threads/${thread.id}`, { category: 'other' }), 400, 'invalid_request', ['category']);
    const read = (await fetchThread(thread.id)).json();
    expect(read.thread).toMatchObject({ title: 'Atomic edit check', tags: ['sso'] });
    expect(read.posts[0].revisionCount).toBe(0);
    expect((await anonymous.get(`/api/posts/${post.id}/revisions`)).json().revisions).toEqual([]);
    expect(await tableCounts(forum.db.db)).toEqual(before);
  });

  it('refuses the author once the thread is closed, but not staff', async () => {
    const { thread } = await newThread();
    await author.client.post(`/api/threads/${thread.id}/close`);
    expectError(await author.client.patch(`/api/threads/${thread.id}`, { title: 'Edited after closing' }), 403, 'forbidden');
    expect((await agent.client.patch(`/api/threads/${thread.id}`, { title: 'Edited by staff after closing' })).statusCode).toBe(200);
  });

  it('answers 404 for a thread that does not exist', async () => {
    expectError(await author.client.patch('/api/threads/999999', { title: 'Nothing here' }), 404, 'thread_not_found');
  });
});

describe('POST /api/threads/:id/close and /reopen', () => {
  it('closes a thread: replies are refused with 409 thread_closed and nothing is written', async () => {
    const { thread } = await newThread();
    const closed = await author.client.post(`/api/threads/${thread.id}/close`);
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json().thread).toMatchObject({ status: 'closed', abilities: { reply: false, close: false, reopen: true } });

    const before = await tableCounts(forum.db.db);
    expectError(await stranger.client.post(`/api/threads/${thread.id}/posts`, { body: 'Too late?' }), 409, 'thread_closed');
    expectError(await agent.client.post(`/api/threads/${thread.id}/posts`, { body: 'Even staff?' }), 409, 'thread_closed');
    expect(await tableCounts(forum.db.db)).toEqual(before);
    expect((await fetchThread(thread.id)).json().thread).toMatchObject({ status: 'closed', replyCount: 0 });
  });

  it('reopens a thread in the status it had before closing', async () => {
    const { thread } = await newThread();
    await createReply(forum.db.db, stranger.actor, thread.id);
    expect((await fetchThread(thread.id)).json().thread.status).toBe('answered');
    await author.client.post(`/api/threads/${thread.id}/close`);
    const reopened = await author.client.post(`/api/threads/${thread.id}/reopen`);
    expect(reopened.statusCode).toBe(200);
    expect(reopened.json().thread).toMatchObject({ status: 'answered', abilities: { reply: true, reopen: false, close: true } });
    expect((await stranger.client.post(`/api/threads/${thread.id}/posts`, { body: 'Open again' })).statusCode).toBe(201);
  });

  it('lets staff close and reopen any thread', async () => {
    const { thread } = await newThread();
    expect((await agent.client.post(`/api/threads/${thread.id}/close`)).json().thread.status).toBe('closed');
    expect((await agent.client.post(`/api/threads/${thread.id}/reopen`)).json().thread.status).toBe('open');
  });

  it('refuses other members (403) and anonymous visitors (401)', async () => {
    const { thread } = await newThread();
    expectError(await stranger.client.post(`/api/threads/${thread.id}/close`), 403, 'forbidden');
    expectError(await anonymous.post(`/api/threads/${thread.id}/close`), 401, 'unauthenticated');
    await author.client.post(`/api/threads/${thread.id}/close`);
    expectError(await stranger.client.post(`/api/threads/${thread.id}/reopen`), 403, 'forbidden');
    expectError(await anonymous.post(`/api/threads/${thread.id}/reopen`), 401, 'unauthenticated');
    expect((await fetchThread(thread.id)).json().thread.status).toBe('closed');
  });

  it('answers 409 for closing a closed thread or reopening an open one', async () => {
    const { thread } = await newThread();
    expectError(await author.client.post(`/api/threads/${thread.id}/reopen`), 409, 'thread_not_closed');
    await author.client.post(`/api/threads/${thread.id}/close`);
    expectError(await author.client.post(`/api/threads/${thread.id}/close`), 409, 'thread_closed');
  });
});

describe('DELETE /api/threads/:id', () => {
  it('soft-deletes: 204, then 404 for the thread, its posts and its revisions, and gone from every list', async () => {
    const { thread, post } = await newThread({ title: 'A thread to delete soon', tags: ['doomed'] });
    const reply = await createReply(forum.db.db, stranger.actor, thread.id);
    const doomedCount = async () => (await anonymous.get('/api/tags')).json().tags.find((t: { slug: string }) => t.slug === 'doomed').threadCount;
    expect(await doomedCount()).toBe(1);
    expect((await anonymous.get('/api/threads')).json().threads[0].id).toBe(thread.id);
    const response = await author.client.delete(`/api/threads/${thread.id}`);
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');

    expectError(await fetchThread(thread.id), 404, 'thread_not_found');
    expectError(await anonymous.get(`/api/posts/${post.id}/revisions`), 404, 'post_not_found');
    expectError(await stranger.client.post(`/api/threads/${thread.id}/posts`, { body: 'Anyone?' }), 404, 'thread_not_found');
    expectError(await author.client.put(`/api/posts/${reply.id}/vote`, { value: 1 }), 404, 'post_not_found');
    expectError(await stranger.client.patch(`/api/posts/${reply.id}`, { body: 'Edited' }), 404, 'post_not_found');
    expectError(await author.client.delete(`/api/threads/${thread.id}`), 404, 'thread_not_found');

    for (const url of ['/api/threads', '/api/threads?list=unanswered', '/api/threads?category=help&limit=50', '/api/threads?tag=doomed']) {
      const ids = (await anonymous.get(url)).json().threads.map((t: { id: number }) => t.id);
      expect(ids, url).not.toContain(thread.id);
    }
    expect(await doomedCount()).toBe(0);
    expect((await anonymous.get(`/api/users/${author.actor.handle}`)).json().threads.map((t: { id: number }) => t.id)).not.toContain(thread.id);

    // Soft: the rows are still there for moderators.
    expect(await scalar(forum.db.db, sql`select count(*) from threads where id = ${thread.id} and deleted_at is not null`)).toBe(1);
    expect(await scalar(forum.db.db, sql`select count(*) from posts where thread_id = ${thread.id}`)).toBe(2);
  });

  it('lets staff delete any thread', async () => {
    const { thread } = await newThread();
    expect((await agent.client.delete(`/api/threads/${thread.id}`)).statusCode).toBe(204);
    expectError(await fetchThread(thread.id), 404, 'thread_not_found');
  });

  it('refuses other members (403) and anonymous visitors (401), keeping the thread', async () => {
    const { thread } = await newThread();
    expectError(await stranger.client.delete(`/api/threads/${thread.id}`), 403, 'forbidden');
    expectError(await anonymous.delete(`/api/threads/${thread.id}`), 401, 'unauthenticated');
    expect((await fetchThread(thread.id)).statusCode).toBe(200);
  });

  it('deleting the opening post deletes the thread', async () => {
    const { thread, post } = await newThread();
    expect((await author.client.delete(`/api/posts/${post.id}`)).statusCode).toBe(204);
    expectError(await fetchThread(thread.id), 404, 'thread_not_found');
  });
});
