import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildForumApp } from '../../apps/forum/server/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createCategory, createMember, PASSWORD, relaxedConfig } from '../support/factories.js';
import { ApiClient } from '../support/http.js';
import { LiveClient } from '../support/ws.js';

// Two forum instances on one database, as behind a load balancer: what is written through
// instance A must reach the websocket clients of instance B (outbox + LISTEN/NOTIFY).
let db: TestDatabase;
let instanceA: FastifyInstance;
let instanceB: FastifyInstance;
let wsUrlB: string;
const clients: LiveClient[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  instanceA = await buildForumApp({ database: db, config: relaxedConfig, ui: false });
  instanceB = await buildForumApp({ database: db, config: relaxedConfig, ui: false });
  await instanceA.listen({ port: 0, host: '127.0.0.1' });
  const address = await instanceB.listen({ port: 0, host: '127.0.0.1' });
  wsUrlB = `${address.replace('http', 'ws')}/ws`;
  await Promise.all([instanceA.realtime.ready, instanceB.realtime.ready]);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await instanceA?.close();
  await instanceB?.close();
  await db?.drop();
});

async function connectToB() {
  const client = await LiveClient.connect(wsUrlB);
  clients.push(client);
  return client;
}

describe('live updates across two instances', () => {
  it('delivers a thread, a reply, a vote and the accepted answer written on A to clients of B', async () => {
    const category = await createCategory(db.db);
    await createMember(db.db, { handle: 'asker' });
    await createMember(db.db, { handle: 'answerer' });
    const asker = new ApiClient(instanceA);
    const answerer = new ApiClient(instanceA, '10.0.0.9');
    await asker.login('asker', PASSWORD);
    await answerer.login('answerer', PASSWORD);

    const latest = await connectToB();
    await latest.subscribe('latest');
    const created = await asker.post('/api/threads', { category: category.slug, kind: 'question', title: 'Live question over two instances', body: 'Does this arrive?' });
    expect(created.statusCode).toBe(201);
    const threadId: number = created.json().thread.id;
    const announced = await latest.event('forum.thread.created', 'latest');
    expect(announced.data.thread).toMatchObject({ id: threadId, title: 'Live question over two instances' });

    const page = await connectToB();
    await page.subscribe(`thread:${threadId}`);
    const reply = await answerer.post(`/api/threads/${threadId}/posts`, { body: 'Yes, it **arrives**.' });
    expect(reply.statusCode).toBe(201);
    const postId: number = reply.json().post.id;
    const pushed = await page.event('forum.post.created', `thread:${threadId}`);
    expect(pushed.data.post).toMatchObject({ id: postId, threadId, position: 2 });
    expect(pushed.data.post.bodyHtml).toContain('<strong>arrives</strong>');
    expect(pushed.data.post.author.handle).toBe('answerer');

    // The status change (open → answered) is pushed too.
    const answered = await page.waitFor((m) => m.name === 'forum.thread.updated' && m.data.thread.status === 'answered');
    expect(answered.data.thread.id).toBe(threadId);

    expect((await asker.put(`/api/posts/${postId}/vote`, { value: 1 })).statusCode).toBe(200);
    const voted = await page.event('forum.post.voted');
    expect(voted.data).toEqual({ postId, score: 1 });

    expect((await asker.post(`/api/threads/${threadId}/accept`, { postId })).statusCode).toBe(200);
    const solved = await page.waitFor((m) => m.name === 'forum.thread.updated' && m.data.thread.status === 'solved');
    expect(solved.data.thread.acceptedPostId).toBe(postId);
  });

  it('delivers each event once, and only to the rooms it names', async () => {
    const category = await createCategory(db.db);
    const author = await createMember(db.db);
    const client = new ApiClient(instanceA, '10.0.0.10');
    await client.login(author.handle, PASSWORD);
    const one = (await client.post('/api/threads', { category: category.slug, kind: 'discussion', title: 'First room thread', body: 'one' })).json().thread.id;
    const two = (await client.post('/api/threads', { category: category.slug, kind: 'discussion', title: 'Second room thread', body: 'two' })).json().thread.id;

    const watcher = await connectToB();
    await watcher.subscribe(`thread:${one}`);
    await client.post(`/api/threads/${two}/posts`, { body: 'to the other room' });
    await client.post(`/api/threads/${one}/posts`, { body: 'to my room' });
    const mine = await watcher.event('forum.post.created');
    expect(mine.data.post.threadId).toBe(one);
    // A later event in the same room proves the earlier one for room `two` was not skipped past.
    await client.post(`/api/threads/${one}/posts`, { body: 'again' });
    await watcher.waitFor((m) => m.name === 'forum.post.created' && m.data.post.position === 3);
    const created = watcher.received.filter((m) => m.name === 'forum.post.created');
    expect(created.map((m) => m.data.post.threadId)).toEqual([one, one]);
  });

  it('refuses unknown rooms and messages that are not JSON, and keeps the connection', async () => {
    const client = await connectToB();
    client.socket.send('not json');
    expect((await client.waitFor((m) => m.type === 'error')).message).toMatch(/JSON/);
    client.send({ type: 'subscribe', room: 'admin:secrets' });
    expect((await client.waitFor((m) => m.type === 'error' && /unknown room/.test(m.message ?? ''))).message).toContain('admin:secrets');
    client.send({ type: 'ping' });
    await client.waitFor((m) => m.type === 'pong');
  });
});
