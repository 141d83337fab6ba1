import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { moderation, type Actor } from '@forum/core';
import { startForum, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory, ctxFor } from '../support/factories.js';
import { expectError, rawRequest, scalar, settleJobs, signedIn } from '../support/api.js';
import { eventsNamed } from './support.js';

// First posts held for approval in categories that ask for it.

type Signed = { actor: Actor; client: ApiClient };

let forum: TestForum;
let regular: Signed;
let agent: Signed;
let bystander: Signed;
let anonymous: ApiClient;

beforeAll(async () => {
  forum = await startForum();
  await createCategory(forum.db.db, { slug: 'vetted', tags: ['sso'] });
  await createCategory(forum.db.db, { slug: 'open' });
  await forum.db.db.execute(sql`update categories set hold_first_posts = true where slug = 'vetted'`);
  [regular, agent, bystander] = await Promise.all([signedIn(forum, { trustLevel: 1 }), signedIn(forum, { role: 'agent' }), signedIn(forum, { trustLevel: 1 })]);
  anonymous = new ApiClient(forum.app);
});
afterAll(async () => forum?.close());

const ask = (client: ApiClient, overrides: Record<string, unknown> = {}) =>
  client.post('/api/threads', { category: 'vetted', kind: 'question', title: 'Quokkasetup fails on login', body: 'The quokkasetup wizard stops at step two.', tags: ['sso'], ...overrides });

