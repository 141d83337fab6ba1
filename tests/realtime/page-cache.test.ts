import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { buildForumApp } from '../../apps/forum/server/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createCategory, createMember, createThread, relaxedConfig } from '../support/factories.js';
import { clientAs } from '../support/api.js';
import { Clock } from '../support/factories.js';
import { LiveClient } from '../support/ws.js';

// Anonymous readers are served from a per-instance cache; a change made on any instance must
// drop the pages it affects everywhere, through the same events that drive live updates.
let db: TestDatabase;
let writer: FastifyInstance;
let reader: FastifyInstance;
let live: LiveClient;

beforeAll(async () => {
  db = await createTestDatabase();
  writer = await buildForumApp({ database: db, config: relaxedConfig, ui: false, pageCache: true });
  reader = await buildForumApp({ database: db, config: relaxedConfig, ui: false, pageCache: true });
  const address = await reader.listen({ port: 0, host: '127.0.0.1' });
  await Promise.all([writer.realtime.ready, reader.realtime.ready]);
  live = await LiveClient.connect(`${address.replace('http', 'ws')}/ws`);
});

afterAll(async () => {
  live?.close();
  await writer?.close();
  await reader?.close();
  await db?.drop();
});

const anonymous = async (url: string) => (await reader.inject({ method: 'GET', url })).json();

describe('the anonymous page cache', () => {
  it('serves repeated anonymous reads from memory, but never to members', async () => {
    const author = await createMember(db.db);
    const { thread } = await createThread(db.db, author, { category: (await createCategory(db.db)).slug, title: 'Original title here' });
    expect((await anonymous(`/api/threads/${thread.id}`)).thread.title).toBe('Original title here');
    // A change that bypasses the services (and so emits no event) is not seen by cached readers…
    await db.db.execute(sql`update threads set title = 'Changed behind its back' where id = ${thread.id}`);
    expect((await anonymous(`/api/threads/${thread.id}`)).thread.title).toBe('Original title here');
    // …while a member's read always goes to the database.
    const member = await clientAs({ app: reader, db, clock: new Clock() }, author);
    expect((await member.get(`/api/threads/${thread.id}`)).json().thread.title).toBe('Changed behind its back');
  });

  it('drops a thread page and the lists when another instance changes them', async () => {
    const author = await createMember(db.db);
    const peer = await createMember(db.db);
    const category = await createCategory(db.db);
    const { thread } = await createThread(db.db, author, { category: category.slug, title: 'Will get an answer soon' });
    await live.subscribe(`thread:${thread.id}`);
    expect((await anonymous(`/api/threads/${thread.id}`)).posts).toHaveLength(1);
    const listed = (await anonymous(`/api/threads?category=${category.slug}`)).threads[0];
    expect(listed).toMatchObject({ id: thread.id, replyCount: 0, status: 'open' });

    const client = await clientAs({ app: writer, db, clock: new Clock() }, peer);
    expect((await client.post(`/api/threads/${thread.id}/posts`, { body: 'Here is the answer.' })).statusCode).toBe(201);
    await live.event('forum.post.created', `thread:${thread.id}`);

    const page = await anonymous(`/api/threads/${thread.id}`);
    expect(page.posts.map((p: { bodyMarkdown: string }) => p.bodyMarkdown)).toEqual([expect.any(String), 'Here is the answer.']);
    expect(page.thread.status).toBe('answered');
    expect((await anonymous(`/api/threads?category=${category.slug}`)).threads[0]).toMatchObject({ id: thread.id, replyCount: 1, status: 'answered' });
  });

  it('drops every cached thread page when an author becomes an Expert, so the badge shows beside their posts', async () => {
    const asker = await createMember(db.db);
    const answerer = await createMember(db.db);
    const admin = await createMember(db.db, { role: 'admin' });
    const category = await createCategory(db.db, { tags: ['exports'] });
    const { thread } = await createThread(db.db, asker, { category: category.slug, tags: ['exports'] });
    const writerClient = await clientAs({ app: writer, db, clock: new Clock() }, answerer);
    expect((await writerClient.post(`/api/threads/${thread.id}/posts`, { body: 'Use the CSV export.' })).statusCode).toBe(201);
    const authorOf = async () => (await anonymous(`/api/threads/${thread.id}`)).posts[1]?.author.expertIn;
    await expect.poll(authorOf, { timeout: 5_000 }).toEqual([]);

    const staff = await clientAs({ app: writer, db, clock: new Clock() }, admin);
    const granted = await staff.post(`/api/users/${answerer.handle}/badges`, { badge: 'expert', tag: 'exports', reason: 'Wrote the export guide' });
    expect(granted.statusCode, granted.body).toBe(201);
    // No event names this thread; the reader instance drops its pages on the badge event.
    await expect.poll(authorOf, { timeout: 5_000 }).toEqual([{ slug: 'exports', name: 'exports' }]);
  });
});
