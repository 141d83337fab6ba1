import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Actor } from '@forum/core';
import { startForum, startModeration, type TestForum } from '../support/apps.js';
import type { ApiClient } from '../support/http.js';
import { Clock, createCategory, createMember, createReply, createThread } from '../support/factories.js';
import { clientAs, expectError, scalar } from '../support/api.js';

// The approval list (pre-moderation) in the console, one by one and in bulk, and bulk flag
// resolution: per-post results, one audit row per post, and what the forum shows afterwards.

let mod: Awaited<ReturnType<typeof startModeration>>;
let forum: TestForum;
let clock: Clock;
let slug: string;
let alice: Actor;
let aliceConsole: ApiClient;
let memberConsole: ApiClient;
let readerForum: ApiClient;
let regular: Actor;

beforeAll(async () => {
  clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
  mod = await startModeration({ clock });
  forum = await startForum({ database: mod.db, clock, jobs: false });
  ({ slug } = await createCategory(mod.db.db));
  await mod.db.db.execute(sql`update categories set hold_first_posts = true where slug = ${slug}`);
  const reader = await createMember(mod.db.db, { trustLevel: 1 });
  [alice, regular] = await Promise.all([createMember(mod.db.db, { role: 'agent', handle: 'agent_alice' }), createMember(mod.db.db, { trustLevel: 2 })]);
  [aliceConsole, memberConsole, readerForum] = await Promise.all([
    clientAs(mod, alice, { app: 'moderation' }),
    clientAs(mod, reader, { app: 'moderation' }),
    clientAs(forum, reader),
  ]);
});
afterAll(async () => {
  await forum?.close();
  await mod?.close();
});

const db = () => mod.db.db;
const auditCount = (action: string) => scalar(db(), sql`select count(*) from audit_log where action = ${action}`);

/** A new trust-level-0 member's first thread in the held category: held for approval. */
async function heldThread(body = 'My very first question here, please help.') {
  const newcomer = await createMember(db());
  const { thread, post } = await createThread(db(), newcomer, { category: slug, clock, body });
  expect(post.held).toBe(true);
  return { threadId: thread.id, postId: post.id, author: newcomer };
}

describe('GET /api/approvals', () => {
  it("lists held posts oldest first with the author's trust level, the category and a preview", async () => {
    const first = await heldThread(`Line one\n\n${'word '.repeat(100)}`);
    const second = await heldThread();
    const response = await aliceConsole.get('/api/approvals');
    expect(response.statusCode, response.body).toBe(200);
    const posts = response.json().posts as Array<Record<string, any>>;
    const ids = posts.map((p) => p.id);
    expect(ids.indexOf(first.postId)).toBeLessThan(ids.indexOf(second.postId));
    const item = posts.find((p) => p.id === first.postId)!;
    expect(item).toMatchObject({
      opensThread: true,
      thread: { id: first.threadId, category: { slug } },
      author: { handle: first.author.handle, trustLevel: 0 },
    });
    expect(item.preview.startsWith('Line one word word')).toBe(true);
    expect(item.preview.length).toBeLessThanOrEqual(280);
    expect(item.preview.endsWith('…')).toBe(true);
    expectError(await memberConsole.get('/api/approvals'), 403, 'forbidden');
  });
});

describe('POST /api/approvals/:postId/approve and /reject', () => {
  it('approves a held post (the forum shows it) and rejects another, each with one audit row', async () => {
    const good = await heldThread();
    const bad = await heldThread();
    expectError(await readerForum.get(`/api/threads/${good.threadId}`), 404, 'thread_not_found');

    const approved = await aliceConsole.post(`/api/approvals/${good.postId}/approve`);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toEqual({ postId: good.postId, threadId: good.threadId });
    expect((await readerForum.get(`/api/threads/${good.threadId}`)).statusCode).toBe(200);
    expect(await scalar(db(), sql`select count(*) from audit_log where action = 'post.approved' and subject_id = ${good.postId} and actor_id = ${alice.id}`)).toBe(1);
    expect(await scalar(db(), sql`select count(*) from events where name = 'moderation.approval.decided' and (payload->>'postId')::int = ${good.postId} and rooms = '{queue}'`)).toBe(1);

    expectError(await aliceConsole.post(`/api/approvals/${bad.postId}/reject`, { reason: 'r'.repeat(501) }), 400, 'invalid_request', ['reason']);
    const rejected = await aliceConsole.post(`/api/approvals/${bad.postId}/reject`, { reason: 'Advertising' });
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect(await scalar(db(), sql`select count(*) from audit_log where action = 'post.rejected' and subject_id = ${bad.postId} and reason = 'Advertising'`)).toBe(1);
    expect(await scalar(db(), sql`select count(*) from threads where id = ${bad.threadId} and deleted_at is not null`)).toBe(1);

    expectError(await aliceConsole.post(`/api/approvals/${good.postId}/approve`), 409, 'post_not_held');
    expectError(await aliceConsole.post(`/api/approvals/${bad.postId}/reject`), 404, 'post_not_found');
    expectError(await aliceConsole.post('/api/approvals/99999999/approve'), 404, 'post_not_found');
    expectError(await memberConsole.post(`/api/approvals/${good.postId}/approve`), 403, 'forbidden');
  });
});