async function created(response: Awaited<ReturnType<ApiClient['post']>>) {
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

const listed = async (client: ApiClient, query = '') =>
  ((await client.get(`/api/threads${query}`)).json().threads as Array<{ id: number }>).map((t) => t.id);
const searchIds = async (q: string) => ((await anonymous.get(`/api/search?q=${q}`)).json().results as Array<{ thread: { id: number } }>).map((r) => r.thread.id);
const categoryCount = async () => ((await anonymous.get('/api/categories/vetted')).json().category.threadCount as number);

describe('a new member’s first thread in a category that holds first posts', () => {
  it('is seen only by its author and staff until approved, then appears everywhere', async () => {
    const newcomer = await signedIn(forum);
    const countBefore = await categoryCount();
    const { thread, post } = await created(await ask(newcomer.client));
    expect(post.held).toBe(true);
    await settleJobs(forum);

    for (const client of [anonymous, bystander.client]) expectError(await client.get(`/api/threads/${thread.id}`), 404, 'thread_not_found');
    for (const client of [newcomer.client, agent.client]) {
      const page = (await client.get(`/api/threads/${thread.id}`)).json();
      expect(page.posts.map((p: { held: boolean }) => p.held)).toEqual([true]);
    }
    expect(await listed(anonymous)).not.toContain(thread.id);
    expect(await listed(newcomer.client, '?category=vetted')).not.toContain(thread.id);
    expect(await listed(anonymous, '?list=unanswered')).not.toContain(thread.id);
    expect(await searchIds('quokkasetup')).not.toContain(thread.id);
    expect(await categoryCount()).toBe(countBefore);
    expect((await anonymous.get(`/api/users/${newcomer.actor.handle}`)).json().user.threadCount).toBe(0);
    // nothing went to public rooms
    expect((await eventsNamed(forum.db.db, 'forum.thread.created')).some((e) => (e.payload.thread as { id: number }).id === thread.id)).toBe(false);
    expect(await eventsNamed(forum.db.db, 'forum.post.held')).toContainEqual({ rooms: ['queue'], payload: { postId: post.id, threadId: thread.id } });
    // and the author cannot add to it yet
    expectError(await newcomer.client.post(`/api/threads/${thread.id}/posts`, { body: 'Any news?' }), 409, 'thread_held');
    expectError(await bystander.client.post(`/api/threads/${thread.id}/posts`, { body: 'I found it.' }), 404, 'thread_not_found');
    expectError(await agent.client.post(`/api/threads/${thread.id}/poll`, { question: 'Which IdP?', kind: 'single', options: ['a', 'b'] }), 409, 'thread_held');

    const queue = (await agent.client.get('/api/held-posts')).json();
    expect(queue.posts).toContainEqual(expect.objectContaining({ id: post.id, opensThread: true, thread: expect.objectContaining({ id: thread.id }), author: expect.objectContaining({ id: newcomer.actor.id, trustLevel: 0 }) }));

    // past the category's community window, it is still not in the agents' unanswered queue
    forum.clock.advance(61);
    const queued = await moderation.listUnansweredPastWindow(ctxFor(forum.db.db, agent.actor, forum.clock));
    expect(queued.items.map((i) => i.thread.id)).not.toContain(thread.id);

    const approved = await agent.client.post(`/api/posts/${post.id}/approve`);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toEqual({ postId: post.id, threadId: thread.id });

    const page = (await anonymous.get(`/api/threads/${thread.id}`)).json();
    expect(page.posts[0]).toMatchObject({ id: post.id, held: false });
    // published as if written now: its community window starts at approval
    expect(page.thread.createdAt).toBe(forum.clock.now().toISOString());
    expect(await listed(anonymous)).toContain(thread.id);
    expect(await searchIds('quokkasetup')).toContain(thread.id);
    expect(await categoryCount()).toBe(countBefore + 1);
    expect((await eventsNamed(forum.db.db, 'forum.thread.created')).some((e) => (e.payload.thread as { id: number }).id === thread.id)).toBe(true);
    expect((await agent.client.get('/api/held-posts')).json().posts.map((p: { id: number }) => p.id)).not.toContain(post.id);
    expect(await scalar(forum.db.db, sql`select count(*) from audit_log where action = 'post.approved' and subject_id = ${post.id}`)).toBe(1);

    // one approved post is enough: the next one is not held
    const next = await created(await ask(newcomer.client, { title: 'A second question from me' }));
    expect(next.post.held).toBe(false);
    expect((await anonymous.get(`/api/threads/${next.thread.id}`)).statusCode).toBe(200);
  });

  it('is deleted when rejected, and nobody ever sees it', async () => {
    const newcomer = await signedIn(forum);
    const { thread, post } = await created(await ask(newcomer.client, { title: 'Buy cheap watches here' }));
    const rejected = await agent.client.post(`/api/posts/${post.id}/reject`, { reason: 'Spam' });
    expect(rejected.statusCode, rejected.body).toBe(204);
    for (const client of [anonymous, newcomer.client, agent.client]) expectError(await client.get(`/api/threads/${thread.id}`), 404, 'thread_not_found');
    expect((await agent.client.get('/api/held-posts')).json().posts.map((p: { id: number }) => p.id)).not.toContain(post.id);
    expect(await scalar(forum.db.db, sql`select count(*) from audit_log where action = 'post.rejected' and subject_id = ${post.id} and reason = 'Spam'`)).toBe(1);
    expectError(await agent.client.post(`/api/posts/${post.id}/approve`), 404, 'post_not_found');
  });
});

describe('a new member’s first reply in such a category', () => {
  it('counts nowhere until approved, then counts as a peer reply', async () => {
    const { thread } = await created(await ask(regular.client, { title: 'Where do I find the audit export?' }));
    const newcomer = await signedIn(forum);
    const reply = await created(await newcomer.client.post(`/api/threads/${thread.id}/posts`, { body: 'It is under **Reports**.' }));
    expect(reply.post).toMatchObject({ held: true, position: 2 });

    const seenBy = async (client: ApiClient) => ((await client.get(`/api/threads/${thread.id}`)).json().posts as Array<{ id: number }>).map((p) => p.id);
    expect(await seenBy(anonymous)).not.toContain(reply.post.id);
    expect(await seenBy(regular.client)).not.toContain(reply.post.id);
    expect(await seenBy(newcomer.client)).toContain(reply.post.id);
    expect(await seenBy(agent.client)).toContain(reply.post.id);
    expect((await anonymous.get(`/api/threads/${thread.id}`)).json().thread).toMatchObject({ replyCount: 0, status: 'open' });
    expectError(await regular.client.put(`/api/posts/${reply.post.id}/vote`, { value: 1 }), 404, 'post_not_found');
    expectError(await regular.client.post(`/api/threads/${thread.id}/accept`, { postId: reply.post.id }), 400, 'invalid', ['postId']);
    expectError(await anonymous.get(`/api/posts/${reply.post.id}/revisions`), 404, 'post_not_found');
    // a later reply by a trusted member is not held and takes the next position
    const later = await created(await bystander.client.post(`/api/threads/${thread.id}/posts`, { body: 'Reports → Audit.' }));
    expect(later.post).toMatchObject({ held: false, position: 3 });

    expect((await agent.client.post(`/api/posts/${reply.post.id}/approve`)).statusCode).toBe(200);
    const after = (await anonymous.get(`/api/threads/${thread.id}`)).json();
    expect(after.thread).toMatchObject({ replyCount: 2, status: 'answered' });
    expect(after.posts.map((p: { id: number }) => p.id)).toEqual([expect.any(Number), reply.post.id, later.post.id]);
    expect((await eventsNamed(forum.db.db, 'forum.post.created')).some((e) => (e.payload.post as { id: number }).id === reply.post.id)).toBe(true);
  });

  it('can be deleted by its author without touching the reply count', async () => {
    const { thread } = await created(await ask(regular.client, { title: 'Another vetted question' }));
    const newcomer = await signedIn(forum);
    const reply = await created(await newcomer.client.post(`/api/threads/${thread.id}/posts`, { body: 'Never mind.' }));
    expect((await newcomer.client.delete(`/api/posts/${reply.post.id}`)).statusCode).toBe(204);
    expect((await anonymous.get(`/api/threads/${thread.id}`)).json().thread.replyCount).toBe(0);
    expect((await anonymous.get(`/api/threads/${thread.id}`)).json().posts).toHaveLength(1);
  });
});

describe('posts that are not held', () => {
  it('members from trust level 1, staff, and new members in other categories post at once', async () => {
    expect((await created(await ask(bystander.client, { title: 'A trusted member asks' }))).post.held).toBe(false);
    expect((await created(await ask(agent.client, { title: 'Staff announcement here' }))).post.held).toBe(false);
    const newcomer = await signedIn(forum);
    expect((await created(await ask(newcomer.client, { category: 'open', title: 'First post elsewhere', tags: [] }))).post.held).toBe(false);
  });
});

describe('approval routes', () => {
  it('refuse members (403), visitors (401), unknown posts (404) and posts that are not held (409)', async () => {
    const newcomer = await signedIn(forum);
    const { post } = await created(await ask(newcomer.client, { title: 'Held for the route checks' }));
    expectError(await regular.client.post(`/api/posts/${post.id}/approve`), 403, 'forbidden');
    expectError(await newcomer.client.post(`/api/posts/${post.id}/reject`), 403, 'forbidden');
    expectError(await anonymous.post(`/api/posts/${post.id}/approve`), 401, 'unauthenticated');
    expectError(await regular.client.get('/api/held-posts'), 403, 'forbidden');
    expectError(await anonymous.get('/api/held-posts'), 401, 'unauthenticated');
    expectError(await agent.client.post('/api/posts/999999/approve'), 404, 'post_not_found');
    expectError(await agent.client.post(`/api/posts/${post.id}/reject`, { reason: 'x'.repeat(501) }), 400, 'invalid_request', ['reason']);
    expectError(await agent.client.get('/api/held-posts?cursor=nonsense'), 400, 'invalid', ['cursor']);
    const { post: visible } = await created(await ask(regular.client, { title: 'Visible from the start' }));
    expectError(await agent.client.post(`/api/posts/${visible.id}/approve`), 409, 'post_not_held');
    // a reject with no body at all is fine
    const csrf = (await agent.client.get('/api/session')).json().csrfToken as string;
    const bare = await rawRequest(forum.app, 'POST', `/api/posts/${post.id}/reject`, {
      headers: { cookie: [...agent.client.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': csrf },
    });
    expect(bare.statusCode, bare.body).toBe(204);
  });
});
