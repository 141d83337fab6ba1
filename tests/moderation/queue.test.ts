import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forum as forumService, type Actor } from '@forum/core';
import { startForum, startModeration, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { Clock, createCategory, createMember, createReply, createThread, ctxFor } from '../support/factories.js';
import { clientAs, expectError } from '../support/api.js';

// GET /api/queue/unanswered: threads past their category's community window with no peer
// reply, oldest first. Time moves with the shared clock, never by sleeping.

let mod: Awaited<ReturnType<typeof startModeration>>;
let forum: TestForum;
let clock: Clock;
let author: Actor;
let peer: Actor;
let agent: Actor;
let console_: ApiClient;

beforeAll(async () => {
  clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
  mod = await startModeration({ clock });
  // The forum app on the same database and clock, for the members' side of the story.
  forum = await startForum({ database: mod.db, clock });
  [author, peer, agent] = await Promise.all([createMember(mod.db.db), createMember(mod.db.db), createMember(mod.db.db, { role: 'agent' })]);
  console_ = await clientAs(mod, agent, { app: 'moderation' });
});
afterAll(async () => {
  await forum?.close();
  await mod?.close();
});

/** A fresh category with its own window, so each test reads only its own threads. */
async function category(windowMinutes: number) {
  return (await createCategory(mod.db.db, { windowMinutes })).slug;
}

async function ask(categorySlug: string, title = `Question asked at ${clock.current.toISOString()}`) {
  return (await createThread(mod.db.db, author, { category: categorySlug, title, clock })).thread;
}

async function queue(query = ''): Promise<Array<{ thread: { id: number; category: { slug: string } }; reason: string; windowEndedAt: string; waitingMinutes: number }>> {
  const items: Awaited<ReturnType<typeof queue>> = [];
  let cursor: string | null = null;
  do {
    const response = await console_.get(`/api/queue/unanswered?limit=50${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(response.statusCode, response.body).toBe(200);
    items.push(...response.json().items);
    cursor = response.json().nextCursor;
  } while (cursor);
  return items;
}

const queuedIds = async (slug: string) => (await queue()).filter((i) => i.thread.category.slug === slug).map((i) => i.thread.id);

describe('GET /api/queue/unanswered', () => {
  it('lists a thread only once its community window has passed', async () => {
    const slug = await category(60);
    const thread = await ask(slug);
    expect(await queuedIds(slug)).toEqual([]);
    clock.advance(59);
    expect(await queuedIds(slug)).toEqual([]);
    clock.advance(1);
    expect(await queuedIds(slug)).toEqual([thread.id]);
  });

  it('says when the window ended and how long the thread has waited since', async () => {
    const slug = await category(30);
    const asked = clock.current;
    const thread = await ask(slug);
    clock.advance(30 + 17);
    const [item] = (await queue()).filter((i) => i.thread.id === thread.id);
    expect(item).toEqual({
      thread: expect.objectContaining({ id: thread.id, status: 'open', replyCount: 0 }),
      reason: 'unanswered',
      windowEndedAt: new Date(asked.getTime() + 30 * 60_000).toISOString(),
      waitingMinutes: 17,
    });
  });

  it("uses each thread's own category window", async () => {
    const fast = await category(15);
    const slow = await category(240);
    const inSlow = await ask(slow);
    const inFast = await ask(fast);
    clock.advance(20);
    expect(await queuedIds(fast)).toEqual([inFast.id]);
    expect(await queuedIds(slow)).toEqual([]);
    clock.advance(240);
    expect(await queuedIds(slow)).toEqual([inSlow.id]);
  });

  it('lists the oldest first', async () => {
    const slug = await category(10);
    const first = await ask(slug, 'The first question asked');
    clock.advance(3);
    const second = await ask(slug, 'The second question asked');
    clock.advance(3);
    const third = await ask(slug, 'The third question asked');
    clock.advance(60);
    expect(await queuedIds(slug)).toEqual([first.id, second.id, third.id]);
  });

  it('drops a thread once a peer replies, even after the window', async () => {
    const slug = await category(10);
    const answered = await ask(slug);
    const waiting = await ask(slug);
    clock.advance(11);
    expect(await queuedIds(slug)).toEqual([answered.id, waiting.id]);
    // A member replies through the forum.
    const member = await clientAs(forum, peer);
    expect((await member.post(`/api/threads/${answered.id}/posts`, { body: 'Here is what worked for me.' })).statusCode).toBe(201);
    expect(await queuedIds(slug)).toEqual([waiting.id]);
  });

  it('keeps a thread that only staff or its own author replied to', async () => {
    const slug = await category(10);
    const staffOnly = await ask(slug);
    const authorOnly = await ask(slug);
    await createReply(mod.db.db, agent, staffOnly.id, 'An agent looked at this.', clock);
    await createReply(mod.db.db, author, authorOnly.id, 'Bump, anyone?', clock);
    clock.advance(11);
    expect(await queuedIds(slug)).toEqual([staffOnly.id, authorOnly.id]);
  });

  it('leaves out solved, closed and deleted threads', async () => {
    const slug = await category(10);
    const solved = await ask(slug);
    const closed = await ask(slug);
    const deleted = await ask(slug);
    const open = await ask(slug);
    const ctx = ctxFor(mod.db.db, author, clock);
    const staffAnswer = await createReply(mod.db.db, agent, solved.id, 'The fix is in settings.', clock);
    await forumService.acceptAnswer(ctx, solved.id, staffAnswer.id);
    await forumService.closeThread(ctx, closed.id);
    await forumService.deleteThread(ctx, deleted.id);
    clock.advance(11);
    expect(await queuedIds(slug)).toEqual([open.id]);

    // Reopened, the closed thread is waiting again.
    await forumService.reopenThread(ctx, closed.id);
    expect(await queuedIds(slug)).toEqual([closed.id, open.id]);
  });

  it('pages oldest first with nextCursor, without duplicates or gaps', async () => {
    const slug = await category(5);
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push((await ask(slug)).id);
      if (i % 2) clock.advance(1);
    }
    clock.advance(10);
    const all = (await queue()).map((i) => i.thread.id);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const response = await console_.get(`/api/queue/unanswered?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      const body = response.json();
      expect(body.items.length).toBeLessThanOrEqual(3);
      seen.push(...body.items.map((i: { thread: { id: number } }) => i.thread.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(seen.filter((id) => ids.includes(id))).toEqual(ids);
  });

  it('answers 401 without a session', async () => {
    expectError(await new ApiClient(mod.app).get('/api/queue/unanswered'), 401, 'unauthenticated');
  });

  it('answers 403 to a member who somehow holds a console session', async () => {
    const member = await clientAs(mod, author, { app: 'moderation' });
    expectError(await member.get('/api/queue/unanswered'), 403, 'forbidden');
  });

  it('answers 400 for a bad limit, cursor or parameter', async () => {
    expectError(await console_.get('/api/queue/unanswered?limit=0'), 400, 'invalid_request', ['limit']);
    expectError(await console_.get('/api/queue/unanswered?limit=51'), 400, 'invalid_request', ['limit']);
    expectError(await console_.get('/api/queue/unanswered?limit=1e400'), 400, 'invalid_request', ['limit']);
    expectError(await console_.get('/api/queue/unanswered?cursor=garbage'), 400, 'invalid', ['cursor']);
    expectError(await console_.get('/api/queue/unanswered?category=x'), 400, 'invalid_request', ['category']);
    const huge = Buffer.from(JSON.stringify(['2025-01-01T00:00:00.000Z', 99_999_999_999])).toString('base64url');
    expectError(await console_.get(`/api/queue/unanswered?cursor=${huge}`), 400, 'invalid', ['cursor']);
    const ancient = Buffer.from(JSON.stringify(['-271821-04-20T00:00:00.000Z', 1])).toString('base64url');
    expectError(await console_.get(`/api/queue/unanswered?cursor=${ancient}`), 400, 'invalid', ['cursor']);
  });
});
