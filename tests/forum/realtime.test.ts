import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { Actor } from '@forum/core';
import { startForum, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { createCategory } from '../support/factories.js';
import { signedIn } from '../support/api.js';

// The websocket at /ws: rooms, and committed events pushed to them (through LISTEN/NOTIFY).

type Message = { type: string; room?: string; name?: string; data?: any; message?: string };

let forum: TestForum;
let asker: { actor: Actor; client: ApiClient };
let peer: { actor: Actor; client: ApiClient };
const sockets: WebSocket[] = [];

beforeAll(async () => {
  forum = await startForum();
  await createCategory(forum.db.db, { slug: 'help' });
  [asker, peer] = await Promise.all([signedIn(forum), signedIn(forum)]);
  await forum.app.realtime.ready;
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.terminate();
});
afterAll(async () => forum?.close());

/** A connected socket that records what it receives; `next` waits for a matching message. */
async function connect() {
  const socket: WebSocket = await (forum.app as any).injectWS('/ws');
  sockets.push(socket);
  const received: Message[] = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (raw) => {
    received.push(JSON.parse(raw.toString()));
    for (const wake of waiters.splice(0)) wake();
  });
  let read = 0;
  return {
    received,
    send: (message: unknown) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    /** The next message not yet taken, waiting up to 5 s for it. */
    async next(): Promise<Message> {
      const deadline = Date.now() + 5_000;
      while (read >= received.length) {
        if (Date.now() > deadline) throw new Error(`no message; got ${JSON.stringify(received)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return received[read++];
    },
    /** Messages up to and including the first that matches, for rooms where earlier events may still be in flight. */
    async until(match: (m: Message) => boolean): Promise<Message[]> {
      const taken: Message[] = [];
      for (;;) {
        const message = await this.next();
        taken.push(message);
        if (match(message)) return taken;
      }
    },
  };
}

async function subscribe(socket: Awaited<ReturnType<typeof connect>>, room: string) {
  socket.send({ type: 'subscribe', room });
  expect(await socket.next()).toEqual({ type: 'subscribed', room });
}

async function question() {
  const response = await asker.client.post('/api/threads', { category: 'help', kind: 'question', title: 'Live updates question', body: 'Anyone?' });
  expect(response.statusCode).toBe(201);
  return response.json() as { thread: { id: number }; post: { id: number } };
}

describe('/ws', () => {
  it('pushes new threads to the latest room', async () => {
    const socket = await connect();
    await subscribe(socket, 'latest');
    const { thread } = await question();
    const event = await socket.next();
    expect(event).toMatchObject({ type: 'event', name: 'forum.thread.created', room: 'latest', data: { thread: { id: thread.id, title: 'Live updates question', status: 'open' } } });
  });

  it("pushes a thread's replies, edits, votes, acceptance and deletions to its room", async () => {
    const { thread } = await question();
    const socket = await connect();
    await subscribe(socket, `thread:${thread.id}`);
    const room = `thread:${thread.id}`;

    const reply = (await peer.client.post(`/api/threads/${thread.id}/posts`, { body: 'Try **this**' })).json().post;
    expect(await socket.next()).toMatchObject({ type: 'event', room, name: 'forum.post.created', data: { post: { id: reply.id, bodyHtml: '<p>Try <strong>this</strong></p>\n' } } });
    // A peer reply answered the question.
    expect(await socket.next()).toMatchObject({ name: 'forum.thread.updated', data: { thread: { id: thread.id, status: 'answered' } } });

    await peer.client.patch(`/api/posts/${reply.id}`, { body: 'Try that' });
    expect(await socket.next()).toMatchObject({ name: 'forum.post.edited', data: { post: { id: reply.id, bodyMarkdown: 'Try that', revisionCount: 1 } } });

    await asker.client.put(`/api/posts/${reply.id}/vote`, { value: 1 });
    expect(await socket.next()).toMatchObject({ name: 'forum.post.voted', data: { postId: reply.id, score: 1 } });

    await asker.client.post(`/api/threads/${thread.id}/accept`, { postId: reply.id });
    expect(await socket.next()).toMatchObject({ name: 'forum.thread.updated', data: { thread: { status: 'solved', acceptedPostId: reply.id } } });

    await peer.client.delete(`/api/posts/${reply.id}`);
    expect(await socket.next()).toMatchObject({ name: 'forum.post.deleted', data: { postId: reply.id } });
    expect(await socket.next()).toMatchObject({ name: 'forum.thread.updated', data: { thread: { status: 'answered', acceptedPostId: null } } });
  });

  it('delivers events in commit order whether they ride in the notification or are too large to', async () => {
    const { thread } = await question();
    const socket = await connect();
    const room = `thread:${thread.id}`;
    await subscribe(socket, room);
    // A long reply makes an event larger than NOTIFY carries (8000 bytes): it is read back by id.
    const long = `${'A long, careful answer. '.repeat(600)}The end.`;
    const big = (await peer.client.post(`/api/threads/${thread.id}/posts`, { body: long })).json().post;
    const small = (await asker.client.post(`/api/threads/${thread.id}/posts`, { body: 'Thanks!' })).json().post;
    const events = await socket.until((m) => m.name === 'forum.post.created' && m.data.post.id === small.id);
    const created = events.filter((m) => m.name === 'forum.post.created').map((m) => m.data.post);
    expect(created.map((p: { id: number }) => p.id)).toEqual([big.id, small.id]);
    expect(created[0].bodyMarkdown).toBe(long);
    expect(JSON.stringify(created[0]).length).toBeGreaterThan(8000);
  });

  it("pushes posts in their public shape, without anyone's abilities or vote", async () => {
    const { thread } = await question();
    const socket = await connect();
    await subscribe(socket, `thread:${thread.id}`);
    await peer.client.post(`/api/threads/${thread.id}/posts`, { body: 'Public shape' });
    const { data } = await socket.next();
    expect(data.post).toMatchObject({ myVote: 0, abilities: { edit: false, delete: false, vote: false, accept: false } });
  });

  it('stops pushing a room after unsubscribe', async () => {
    const { thread } = await question();
    const socket = await connect();
    await subscribe(socket, `thread:${thread.id}`);
    await subscribe(socket, 'latest');
    socket.send({ type: 'unsubscribe', room: `thread:${thread.id}` });
    expect(await socket.next()).toEqual({ type: 'unsubscribed', room: `thread:${thread.id}` });
    await asker.client.post(`/api/threads/${thread.id}/posts`, { body: 'Nobody is listening' });
    const { thread: later } = await question();
    // Events arrive in commit order, so the reply's would have come before this one.
    const seen = await socket.until((m) => m.name === 'forum.thread.created' && m.data.thread.id === later.id);
    expect(seen.filter((m) => m.room !== 'latest')).toEqual([]);
  });

  it('does not push events of failed requests', async () => {
    const { thread } = await question();
    const socket = await connect();
    await subscribe(socket, `thread:${thread.id}`);
    await subscribe(socket, 'latest');
    expect((await peer.client.put(`/api/posts/999999/vote`, { value: 1 })).statusCode).toBe(404);
    expect((await peer.client.post(`/api/threads/${thread.id}/accept`, { postId: 1 })).statusCode).toBe(403);
    const { thread: later } = await question();
    const seen = await socket.until((m) => m.name === 'forum.thread.created' && m.data.thread.id === later.id);
    expect(seen.map((m) => m.name)).toEqual(seen.map(() => 'forum.thread.created'));
  });

  it('answers ping, and refuses unknown rooms, unknown types and non-JSON', async () => {
    const socket = await connect();
    socket.send({ type: 'ping' });
    expect(await socket.next()).toEqual({ type: 'pong' });
    for (const room of ['queue', 'thread:abc', 'users', 'thread:1:extra']) {
      socket.send({ type: 'subscribe', room });
      expect(await socket.next()).toMatchObject({ type: 'error', message: `unknown room: ${room}` });
    }
    socket.send({ type: 'shout', room: 'latest' });
    expect(await socket.next()).toMatchObject({ type: 'error' });
    socket.send('not json');
    expect(await socket.next()).toEqual({ type: 'error', message: 'messages must be JSON' });
  });
});
