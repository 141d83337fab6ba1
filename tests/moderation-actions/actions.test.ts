import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Actor } from '@forum/core';
import { startForum, startModeration, type TestForum } from '../support/apps.js';
import type { ApiClient } from '../support/http.js';
import { Clock, createCategory, createMember, createReply, createThread } from '../support/factories.js';
import { clientAs, expectError, scalar } from '../support/api.js';
import { LiveClient } from '../support/ws.js';

// Moderating from the console: hide/restore, close/reopen, pin, move, merge, silence and
// suspend; the reason required off the queue, one audit row per action, what readers of the
// forum see afterwards, and the live event other consoles get.

let mod: Awaited<ReturnType<typeof startModeration>>;
let forum: TestForum;
let clock: Clock;
let author: Actor;
let reader: Actor;
let alice: Actor;
let sue: Actor;
let authorForum: ApiClient;
let readerForum: ApiClient;
let aliceConsole: ApiClient;
let memberConsole: ApiClient;

beforeAll(async () => {
  clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
  mod = await startModeration({ clock });
  forum = await startForum({ database: mod.db, clock, jobs: false });
  [author, reader, alice, sue] = await Promise.all([
    createMember(mod.db.db, { trustLevel: 1 }),
    createMember(mod.db.db, { trustLevel: 1 }),
    createMember(mod.db.db, { role: 'agent', handle: 'agent_alice' }),
    createMember(mod.db.db, { role: 'supervisor', handle: 'super_sue' }),
  ]);
  [authorForum, readerForum, aliceConsole, memberConsole] = await Promise.all([
    clientAs(forum, author),
    clientAs(forum, reader),
    clientAs(mod, alice, { app: 'moderation' }),
    clientAs(mod, reader, { app: 'moderation' }),
  ]);
});
afterAll(async () => {
  await forum?.close();
  await mod?.close();
});

const db = () => mod.db.db;
const auditCount = () => scalar(db(), sql`select count(*) from audit_log`);

/** Runs a console request and checks it wrote exactly one audit row; returns the response and that row. */
async function audited(run: () => Promise<{ statusCode: number; body: string; json(): any }>) {
  const before = await auditCount();
  const response = await run();
  expect(response.statusCode, response.body).toBe(200);
  expect(await auditCount()).toBe(before + 1);
  const { rows } = await db().execute<{ actor_id: number; action: string; subject_type: string; subject_id: number; reason: string | null; data: any }>(
    sql`select actor_id, action, subject_type, subject_id, reason, data from audit_log order by id desc limit 1`,
  );
  return { response, row: rows[0] };
}

async function thread(options: { category?: string; replies?: number; title?: string } = {}) {
  const { thread: t, post } = await createThread(db(), author, { category: options.category, clock, title: options.title });
  const replies = [];
  for (let i = 0; i < (options.replies ?? 0); i++) {
    clock.advance(1);
    replies.push(await createReply(db(), reader, t.id, `Reply number ${i + 1} from a peer.`, clock));
  }
  return { threadId: t.id, postId: post.id, replies, category: t.category };
}

/** A thread whose author asked for staff, so it has an open queue item. */
async function queued() {
  const made = await thread({ replies: 1 });
  const response = await authorForum.post(`/api/threads/${made.threadId}/request-staff`);
  expect(response.statusCode, response.body).toBe(201);
  const itemId = await scalar(db(), sql`select id from queue_items where thread_id = ${made.threadId} and status <> 'resolved'`);
  return { ...made, itemId };
}

const long = 'x'.repeat(501);

describe('who may moderate', () => {
  it('refuses members (403) and anonymous callers (401) on every action, changing nothing', async () => {
    const { threadId, postId } = await thread();
    const before = await auditCount();
    const anonymous = (await import('../support/http.js')).ApiClient;
    const nobody = new anonymous(mod.app);
    for (const [url, body] of [
      [`/api/posts/${postId}/hide`, { reason: 'spam' }],
      [`/api/threads/${threadId}/close`, { reason: 'done' }],
      [`/api/threads/${threadId}/pin`, { reason: 'faq' }],
      [`/api/threads/${threadId}/move`, { categoryId: 1, reason: 'wrong place' }],
      [`/api/threads/${threadId}/merge`, { intoThreadId: 1, reason: 'duplicate' }],
      [`/api/members/${author.handle}/silence`, { hours: 1, reason: 'rude words' }],
    ] as const) {
      expectError(await memberConsole.post(url, body), 403, 'forbidden');
      expectError(await nobody.post(url, body), 401, 'unauthenticated');
    }
    expect(await auditCount()).toBe(before);
  });
});

