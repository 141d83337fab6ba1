import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@forum/core';
import { startForum, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory, createMember, createReply, createThread } from '../support/factories.js';
import { expectError, signedIn } from '../support/api.js';
import { notificationsOf, personalEvents, runJobs } from './support.js';

// The notification list, unread count, read state and preferences over HTTP. The job worker is
// off: jobs run when the test says, on the app's clock.

let forum: TestForum;
let category: string;
let me: { actor: Actor; client: ApiClient };
let other: { actor: Actor; client: ApiClient };
let anonymous: ApiClient;

beforeAll(async () => {
  forum = await startForum({ jobs: false });
  category = (await createCategory(forum.db.db)).slug;
  [me, other] = await Promise.all([signedIn(forum), signedIn(forum)]);
  anonymous = new ApiClient(forum.app);
});
afterAll(async () => forum?.close());

const db = () => forum.db.db;

/** `count` replies by fresh members in a new thread of `author`: that many reply notifications, oldest first. */
async function repliesTo(author: Actor, count: number): Promise<number[]> {
  const { thread } = await createThread(db(), author, { category, clock: forum.clock });
  for (let i = 0; i < count; i++) {
    forum.clock.advance(1);
    await createReply(db(), await createMember(db()), thread.id, `Reply number ${i + 1}`, forum.clock);
  }
  await runJobs(db(), forum.clock);
  return (await notificationsOf(db(), author.id, ['reply'])).slice(-count).map((n) => n.id);
}