describe('POST /api/approvals/bulk', () => {
  it('decides each post on its own and answers a result per post, one audit row per decided post', async () => {
    const a = await heldThread();
    const b = await heldThread();
    const notHeld = (await createThread(db(), regular, { clock })).post.id;
    const before = await auditCount('post.approved');
    const response = await aliceConsole.post('/api/approvals/bulk', { postIds: [a.postId, 99999999, b.postId, notHeld], action: 'approve' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().results).toEqual([
      { postId: a.postId, ok: true },
      { postId: 99999999, ok: false, error: { code: 'post_not_found', message: expect.any(String) } },
      { postId: b.postId, ok: true },
      { postId: notHeld, ok: false, error: { code: 'post_not_held', message: 'This post is not awaiting approval' } },
    ]);
    expect(await auditCount('post.approved')).toBe(before + 2);
    for (const t of [a, b]) expect((await readerForum.get(`/api/threads/${t.threadId}`)).statusCode).toBe(200);
  });

  it('rejects in bulk with the reason on each audit row', async () => {
    const a = await heldThread();
    const b = await heldThread();
    const response = await aliceConsole.post('/api/approvals/bulk', { postIds: [a.postId, b.postId], action: 'reject', reason: 'Spam wave' });
    expect(response.json().results.map((r: any) => r.ok)).toEqual([true, true]);
    expect(await scalar(db(), sql`select count(*) from audit_log where action = 'post.rejected' and reason = 'Spam wave' and subject_id in (${a.postId}, ${b.postId})`)).toBe(2);
  });

  it('answers 400 for no posts, more than 100, repeated ids or an unknown action, and 403 for members', async () => {
    expectError(await aliceConsole.post('/api/approvals/bulk', { postIds: [], action: 'approve' }), 400, 'invalid_request', ['postIds']);
    const many = Array.from({ length: 101 }, (_, i) => i + 1);
    expectError(await aliceConsole.post('/api/approvals/bulk', { postIds: many, action: 'approve' }), 400, 'invalid_request', ['postIds']);
    expectError(await aliceConsole.post('/api/approvals/bulk', { postIds: [1, 1], action: 'approve' }), 400, 'invalid_request', ['postIds']);
    expectError(await aliceConsole.post('/api/approvals/bulk', { postIds: [1], action: 'publish' }), 400, 'invalid_request', ['action']);
    expectError(await memberConsole.post('/api/approvals/bulk', { postIds: [1], action: 'approve' }), 403, 'forbidden');
  });
});

describe('POST /api/flags/bulk', () => {
  it('resolves the open flags of several posts the same way, with a result per post', async () => {
    const author = await createMember(db(), { trustLevel: 1 });
    const { thread } = await createThread(db(), author, { clock });
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await createReply(db(), author, thread.id, `Buy cheap watches number ${i}`, clock));
    const flaggers = await Promise.all([0, 1].map(() => createMember(db(), { trustLevel: 1 })));
    for (const flagger of flaggers) {
      const client = await clientAs(forum, flagger);
      for (const reply of replies.slice(0, 2)) expect((await client.post(`/api/posts/${reply.id}/flags`, { reason: 'spam' })).statusCode).toBe(201);
    }
    const before = await auditCount('post.flags_resolved');
    const response = await aliceConsole.post('/api/flags/bulk', { postIds: [replies[0].id, replies[1].id, replies[2].id], outcome: 'agree', action: 'hide', note: 'Spam run' });
    expect(response.statusCode, response.body).toBe(200);
    const results = response.json().results;
    expect(results.map((r: any) => [r.postId, r.ok, r.error?.code])).toEqual([
      [replies[0].id, true, undefined],
      [replies[1].id, true, undefined],
      [replies[2].id, false, 'no_open_flags'],
    ]);
    expect(await auditCount('post.flags_resolved')).toBe(before + 2);
    expect(await scalar(db(), sql`select count(*) from flags where post_id in (${replies[0].id}, ${replies[1].id}) and status = 'agreed'`)).toBe(4);
    const page = (await readerForum.get(`/api/threads/${thread.id}`)).json();
    expect(page.posts.filter((p: any) => p.hidden).map((p: any) => p.id)).toEqual([replies[0].id, replies[1].id]);

    expectError(await aliceConsole.post('/api/flags/bulk', { postIds: [replies[2].id], outcome: 'maybe' }), 400, 'invalid_request', ['outcome']);
    expectError(await aliceConsole.post('/api/flags/bulk', { postIds: [replies[2].id], outcome: 'agree', note: 'n'.repeat(501) }), 400, 'invalid_request', ['note']);
    expectError(await memberConsole.post('/api/flags/bulk', { postIds: [replies[2].id], outcome: 'defer' }), 403, 'forbidden');
  });
});