describe('POST /api/posts/:id/hide and /restore', () => {
  it('off the queue: needs a reason (400 fields.reason), refuses an oversized one, and hides with one', async () => {
    const { threadId, replies } = await thread({ replies: 1 });
    const postId = replies[0].id;
    const before = await auditCount();
    expectError(await aliceConsole.post(`/api/posts/${postId}/hide`), 400, 'invalid', ['reason']);
    expectError(await aliceConsole.post(`/api/posts/${postId}/hide`, { reason: '   ' }), 400, 'invalid', ['reason']);
    expectError(await aliceConsole.post(`/api/posts/${postId}/hide`, { reason: long }), 400, 'invalid_request', ['reason']);
    expect(await auditCount()).toBe(before);

    const { response, row } = await audited(() => aliceConsole.post(`/api/posts/${postId}/hide`, { reason: 'Personal details of another customer' }));
    expect(response.json().result).toMatchObject({ action: 'post.hidden', subject: { type: 'post', id: postId }, threadId, queueItemId: null });
    expect(row).toMatchObject({
      actor_id: alice.id,
      action: 'post.hidden',
      subject_type: 'post',
      subject_id: postId,
      reason: 'Personal details of another customer',
      data: { before: { hidden: false }, after: { hidden: true, hiddenReason: 'staff' }, threadId },
    });
    expect(await scalar(db(), sql`select count(*) from posts where id = ${postId} and hidden_reason = 'staff'`)).toBe(1);

    // other members get its place without the body; its author still reads it
    const seen = (await authorForum.get(`/api/threads/${threadId}`)).json().posts.find((p: any) => p.id === postId);
    expect(seen).toMatchObject({ hidden: true, bodyHtml: '' });
    const own = (await readerForum.get(`/api/threads/${threadId}`)).json().posts.find((p: any) => p.id === postId);
    expect(own.bodyHtml).toContain('Reply number 1');

    expectError(await aliceConsole.post(`/api/posts/${postId}/hide`, { reason: 'again' }), 409, 'post_hidden');

    const restored = await audited(() => aliceConsole.post(`/api/posts/${postId}/restore`, { reason: 'Checked with the customer: fine' }));
    expect(restored.row).toMatchObject({ action: 'post.restored', data: { before: { hidden: true, hiddenReason: 'staff' }, after: { hidden: false } } });
    const back = (await authorForum.get(`/api/threads/${threadId}`)).json().posts.find((p: any) => p.id === postId);
    expect(back).toMatchObject({ hidden: false, bodyHtml: expect.stringContaining('Reply number 1') });
    expectError(await aliceConsole.post(`/api/posts/${postId}/restore`, { reason: 'again' }), 409, 'post_not_hidden');
  });

  it('in the queue: needs no reason, and the work touches the item so the claim does not idle', async () => {
    const { replies, itemId } = await queued();
    clock.advance(5);
    const { row } = await audited(() => aliceConsole.post(`/api/posts/${replies[0].id}/hide`));
    expect(row.reason).toBeNull();
    expect(row.data.queueItemId).toBe(itemId);
    const { rows } = await db().execute<{ at: Date }>(sql`select last_agent_activity_at as at from queue_items where id = ${itemId}`);
    expect(new Date(rows[0].at).toISOString()).toBe(clock.now().toISOString());
  });

  it('answers 404 for an unknown or deleted post and 400 for a bad id', async () => {
    expectError(await aliceConsole.post('/api/posts/99999999/hide', { reason: 'spam' }), 404, 'post_not_found');
    expectError(await aliceConsole.post('/api/posts/abc/hide', { reason: 'spam' }), 400, 'invalid_request', ['id']);
  });
});

