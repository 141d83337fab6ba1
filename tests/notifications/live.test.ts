import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@forum/core';
import { startForum, startModeration, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory } from '../support/factories.js';
import { clientAs, signedIn } from '../support/api.js';
import { LiveClient, type Message } from '../support/ws.js';
import { makeExpert } from './support.js';

// Live notifications on a listening forum with its job worker: a socket that came with a
// session cookie joins `me` and gets its member's notifications and unread count as they happen.

type Signed = { actor: Actor; client: ApiClient };

let forum: TestForum;
let wsUrl: string;
let asker: Signed;
let expert: Signed;
let bystander: Signed;
const sockets: LiveClient[] = [];

beforeAll(async () => {
  forum = await startForum();
  await createCategory(forum.db.db, { slug: 'live-help', tags: ['wifi', 'billing'] });
  [asker, expert, bystander] = await Promise.all([signedIn(forum), signedIn(forum), signedIn(forum)]);
  await makeExpert(forum.db.db, expert.actor.id, 'wifi');
  const address = await forum.app.listen({ port: 0, host: '127.0.0.1' });
  wsUrl = `${address.replace('http', 'ws')}/ws`;
  await forum.app.realtime.ready;
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await forum?.close();
});

async function connect(as?: Signed): Promise<LiveClient> {
  const sid = as?.client.cookies.get('sid');
  const socket = await LiveClient.connect(wsUrl, sid ? { headers: { cookie: `sid=${sid}` } } : {});
  sockets.push(socket);
  return socket;
}

async function ask(title: string, tags: string[]) {
  const response = await asker.client.post('/api/threads', { category: 'live-help', kind: 'question', title, body: 'The router keeps dropping.', tags });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().thread as { id: number };
}

const notified = (threadId: number) => (m: Message) => m.type === 'event' && m.name === 'notifications.created' && m.data.notification.thread?.id === threadId;

