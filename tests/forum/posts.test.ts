import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Actor } from '@forum/core';
import { startForum, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory, createMember } from '../support/factories.js';
import { clientAs, expectError, scalar, signedIn, tableCounts } from '../support/api.js';

type Signed = { actor: Actor; client: ApiClient };

let forum: TestForum;
let asker: Signed;
let peer: Signed;
let other: Signed;
let agent: Signed;
let anonymous: ApiClient;

beforeAll(async () => {
  forum = await startForum();
  await createCategory(forum.db.db, { slug: 'help' });
  [asker, peer, other, agent] = await Promise.all([signedIn(forum), signedIn(forum), signedIn(forum), signedIn(forum, { role: 'agent' })]);
  anonymous = new ApiClient(forum.app);
});
afterAll(async () => forum?.close());

async function question(kind: 'question' | 'discussion' = 'question') {
  const response = await asker.client.post('/api/threads', { category: 'help', kind, title: 'Why is my export empty?', body: 'It downloads a 0-byte file.' });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { thread: { id: number }; post: { id: number } };
}

async function reply(client: ApiClient, threadId: number, body = 'Try the CSV option.') {
  const response = await client.post(`/api/threads/${threadId}/posts`, { body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().post as { id: number; position: number };
}

const read = async (threadId: number, client = anonymous) => (await client.get(`/api/threads/${threadId}`)).json();

describe('POST /api/threads/:id/posts', () => {
  it('adds a reply at the next position and answers 201 with it', async () => {
    const { thread } = await question();
    const response = await peer.client.post(`/api/threads/${thread.id}/posts`, { body: 'Check the **date range**.' });
    expect(response.statusCode).toBe(201);
    expect(response.json().post).toMatchObject({
      threadId: thread.id,
      position: 2,
      author: { id: peer.actor.id, staff: false },
      bodyMarkdown: 'Check the **date range**.',
      bodyHtml: '<p>Check the <strong>date range</strong>.</p>\n',
      score: 0,
      myVote: 0,
      abilities: { edit: true, delete: true, vote: false, accept: false },
    });
    const after = await read(thread.id);
    expect(after.thread.replyCount).toBe(1);
    expect(after.posts.map((p: { position: number }) => p.position)).toEqual([1, 2]);
  });

  it('moves an open thread to answered on a peer reply', async () => {
    const { thread } = await question();
    await reply(peer.client, thread.id);
    expect((await read(thread.id)).thread.status).toBe('answered');
  });

  it("leaves the thread open on the author's own reply", async () => {
    const { thread } = await question();
    await reply(asker.client, thread.id, 'Bump: still broken.');
    expect((await read(thread.id)).thread).toMatchObject({ status: 'open', replyCount: 1 });
  });

  it('leaves the thread open on a staff reply', async () => {
    const { thread } = await question();
    await reply(agent.client, thread.id, 'We are looking into it.');
    expect((await read(thread.id)).thread).toMatchObject({ status: 'open', replyCount: 1 });
    await reply(peer.client, thread.id);
    expect((await read(thread.id)).thread.status).toBe('answered');
  });

  it('bumps the thread to the top of the latest list', async () => {
    const { thread } = await question();
    forum.clock.advance(1);
    await question();
    forum.clock.advance(1);
    await reply(peer.client, thread.id);
    expect((await anonymous.get('/api/threads?limit=1')).json().threads[0].id).toBe(thread.id);
  });

  it('gives concurrent replies distinct positions and an exact count', async () => {
    const { thread } = await question();
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => peer.client.post(`/api/threads/${thread.id}/posts`, { body: `Reply ${i}` })));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
    const after = await read(thread.id);
    expect(after.thread.replyCount).toBe(10);
    expect(after.posts.map((p: { position: number }) => p.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('refuses bad bodies with 400 naming "body", anonymous visitors with 401, and writes nothing', async () => {
    const { thread } = await question();
    const before = await tableCounts(forum.db.db);
    expectError(await peer.client.post(`/api/threads/${thread.id}/posts`, { body: '' }), 400, 'invalid_request', ['body']);
    expectError(await peer.client.post(`/api/threads/${thread.id}/posts`, { body: ' \n ' }), 400, 'invalid', ['body']);
    expectError(await peer.client.post(`/api/threads/${thread.id}/posts`, { body: 'x'.repeat(20_001) }), 400, 'invalid_request', ['body']);
    expectError(await peer.client.post(`/api/threads/${thread.id}/posts`, {}), 400, 'invalid_request', ['body']);
    expectError(await peer.client.post(`/api/threads/${thread.id}/posts`, { body: 'ok', position: 1 }), 400, 'invalid_request', ['position']);
    expectError(await anonymous.post(`/api/threads/${thread.id}/posts`, { body: 'Hello' }), 401, 'unauthenticated');
    expect(await tableCounts(forum.db.db)).toEqual(before);
    expect((await read(thread.id)).thread).toMatchObject({ status: 'open', replyCount: 0 });
  });
});

describe('Markdown in posts', () => {
  it('is rendered, and script, event handlers and javascript: links never reach bodyHtml', async () => {
    const { thread } = await question();
    const body = [
      '<script>alert("x")</script>',
      '<img src=x onerror=alert(1)>',
      '[click me](javascript:alert(1))',
      '[sneaky](JaVaScRiPt:alert(1))',
      '<a href="javascript:alert(1)">raw link</a>',
      '[docs](https://example.com/docs) and https://example.com/bare',
    ].join('\n\n');
    const post = (await peer.client.post(`/api/threads/${thread.id}/posts`, { body })).json().post;
    const stored = (await read(thread.id)).posts[1];
    for (const html of [post.bodyHtml, stored.bodyHtml]) {
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<[^>]+\son[a-z]+\s*=/i);
      expect(html).not.toMatch(/<a\s[^>]*href="\s*javascript:/i);
      expect(html).toContain('&lt;script&gt;');
      const links = [...html.matchAll(/<a ([^>]*)>/g)].map((m) => m[1]);
      expect(links).toEqual([
        'href="https://example.com/docs" rel="nofollow ugc noopener" target="_blank"',
        'href="https://example.com/bare" rel="nofollow ugc noopener" target="_blank"',
      ]);
    }
    // The author's Markdown is kept as written, for editing.
    expect(stored.bodyMarkdown).toBe(body);
  });
});

describe('POST /api/threads/:id/accept', () => {
  it('lets the question author accept a reply: the thread is solved and the post marked', async () => {
    const { thread } = await question();
    const answer = await reply(peer.client, thread.id);
    const response = await asker.client.post(`/api/threads/${thread.id}/accept`, { postId: answer.id });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().thread).toMatchObject({ status: 'solved', acceptedPostId: answer.id });
    const after = await read(thread.id);
    expect(after.thread).toMatchObject({ status: 'solved', acceptedPostId: answer.id });
    expect(after.posts.map((p: { accepted: boolean }) => p.accepted)).toEqual([false, true]);
    expect((await anonymous.get('/api/threads?list=solved&limit=50')).json().threads.map((t: { id: number }) => t.id)).toContain(thread.id);
  });

  it('lets the author switch to another answer', async () => {
    const { thread } = await question();
    const first = await reply(peer.client, thread.id);
    const second = await reply(other.client, thread.id);
    await asker.client.post(`/api/threads/${thread.id}/accept`, { postId: first.id });
    await asker.client.post(`/api/threads/${thread.id}/accept`, { postId: second.id });
    const after = await read(thread.id);
    expect(after.thread.acceptedPostId).toBe(second.id);
    expect(after.posts.map((p: { accepted: boolean }) => p.accepted)).toEqual([false, false, true]);
  });

  it('lets staff accept on behalf of the author', async () => {
    const { thread } = await question();
    const answer = await reply(peer.client, thread.id);
    expect((await agent.client.post(`/api/threads/${thread.id}/accept`, { postId: answer.id })).statusCode).toBe(200);
    expect((await read(thread.id)).thread.status).toBe('solved');
  });

  it('refuses another member (403) and anonymous visitors (401), changing nothing', async () => {
    const { thread } = await question();
    const answer = await reply(peer.client, thread.id);
    expectError(await other.client.post(`/api/threads/${thread.id}/accept`, { postId: answer.id }), 403, 'forbidden');
    expectError(await peer.client.post(`/api/threads/${thread.id}/accept`, { postId: answer.id }), 403, 'forbidden');
    expectError(await anonymous.post(`/api/threads/${thread.id}/accept`, { postId: answer.id }), 401, 'unauthenticated');
    expect((await read(thread.id)).thread).toMatchObject({ status: 'answered', acceptedPostId: null });
  });

  it('refuses to accept anything in a discussion', async () => {
    const { thread } = await question('discussion');
    const answer = await reply(peer.client, thread.id);
    const error = expectError(await asker.client.post(`/api/threads/${thread.id}/accept`, { postId: answer.id }), 403, 'forbidden');
    expect(error.message).toBe('Only questions have accepted answers');
    expect((await read(thread.id)).thread.acceptedPostId).toBeNull();
  });

  it('answers 400 naming "postId" for a post that is not a live reply in this thread', async () => {
    const { thread, post: opening } = await question();
    const elsewhere = await question();
    const foreign = await reply(peer.client, elsewhere.thread.id);
    const deleted = await reply(peer.client, thread.id);
    await peer.client.delete(`/api/posts/${deleted.id}`);
    for (const postId of [foreign.id, opening.id, deleted.id, 2_147_483_647]) {
      expectError(await asker.client.post(`/api/threads/${thread.id}/accept`, { postId }), 400, 'invalid', ['postId']);
    }
    expectError(await asker.client.post(`/api/threads/${thread.id}/accept`, {}), 400, 'invalid_request', ['postId']);
    expectError(await asker.client.post(`/api/threads/${thread.id}/accept`, { postId: 'first' }), 400, 'invalid_request', ['postId']);
    expect((await read(thread.id)).thread).toMatchObject({ acceptedPostId: null });
    expect((await read(elsewhere.thread.id)).thread).toMatchObject({ acceptedPostId: null, status: 'answered' });
  });

  it('refuses acceptance on a closed question', async () => {
    const { thread } = await question();
    const answer = await reply(peer.client, thread.id);
    await asker.client.post(`/api/threads/${thread.id}/close`);
    expectError(await asker.client.post(`/api/threads/${thread.id}/accept`, { postId: answer.id }), 403, 'forbidden');
  });
});

describe('DELETE /api/threads/:id/accept', () => {
  it('withdraws the acceptance: back to answered after a peer reply', async () => {
    const { thread } = await question();
    const answer = await reply(peer.client, thread.id);
    await asker.client.post(`/api/threads/${thread.id}/accept`, { postId: answer.id });
    const response = await asker.client.delete(`/api/threads/${thread.id}/accept`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().thread).toMatchObject({ status: 'answered', acceptedPostId: null });
    const after = await read(thread.id);
    expect(after.thread).toMatchObject({ status: 'answered', acceptedPostId: null });
    expect(after.posts[1].accepted).toBe(false);
  });

  it('goes back to open when only staff had replied', async () => {
    const { thread } = await question();
    const answer = await reply(agent.client, thread.id);
    await asker.client.post(`/api/threads/${thread.id}/accept`, { postId: answer.id });
    expect((await asker.client.delete(`/api/threads/${thread.id}/accept`)).json().thread.status).toBe('open');
  });

  it('answers 409 no_accepted_answer when nothing is accepted, and 403 for another member', async () => {
    const { thread } = await question();
    const answer = await reply(peer.client, thread.id);
    expectError(await asker.client.delete(`/api/threads/${thread.id}/accept`), 409, 'no_accepted_answer');
    await asker.client.post(`/api/threads/${thread.id}/accept`, { postId: answer.id });
    expectError(await other.client.delete(`/api/threads/${thread.id}/accept`), 403, 'forbidden');
    expectError(await anonymous.delete(`/api/threads/${thread.id}/accept`), 401, 'unauthenticated');
    expect((await read(thread.id)).thread.status).toBe('solved');
  });
});

describe('PATCH /api/posts/:id and GET /api/posts/:id/revisions', () => {
  it('edits a post and keeps every earlier text as a revision, newest first', async () => {
    const { thread } = await question();
    const post = await reply(peer.client, thread.id, 'First version');
    const firstEdit = await peer.client.patch(`/api/posts/${post.id}`, { body: 'Second **version**' });
    expect(firstEdit.statusCode, firstEdit.body).toBe(200);
    expect(firstEdit.json().post).toMatchObject({ bodyMarkdown: 'Second **version**', bodyHtml: '<p>Second <strong>version</strong></p>\n', revisionCount: 1, editedAt: expect.any(String) });
    await peer.client.patch(`/api/posts/${post.id}`, { body: 'Third version' });

    const response = await anonymous.get(`/api/posts/${post.id}/revisions`);
    expect(response.statusCode).toBe(200);
    expect(response.json().revisions).toEqual([
      { revision: 2, bodyMarkdown: 'Second **version**', title: null, editor: expect.objectContaining({ id: peer.actor.id }), createdAt: expect.any(String) },
      { revision: 1, bodyMarkdown: 'First version', title: null, editor: expect.objectContaining({ id: peer.actor.id }), createdAt: expect.any(String) },
    ]);
    const shown = (await read(thread.id)).posts[1];
    expect(shown).toMatchObject({ bodyMarkdown: 'Third version', revisionCount: 2 });
  });

  it('keeps no revision when the text is unchanged', async () => {
    const { thread } = await question();
    const post = await reply(peer.client, thread.id, 'Unchanged');
    expect((await peer.client.patch(`/api/posts/${post.id}`, { body: 'Unchanged' })).json().post.revisionCount).toBe(0);
    expect((await anonymous.get(`/api/posts/${post.id}/revisions`)).json().revisions).toEqual([]);
  });

  it('lets staff edit, recording them as the editor', async () => {
    const { thread } = await question();
    const post = await reply(peer.client, thread.id, 'Contains a secret key');
    expect((await agent.client.patch(`/api/posts/${post.id}`, { body: 'Contains a [redacted]' })).statusCode).toBe(200);
    const [revision] = (await anonymous.get(`/api/posts/${post.id}/revisions`)).json().revisions;
    expect(revision.editor).toMatchObject({ id: agent.actor.id, staff: true });
  });

  it('refuses another member (403) and anonymous visitors (401), keeping the text', async () => {
    const { thread } = await question();
    const post = await reply(peer.client, thread.id, 'Original words');
    expectError(await other.client.patch(`/api/posts/${post.id}`, { body: 'Vandalised' }), 403, 'forbidden');
    expectError(await asker.client.patch(`/api/posts/${post.id}`, { body: 'Vandalised' }), 403, 'forbidden');
    expectError(await anonymous.patch(`/api/posts/${post.id}`, { body: 'Vandalised' }), 401, 'unauthenticated');
    expect((await read(thread.id)).posts[1]).toMatchObject({ bodyMarkdown: 'Original words', revisionCount: 0 });
  });

  it('validates the body and writes nothing on failure', async () => {
    const { thread } = await question();
    const post = await reply(peer.client, thread.id, 'Original words');
    const before = await tableCounts(forum.db.db);
    expectError(await peer.client.patch(`/api/posts/${post.id}`, { body: '' }), 400, 'invalid_request', ['body']);
    expectError(await peer.client.patch(`/api/posts/${post.id}`, { body: '   ' }), 400, 'invalid', ['body']);
    expectError(await peer.client.patch(`/api/posts/${post.id}`, { body: 'y'.repeat(20_001) }), 400, 'invalid_request', ['body']);
    expectError(await peer.client.patch(`/api/posts/${post.id}`, { text: 'wrong field' }), 400, 'invalid_request');
    expect(await tableCounts(forum.db.db)).toEqual(before);
  });

  it('refuses a member editing in a closed thread (409), but lets staff', async () => {
    const { thread } = await question();
    const post = await reply(peer.client, thread.id, 'Original words');
    await asker.client.post(`/api/threads/${thread.id}/close`);
    expectError(await peer.client.patch(`/api/posts/${post.id}`, { body: 'Edited after closing' }), 409, 'thread_closed');
    expect((await agent.client.patch(`/api/posts/${post.id}`, { body: 'Moderated after closing' })).statusCode).toBe(200);
  });

  it('answers 404 for the revisions of a deleted post', async () => {
    const { thread } = await question();
    const post = await reply(peer.client, thread.id);
    await peer.client.delete(`/api/posts/${post.id}`);
    expectError(await anonymous.get(`/api/posts/${post.id}/revisions`), 404, 'post_not_found');
  });
});

describe('DELETE /api/posts/:id', () => {
  it('soft-deletes a reply: it keeps its place without its text', async () => {
    const { thread } = await question();
    const post = await reply(peer.client, thread.id, 'Regrettable words');
    await reply(other.client, thread.id);
    const response = await peer.client.delete(`/api/posts/${post.id}`);
    expect(response.statusCode).toBe(204);
    const after = await read(thread.id);
    expect(after.thread.replyCount).toBe(1);
    expect(after.posts.map((p: { position: number }) => p.position)).toEqual([1, 2, 3]);
    expect(after.posts[1]).toMatchObject({ id: post.id, deleted: true, bodyHtml: '', bodyMarkdown: '', abilities: { edit: false, delete: false, vote: false, accept: false } });
    expect(await scalar(forum.db.db, sql`select count(*) from posts where id = ${post.id} and deleted_at is not null and body_markdown = 'Regrettable words'`)).toBe(1);
    expectError(await peer.client.delete(`/api/posts/${post.id}`), 404, 'post_not_found');
  });

  it('withdraws the acceptance when the accepted answer is deleted', async () => {
    const { thread } = await question();
    const answer = await reply(peer.client, thread.id);
    await asker.client.post(`/api/threads/${thread.id}/accept`, { postId: answer.id });
    expect((await peer.client.delete(`/api/posts/${answer.id}`)).statusCode).toBe(204);
    const after = await read(thread.id);
    expect(after.thread).toMatchObject({ acceptedPostId: null, status: 'answered' });
    expect((await anonymous.get('/api/threads?list=solved&limit=50')).json().threads.map((t: { id: number }) => t.id)).not.toContain(thread.id);
  });

  it('keeps a closed thread closed when its accepted answer is deleted, and reopens it unsolved', async () => {
    const { thread } = await question();
    const answer = await reply(peer.client, thread.id);
    await asker.client.post(`/api/threads/${thread.id}/accept`, { postId: answer.id });
    await asker.client.post(`/api/threads/${thread.id}/close`);
    expect((await peer.client.delete(`/api/posts/${answer.id}`)).statusCode).toBe(204);
    expect((await read(thread.id)).thread).toMatchObject({ status: 'closed', acceptedPostId: null });
    expectError(await other.client.post(`/api/threads/${thread.id}/posts`, { body: 'Sneaking in' }), 409, 'thread_closed');
    const reopened = (await asker.client.post(`/api/threads/${thread.id}/reopen`)).json().thread;
    expect(reopened).toMatchObject({ status: 'answered', acceptedPostId: null });
  });

  it('lets staff delete any post, and refuses other members (403) and anonymous visitors (401)', async () => {
    const { thread } = await question();
    const post = await reply(peer.client, thread.id);
    expectError(await other.client.delete(`/api/posts/${post.id}`), 403, 'forbidden');
    expectError(await asker.client.delete(`/api/posts/${post.id}`), 403, 'forbidden');
    expectError(await anonymous.delete(`/api/posts/${post.id}`), 401, 'unauthenticated');
    expect((await read(thread.id)).posts[1].deleted).toBe(false);
    expect((await agent.client.delete(`/api/posts/${post.id}`)).statusCode).toBe(204);
    expect((await read(thread.id)).posts[1].deleted).toBe(true);
  });
});

describe('PUT and DELETE /api/posts/:id/vote', () => {
  it('counts +1 and -1, lets a member change and undo their vote, and keeps the score exact', async () => {
    const { thread } = await question();
    const post = await reply(peer.client, thread.id);
    const vote = (client: ApiClient, value: 1 | -1) => client.put(`/api/posts/${post.id}/vote`, { value });

    expect((await vote(asker.client, 1)).json()).toEqual({ score: 1, myVote: 1 });
    expect((await vote(other.client, 1)).json()).toEqual({ score: 2, myVote: 1 });
    expect((await vote(agent.client, -1)).json()).toEqual({ score: 1, myVote: -1 });
    // Voting the same way twice counts once.
    expect((await vote(asker.client, 1)).json()).toEqual({ score: 1, myVote: 1 });
    // Changing a vote swings by two.
    expect((await vote(other.client, -1)).json()).toEqual({ score: -1, myVote: -1 });
    const undo = await other.client.delete(`/api/posts/${post.id}/vote`);
    expect(undo.statusCode).toBe(200);
    expect(undo.json()).toEqual({ score: 0, myVote: 0 });
    // Undoing twice is harmless.
    expect((await other.client.delete(`/api/posts/${post.id}/vote`)).json()).toEqual({ score: 0, myVote: 0 });

    const seenBy = async (client: ApiClient) => (await read(thread.id, client)).posts[1];
    expect(await seenBy(asker.client)).toMatchObject({ score: 0, myVote: 1 });
    expect(await seenBy(agent.client)).toMatchObject({ score: 0, myVote: -1 });
    expect(await seenBy(other.client)).toMatchObject({ score: 0, myVote: 0 });
    expect(await seenBy(anonymous)).toMatchObject({ score: 0, myVote: 0 });
  });

  it('carries the opening post score to the thread', async () => {
    const { thread, post } = await question();
    await peer.client.put(`/api/posts/${post.id}/vote`, { value: 1 });
    await other.client.put(`/api/posts/${post.id}/vote`, { value: 1 });
    expect((await read(thread.id)).thread.score).toBe(2);
    expect((await anonymous.get('/api/threads?limit=50')).json().threads.find((t: { id: number }) => t.id === thread.id).score).toBe(2);
  });

  it('refuses a vote on your own post with 403, and anonymous votes with 401', async () => {
    const { thread } = await question();
    const post = await reply(peer.client, thread.id);
    const error = expectError(await peer.client.put(`/api/posts/${post.id}/vote`, { value: 1 }), 403, 'forbidden');
    expect(error.message).toBe('You cannot vote on your own post');
    expectError(await anonymous.put(`/api/posts/${post.id}/vote`, { value: 1 }), 401, 'unauthenticated');
    expectError(await anonymous.delete(`/api/posts/${post.id}/vote`), 401, 'unauthenticated');
    expect(await scalar(forum.db.db, sql`select count(*) from votes where post_id = ${post.id}`)).toBe(0);
  });

  it('answers 400 naming "value" for anything but 1 or -1', async () => {
    const { thread } = await question();
    const post = await reply(peer.client, thread.id);
    for (const value of [0, 2, -2, 'up', null]) {
      expectError(await asker.client.put(`/api/posts/${post.id}/vote`, { value }), 400, 'invalid_request', ['value']);
    }
    expectError(await asker.client.put(`/api/posts/${post.id}/vote`, {}), 400, 'invalid_request', ['value']);
    expect(await scalar(forum.db.db, sql`select count(*) from votes where post_id = ${post.id}`)).toBe(0);
  });

  it('answers 404 for a deleted post', async () => {
    const { thread } = await question();
    const post = await reply(peer.client, thread.id);
    await peer.client.delete(`/api/posts/${post.id}`);
    expectError(await asker.client.put(`/api/posts/${post.id}/vote`, { value: 1 }), 404, 'post_not_found');
  });

  it('gives the exact score when 30 members vote on one post at the same time', async () => {
    const { thread } = await question();
    const post = await reply(peer.client, thread.id);
    const voters = await Promise.all(Array.from({ length: 30 }, () => createMember(forum.db.db)));
    const clients = await Promise.all(voters.map((v, i) => clientAs(forum, v, { ip: `10.1.0.${i + 1}` })));
    await Promise.all(clients.map((c) => c.get('/api/session')));

    const values = clients.map((_, i) => (i % 3 === 0 ? -1 : 1));
    const responses = await Promise.all(clients.map((c, i) => c.put(`/api/posts/${post.id}/vote`, { value: values[i] })));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(30).fill(200));
    const expectedScore = values.reduce((a, b) => a + b, 0);
    expect((await read(thread.id)).posts[1].score).toBe(expectedScore);

    // And all at once again: half take their vote back, half flip it.
    await Promise.all(clients.map((c, i) => (i % 2 ? c.delete(`/api/posts/${post.id}/vote`) : c.put(`/api/posts/${post.id}/vote`, { value: -values[i] as 1 | -1 }))));
    const finalScore = values.reduce((sum, v, i) => sum + (i % 2 ? 0 : -v), 0);
    expect((await read(thread.id)).posts[1].score).toBe(finalScore);
    expect(await scalar(forum.db.db, sql`select coalesce(sum(value), 0) from votes where post_id = ${post.id}`)).toBe(finalScore);
  });
});

describe('a reply to a thread that does not exist', () => {
  it('answers 404 thread_not_found', async () => {
    expectError(await peer.client.post('/api/threads/999999/posts', { body: 'Hello?' }), 404, 'thread_not_found');
  });
});

describe('replies from a new member', () => {
  it('counts as a peer reply the moment they sign up', async () => {
    const { thread } = await question();
    const newcomer = new ApiClient(forum.app, '10.2.0.1');
    expect((await newcomer.post('/api/auth/signup', { handle: 'newcomer', email: 'newcomer@example.test', password: 'long enough password' })).statusCode).toBe(201);
    await reply(newcomer, thread.id, 'Welcome aboard, try this.');
    expect((await read(thread.id)).thread.status).toBe('answered');
  });
});