describe('POST /api/threads/:id/close and /reopen', () => {
  it('closes with a reason, members can no longer reply, and reopens', async () => {
    const { threadId } = await thread();
    expectError(await aliceConsole.post(`/api/threads/${threadId}/close`), 400, 'invalid', ['reason']);
    const { row } = await audited(() => aliceConsole.post(`/api/threads/${threadId}/close`, { reason: 'Answered in the docs' }));
    expect(row).toMatchObject({ action: 'thread.closed', subject_type: 'thread', subject_id: threadId, data: { before: { status: 'open' }, after: { status: 'closed' } } });
    expect((await readerForum.get(`/api/threads/${threadId}`)).json().thread.status).toBe('closed');
    expectError(await readerForum.post(`/api/threads/${threadId}/posts`, { body: 'One more thing' }), 409, 'thread_closed');
    expectError(await aliceConsole.post(`/api/threads/${threadId}/close`, { reason: 'again' }), 409, 'thread_closed');

    const reopened = await audited(() => aliceConsole.post(`/api/threads/${threadId}/reopen`, { reason: 'Customer came back' }));
    expect(reopened.row.data).toMatchObject({ before: { status: 'closed' }, after: { status: 'open' } });
    expect((await readerForum.get(`/api/threads/${threadId}`)).json().thread.status).toBe('open');
    expectError(await aliceConsole.post(`/api/threads/${threadId}/reopen`, { reason: 'again' }), 409, 'thread_not_closed');
    expectError(await aliceConsole.post('/api/threads/99999999/close', { reason: 'x' }), 404, 'thread_not_found');
  });
});

describe('POST /api/threads/:id/pin and /unpin', () => {
  it("puts a pinned thread first in its category's listing with a pin mark, and takes it back", async () => {
    const { slug } = await createCategory(db());
    const old = await thread({ category: slug, title: 'The old FAQ thread everyone needs' });
    clock.advance(10);
    const newer = await thread({ category: slug, title: 'A newer question about billing' });
    const listed = async () => (await readerForum.get(`/api/threads?category=${slug}`)).json().threads as Array<{ id: number; pinned?: boolean }>;
    expect((await listed()).map((t) => t.id)).toEqual([newer.threadId, old.threadId]);

    const { row } = await audited(() => aliceConsole.post(`/api/threads/${old.threadId}/pin`, { reason: 'Most asked question' }));
    expect(row).toMatchObject({ action: 'thread.pinned', data: { before: { pinned: false }, after: { pinned: true } } });
    const pinnedFirst = await listed();
    expect(pinnedFirst.map((t) => t.id)).toEqual([old.threadId, newer.threadId]);
    expect(pinnedFirst[0].pinned).toBe(true);
    expect(pinnedFirst[1].pinned).toBeUndefined();
    // paging past the first page does not repeat the pinned thread
    const first = (await readerForum.get(`/api/threads?category=${slug}&limit=1`)).json();
    expect(first.threads.map((t: any) => t.id)).toEqual([old.threadId, newer.threadId]);
    expect(first.nextCursor).toBeNull();
    expectError(await aliceConsole.post(`/api/threads/${old.threadId}/pin`, { reason: 'again' }), 409, 'thread_pinned');

    await audited(() => aliceConsole.post(`/api/threads/${old.threadId}/unpin`, { reason: 'No longer current' }));
    expect((await listed()).map((t) => t.id)).toEqual([newer.threadId, old.threadId]);
    expectError(await aliceConsole.post(`/api/threads/${old.threadId}/unpin`, { reason: 'again' }), 409, 'thread_not_pinned');
  });
});

describe('POST /api/threads/:id/move', () => {
  it('moves a thread to another category: 404 unknown category, 409 same category', async () => {
    const from = await createCategory(db());
    const to = await createCategory(db());
    const { threadId } = await thread({ category: from.slug });
    expectError(await aliceConsole.post(`/api/threads/${threadId}/move`, { categoryId: 99999999, reason: 'wrong place' }), 404, 'category_not_found');
    expectError(await aliceConsole.post(`/api/threads/${threadId}/move`, { categoryId: from.id, reason: 'wrong place' }), 409, 'same_category');
    expectError(await aliceConsole.post(`/api/threads/${threadId}/move`, { categoryId: to.id }), 400, 'invalid', ['reason']);
    expectError(await aliceConsole.post(`/api/threads/${threadId}/move`, { reason: 'x' }), 400, 'invalid_request', ['categoryId']);

    const { row } = await audited(() => aliceConsole.post(`/api/threads/${threadId}/move`, { categoryId: to.id, reason: 'This is a billing question' }));
    expect(row).toMatchObject({
      action: 'thread.moved',
      reason: 'This is a billing question',
      data: { before: { categoryId: from.id, category: from.slug }, after: { categoryId: to.id, category: to.slug } },
    });
    expect((await readerForum.get(`/api/threads/${threadId}`)).json().thread.category.slug).toBe(to.slug);
    expect((await readerForum.get(`/api/threads?category=${to.slug}`)).json().threads.map((t: any) => t.id)).toContain(threadId);
    expect((await readerForum.get(`/api/threads?category=${from.slug}`)).json().threads.map((t: any) => t.id)).not.toContain(threadId);
  });
});