async function list(client: ApiClient, query = '') {
  const response = await client.get(`/api/notifications${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { notifications: Array<{ id: number; kind: string; read: boolean; text: string; link: string }>; nextCursor: string | null; unreadCount: number };
}

const unreadCount = async (client: ApiClient) => {
  const response = await client.get('/api/notifications/unread-count');
  expect(response.statusCode, response.body).toBe(200);
  return response.json().unreadCount as number;
};

describe('GET /api/notifications', () => {
  it('lists your notifications newest first in pages, with the unread count', async () => {
    const ids = await repliesTo(me.actor, 5);
    const first = await list(me.client, '?limit=2');
    expect(first.notifications.map((n) => n.id)).toEqual([ids[4], ids[3]]);
    expect(first.notifications[0]).toMatchObject({ kind: 'reply', read: false, text: expect.stringMatching(/ replied to “/), link: expect.stringMatching(/^\/t\/\d+#post-\d+$/) });
    expect(first.unreadCount).toBe(5);
    const second = await list(me.client, `?limit=2&cursor=${first.nextCursor}`);
    expect(second.notifications.map((n) => n.id)).toEqual([ids[2], ids[1]]);
    const third = await list(me.client, `?limit=2&cursor=${second.nextCursor}`);
    expect(third.notifications.map((n) => n.id)).toEqual([ids[0]]);
    expect(third.nextCursor).toBeNull();
    expect((await list(other.client)).notifications).toEqual([]);
  });

  it('answers 401 to visitors and 400 to a bad cursor, limit or flag', async () => {
    expectError(await anonymous.get('/api/notifications'), 401, 'unauthenticated');
    expectError(await anonymous.get('/api/notifications/unread-count'), 401, 'unauthenticated');
    expectError(await me.client.get('/api/notifications?cursor=bm90IGEgY3Vyc29y'), 400, 'invalid', ['cursor']);
    expectError(await me.client.get('/api/notifications?limit=500'), 400, 'invalid_request', ['limit']);
    expectError(await me.client.get('/api/notifications?unread=maybe'), 400, 'invalid_request', ['unread']);
  });
});

describe('reading notifications', () => {
  it('marks one read: the unread count drops, unread=1 leaves it out, and the change is pushed to your room', async () => {
    const member = await signedIn(forum);
    const [a, b] = await repliesTo(member.actor, 2);
    expect(await unreadCount(member.client)).toBe(2);

    const response = await member.client.post(`/api/notifications/${a}/read`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ notification: { id: a, read: true }, unreadCount: 1 });
    expect(await unreadCount(member.client)).toBe(1);
    expect((await list(member.client, '?unread=1')).notifications.map((n) => n.id)).toEqual([b]);
    expect((await list(member.client)).notifications.map((n) => [n.id, n.read])).toEqual([
      [b, false],
      [a, true],
    ]);
    const pushed = (await personalEvents(db(), member.actor.id)).at(-1)!;
    expect(pushed).toEqual({ name: 'notifications.read', payload: { ids: [a], all: false, upTo: null, unreadCount: 1 } });

    // Again is fine, and pushes nothing new.
    const again = await member.client.post(`/api/notifications/${a}/read`);
    expect(again.json()).toMatchObject({ notification: { id: a, read: true }, unreadCount: 1 });
    expect((await personalEvents(db(), member.actor.id)).at(-1)).toEqual(pushed);
  });

  it("answers 404 for someone else's notification and for one that does not exist, changing nothing", async () => {
    const [mine] = await repliesTo(me.actor, 1);
    expectError(await other.client.post(`/api/notifications/${mine}/read`), 404, 'notification_not_found');
    expectError(await other.client.post('/api/notifications/987654321/read'), 404, 'notification_not_found');
    expect((await notificationsOf(db(), me.actor.id)).find((n) => n.id === mine)!.readAt).toBeNull();
    expectError(await anonymous.post(`/api/notifications/${mine}/read`), 401, 'unauthenticated');
    expectError(await me.client.post('/api/notifications/abc/read'), 400, 'invalid_request', ['id']);
  });

  it('marks all read, or only those up to the id the page showed', async () => {
    const member = await signedIn(forum);
    const ids = await repliesTo(member.actor, 3);
    const upTo = await member.client.post('/api/notifications/read-all', { upTo: ids[1] });
    expect(upTo.json()).toEqual({ marked: 2, unreadCount: 1 });
    expect((await list(member.client, '?unread=true')).notifications.map((n) => n.id)).toEqual([ids[2]]);

    const all = await member.client.post('/api/notifications/read-all');
    expect(all.json()).toEqual({ marked: 1, unreadCount: 0 });
    expect(await unreadCount(member.client)).toBe(0);
    expect((await personalEvents(db(), member.actor.id)).at(-1)).toEqual({ name: 'notifications.read', payload: { ids: null, all: true, upTo: null, unreadCount: 0 } });
    expect((await member.client.post('/api/notifications/read-all')).json()).toEqual({ marked: 0, unreadCount: 0 });
    expectError(await anonymous.post('/api/notifications/read-all'), 401, 'unauthenticated');
    expectError(await member.client.post('/api/notifications/read-all', { upTo: 'latest' }), 400, 'invalid_request', ['upTo']);
  });
});

describe('/api/me/preferences', () => {
  it('reads and sets routingMuted', async () => {
    const member = await signedIn(forum);
    expect((await member.client.get('/api/me/preferences')).json()).toEqual({ routingMuted: false });
    const put = await member.client.put('/api/me/preferences', { routingMuted: true });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual({ routingMuted: true });
    expect((await member.client.get('/api/me/preferences')).json()).toEqual({ routingMuted: true });
  });

  it('refuses visitors (401) and bad bodies (400)', async () => {
    expectError(await anonymous.get('/api/me/preferences'), 401, 'unauthenticated');
    expectError(await anonymous.put('/api/me/preferences', { routingMuted: true }), 401, 'unauthenticated');
    expectError(await me.client.put('/api/me/preferences', { routingMuted: 'yes' }), 400, 'invalid_request', ['routingMuted']);
    expectError(await me.client.put('/api/me/preferences', {}), 400, 'invalid_request', ['routingMuted']);
    expectError(await me.client.put('/api/me/preferences', { routingMuted: true, email: 'x' }), 400, 'invalid_request', ['email']);
  });
});