describe('room me', () => {
  it("pushes a routed question to every one of the expert's sockets within a second, with the unread count", async () => {
    const tab1 = await connect(expert);
    const tab2 = await connect(expert);
    await tab1.subscribe('me');
    await tab2.subscribe('me');
    const started = Date.now();
    const thread = await ask('Wifi drops every evening', ['wifi']);
    const pushed = await tab1.waitFor(notified(thread.id), 1_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(pushed).toMatchObject({
      room: 'me',
      data: {
        notification: { kind: 'routed', read: false, thread: { id: thread.id, title: 'Wifi drops every evening' }, tags: [{ slug: 'wifi', name: 'wifi' }], link: `/t/${thread.id}` },
        unreadCount: 1,
      },
    });
    expect((await tab2.waitFor(notified(thread.id), 1_000)).data).toEqual(pushed.data);
  });

  it('pushes read-state changes with the new unread count', async () => {
    const socket = await connect(expert);
    await socket.subscribe('me');
    const list = (await expert.client.get('/api/notifications')).json();
    await expert.client.post('/api/notifications/read-all');
    const read = await socket.waitFor((m) => m.name === 'notifications.read');
    expect(read).toMatchObject({ room: 'me', data: { all: true, unreadCount: 0 } });
    expect(list.unreadCount).toBeGreaterThan(0);
  });

  it("does not deliver one member's notifications to another member's socket", async () => {
    const theirs = await connect(bystander);
    await theirs.subscribe('me');
    const routed = await ask('Wifi password reset', ['wifi']);
    // Then something for the bystander: events arrive in commit order, so the expert's push
    // would have come first.
    const reply = await asker.client.post(`/api/threads/${routed.id}/posts`, { body: `@${bystander.actor.handle} did this happen to you?` });
    expect(reply.statusCode, reply.body).toBe(201);
    await theirs.waitFor(notified(routed.id));
    const pushes = theirs.received.filter((m) => m.type === 'event');
    expect(pushes.map((m) => [m.name, m.data.notification?.kind])).toEqual([['notifications.created', 'mention']]);
  });

  it('refuses me to a socket without a session, and user:<id> rooms to everyone', async () => {
    const visitor = await connect();
    visitor.send({ type: 'subscribe', room: 'me' });
    expect(await visitor.waitFor((m) => m.type === 'error')).toMatchObject({ type: 'error', message: expect.stringMatching(/signed-in session/) });

    const signedInSocket = await connect(bystander);
    for (const room of [`user:${expert.actor.id}`, `user:${bystander.actor.id}`, 'user:5']) {
      signedInSocket.send({ type: 'subscribe', room });
      expect(await signedInSocket.waitFor((m) => m.type === 'error' && m.message === `unknown room: ${room}`)).toBeTruthy();
    }
    expect(signedInSocket.received.filter((m) => m.type === 'subscribed')).toEqual([]);
  });

  it('treats a socket with a stale or foreign session cookie as a visitor', async () => {
    const stale = await LiveClient.connect(wsUrl, { headers: { cookie: 'sid=not-a-session-token' } });
    sockets.push(stale);
    stale.send({ type: 'subscribe', room: 'me' });
    expect(await stale.waitFor((m) => m.type === 'error')).toMatchObject({ message: expect.stringMatching(/signed-in session/) });
    // Public rooms still work for it.
    await stale.subscribe('latest');
  });

  it("signs in only sockets opened from the forum's own origin (or by a non-browser client)", async () => {
    const cookie = `sid=${expert.client.cookies.get('sid')}`;
    const foreign = await LiveClient.connect(wsUrl, { headers: { cookie, origin: 'http://127.0.0.1:1' } });
    sockets.push(foreign);
    foreign.send({ type: 'subscribe', room: 'me' });
    expect(await foreign.waitFor((m) => m.type === 'error')).toMatchObject({ message: expect.stringMatching(/signed-in session/) });

    const own = await LiveClient.connect(wsUrl, { headers: { cookie, origin: new URL(wsUrl).origin.replace('ws', 'http') } });
    sockets.push(own);
    await own.subscribe('me');
  });
});

describe('room me on the moderation console', () => {
  it("is the staff member behind the console's own cookie; a forum cookie does not count there", async () => {
    const mod = await startModeration({ database: forum.db, clock: forum.clock });
    try {
      const address = await mod.app.listen({ port: 0, host: '127.0.0.1' });
      const url = `${address.replace('http', 'ws')}/ws`;
      await mod.app.realtime.ready;
      const agent = await signedIn(forum, { role: 'agent' });
      const consoleClient = await clientAs(mod, agent.actor, { app: 'moderation' });

      const staffSocket = await LiveClient.connect(url, { headers: { cookie: `console_sid=${consoleClient.cookies.get('console_sid')}` } });
      sockets.push(staffSocket);
      await staffSocket.subscribe('me');
      await staffSocket.subscribe('queue');

      const forumCookie = await LiveClient.connect(url, { headers: { cookie: `sid=${agent.client.cookies.get('sid')}` } });
      sockets.push(forumCookie);
      forumCookie.send({ type: 'subscribe', room: 'me' });
      expect(await forumCookie.waitFor((m) => m.type === 'error')).toMatchObject({ message: expect.stringMatching(/signed-in session/) });

      // The agent's own notifications reach the console socket too.
      const thread = await ask('Billing question for the agent', ['billing']);
      const reply = await agent.client.post(`/api/threads/${thread.id}/posts`, { body: 'Staff here: we refunded it.' });
      expect(reply.statusCode, reply.body).toBe(201);
      await asker.client.post(`/api/threads/${thread.id}/accept`, { postId: reply.json().post.id });
      const pushed = await staffSocket.waitFor(notified(thread.id));
      expect(pushed).toMatchObject({ room: 'me', data: { notification: { kind: 'accepted' }, unreadCount: 1 } });
    } finally {
      await mod.app.close();
    }
  });
});