describe('POST /api/threads/:id/merge', () => {
  it("moves the duplicate's replies into the target after its last post, closes the duplicate and points readers to the target", async () => {
    const target = await thread({ replies: 1, title: 'How do I export my invoices?' });
    const duplicate = await thread({ replies: 2, title: 'Exporting invoices to CSV?' });
    const { response, row } = await audited(() =>
      aliceConsole.post(`/api/threads/${duplicate.threadId}/merge`, { intoThreadId: target.threadId, reason: 'Same question asked twice' }),
    );
    expect(response.json().result).toMatchObject({ action: 'thread.merged', subject: { type: 'thread', id: duplicate.threadId } });
    expect(row).toMatchObject({
      action: 'thread.merged',
      reason: 'Same question asked twice',
      data: {
        before: { status: 'answered', replyCount: 2, mergedIntoId: null },
        after: { status: 'closed', replyCount: 0, mergedIntoId: target.threadId },
        movedPosts: 2,
      },
    });

    const read = (await readerForum.get(`/api/threads/${target.threadId}`)).json();
    expect(read.thread.replyCount).toBe(3);
    expect(read.posts.map((p: any) => [p.id, p.position])).toEqual([
      [target.postId, 1],
      [target.replies[0].id, 2],
      [duplicate.replies[0].id, 3],
      [duplicate.replies[1].id, 4],
    ]);
    // authors and times are kept
    const moved = read.posts.find((p: any) => p.id === duplicate.replies[1].id);
    expect(moved).toMatchObject({ author: { id: reader.id }, createdAt: duplicate.replies[1].createdAt });

    const gone = (await readerForum.get(`/api/threads/${duplicate.threadId}`)).json();
    expect(gone.thread).toMatchObject({ status: 'closed', replyCount: 0, mergedInto: { id: target.threadId, title: 'How do I export my invoices?' } });
    expect(gone.posts.map((p: any) => p.id)).toEqual([duplicate.postId]);
    expect((await readerForum.get(`/api/threads/${target.threadId}`)).json().thread.mergedInto).toBeUndefined();

    expectError(await aliceConsole.post(`/api/threads/${duplicate.threadId}/merge`, { intoThreadId: target.threadId, reason: 'again' }), 409, 'thread_merged');
    const third = await thread();
    expectError(await aliceConsole.post(`/api/threads/${third.threadId}/merge`, { intoThreadId: duplicate.threadId, reason: 'x' }), 409, 'thread_merged');
    expectError(await aliceConsole.post(`/api/threads/${third.threadId}/merge`, { intoThreadId: third.threadId, reason: 'x' }), 409, 'merge_into_self');
    expectError(await aliceConsole.post(`/api/threads/${third.threadId}/merge`, { intoThreadId: 99999999, reason: 'x' }), 404, 'thread_not_found');
    expectError(await aliceConsole.post(`/api/threads/${duplicate.threadId}/reopen`, { reason: 'x' }), 409, 'thread_merged');
    const deleted = await thread();
    await db().execute(sql`update threads set deleted_at = now() where id = ${deleted.threadId}`);
    expectError(await aliceConsole.post(`/api/threads/${third.threadId}/merge`, { intoThreadId: deleted.threadId, reason: 'x' }), 409, 'merge_target_gone');
  });

  it("moves the duplicate's open queue item to a target that has none, and resolves it when the target has one", async () => {
    const lone = await thread();
    const dupe = await queued();
    const moved = await audited(() => aliceConsole.post(`/api/threads/${dupe.threadId}/merge`, { intoThreadId: lone.threadId }));
    expect(moved.row.data.queue).toEqual({ itemId: dupe.itemId, outcome: 'moved' });
    expect(await scalar(db(), sql`select thread_id from queue_items where id = ${dupe.itemId} and status = 'queued'`)).toBe(lone.threadId);
    // the peer reply that came along answers the target
    expect((await readerForum.get(`/api/threads/${lone.threadId}`)).json().thread).toMatchObject({ status: 'answered', replyCount: 1 });

    const covered = await queued();
    const second = await queued();
    const resolved = await audited(() => aliceConsole.post(`/api/threads/${second.threadId}/merge`, { intoThreadId: covered.threadId }));
    expect(resolved.row.data.queue).toEqual({ itemId: second.itemId, outcome: 'resolved', coveredBy: covered.itemId });
    const { rows } = await db().execute<{ status: string; resolution: string; resolved_by_id: number }>(
      sql`select status, resolution, resolved_by_id from queue_items where id = ${second.itemId}`,
    );
    expect(rows[0]).toEqual({ status: 'resolved', resolution: 'agent', resolved_by_id: alice.id });
  });
});

describe('silence and suspend from the console', () => {
  it('silences a member for some hours with a reason: posting then answers 403 member_silenced', async () => {
    const target = await createMember(db(), { trustLevel: 1 });
    const targetForum = await clientAs(forum, target);
    const { threadId } = await thread();
    expectError(await aliceConsole.post(`/api/members/${target.handle}/silence`, { hours: 24 }), 400, 'invalid_request', ['reason']);
    expectError(await aliceConsole.post(`/api/members/${target.handle}/silence`, { hours: 0, reason: 'rude' }), 400, 'invalid_request', ['hours']);
    expectError(await aliceConsole.post(`/api/members/${target.handle}/silence`, { hours: 24, reason: long }), 400, 'invalid_request', ['reason']);
    expectError(await aliceConsole.post('/api/members/nobody_here/silence', { hours: 24, reason: 'rude words' }), 404, 'member_not_found');
    expectError(await aliceConsole.post(`/api/members/${sue.handle}/silence`, { hours: 24, reason: 'rude words' }), 403, 'forbidden');

    const { response, row } = await audited(() => aliceConsole.post(`/api/members/${target.handle}/silence`, { hours: 24, reason: 'Insults in three threads' }));
    const until = new Date(clock.now().getTime() + 24 * 3_600_000).toISOString();
    expect(response.json().member).toMatchObject({ handle: target.handle, silencedUntil: until });
    expect(row).toMatchObject({ actor_id: alice.id, action: 'member.silenced', subject_type: 'user', subject_id: target.id, reason: 'Insults in three threads' });
    expectError(await targetForum.post(`/api/threads/${threadId}/posts`, { body: 'Let me say this again' }), 403, 'member_silenced');

    await audited(() => aliceConsole.post(`/api/members/${target.handle}/unsilence`));
    expect((await targetForum.post(`/api/threads/${threadId}/posts`, { body: 'Sorry about earlier' })).statusCode).toBe(201);
    expectError(await aliceConsole.post(`/api/members/${target.handle}/unsilence`), 409, 'not_silenced');
  });

  it('suspends a member for some hours (their sessions end) and lifts it', async () => {
    const target = await createMember(db(), { trustLevel: 2 });
    const targetForum = await clientAs(forum, target);
    const { row } = await audited(() => aliceConsole.post(`/api/members/${target.handle}/suspend`, { hours: 72, reason: 'Spam campaign' }));
    expect(row).toMatchObject({ action: 'member.suspended', subject_id: target.id, reason: 'Spam campaign' });
    expect((await targetForum.get('/api/session')).json().user).toBeNull();
    expectError(await aliceConsole.post(`/api/members/${target.handle}/suspend`, { hours: 9000, reason: 'x y z' }), 400, 'invalid_request', ['hours']);
    await audited(() => aliceConsole.post(`/api/members/${target.handle}/unsuspend`, { reason: 'Appeal accepted' }));
    expectError(await aliceConsole.post(`/api/members/${target.handle}/unsuspend`), 409, 'not_suspended');
  });
});

describe('live', () => {
  it('tells every console subscribed to room queue about each action', async () => {
    const address = await mod.app.listen({ port: 0, host: '127.0.0.1' });
    await mod.app.realtime.ready;
    const sueConsole = await clientAs(mod, sue, { app: 'moderation' });
    const socket = await LiveClient.connect(`${address.replace('http', 'ws')}/ws`, { headers: { cookie: `console_sid=${sueConsole.cookies.get('console_sid')}` } });
    try {
      await socket.subscribe('queue');
      const { threadId } = await thread();
      await audited(() => aliceConsole.post(`/api/threads/${threadId}/pin`, { reason: 'Announcement' }));
      const event = await socket.waitFor((m) => m.name === 'moderation.action.taken' && m.data.subject.id === threadId);
      expect(event).toMatchObject({
        room: 'queue',
        data: { action: 'thread.pinned', actor: { handle: 'agent_alice' }, reason: 'Announcement', before: { pinned: false }, after: { pinned: true } },
      });
    } finally {
      socket.close();
    }
  });
});
