import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { jobHandlers, runDueJobs, type Actor } from '@forum/core';
import { startForum, startModeration, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { Clock, createCategory, createMember, createThread, relaxedConfig } from '../support/factories.js';
import { clientAs, expectError, scalar } from '../support/api.js';
import { LiveClient } from '../support/ws.js';

// The agents' queue over HTTP: the asker's request for staff on the forum, and the console's
// listing, claims, releases and resolutions, with their errors, audit rows and live events.

let mod: Awaited<ReturnType<typeof startModeration>>;
let forum: TestForum;
let clock: Clock;
let asker: Actor;
let member: Actor;
let alice: Actor;
let bob: Actor;
let sue: Actor;
let askerForum: ApiClient;
let memberForum: ApiClient;
let aliceConsole: ApiClient;
let bobConsole: ApiClient;
let sueConsole: ApiClient;

beforeAll(async () => {
  clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
  mod = await startModeration({ clock });
  // No job worker: the test runs jobs itself, on its clock.
  forum = await startForum({ database: mod.db, clock, jobs: false });
  [asker, member, alice, bob, sue] = await Promise.all([
    createMember(mod.db.db, { trustLevel: 1 }),
    createMember(mod.db.db, { trustLevel: 1 }),
    createMember(mod.db.db, { role: 'agent', handle: 'agent_alice' }),
    createMember(mod.db.db, { role: 'agent', handle: 'agent_bob' }),
    createMember(mod.db.db, { role: 'supervisor', handle: 'super_sue' }),
  ]);
  [askerForum, memberForum, aliceConsole, bobConsole, sueConsole] = await Promise.all([
    clientAs(forum, asker),
    clientAs(forum, member),
    clientAs(mod, alice, { app: 'moderation' }),
    clientAs(mod, bob, { app: 'moderation' }),
    clientAs(mod, sue, { app: 'moderation' }),
  ]);
});
afterAll(async () => {
  await forum?.close();
  await mod?.close();
});

const runJobs = () => runDueJobs({ db: mod.db.db, now: clock.now, config: relaxedConfig }, jobHandlers);

async function category(options: { window?: number; sla?: number } = {}) {
  const { id, slug } = await createCategory(mod.db.db, { windowMinutes: options.window ?? 10_000 });
  await mod.db.db.execute(sql`update categories set sla_minutes = ${options.sla ?? 480} where id = ${id}`);
  return slug;
}

async function ask(slug?: string) {
  const { thread } = await createThread(mod.db.db, asker, { category: slug ?? (await category()), clock });
  return thread.id;
}

/** A thread the asker asked staff about; returns the queue item's id. */
async function requested(slug?: string): Promise<{ threadId: number; itemId: number }> {
  const threadId = await ask(slug);
  const response = await askerForum.post(`/api/threads/${threadId}/request-staff`);
  expect(response.statusCode, response.body).toBe(201);
  const itemId = await scalar(mod.db.db, sql`select id from queue_items where thread_id = ${threadId} and status <> 'resolved'`);
  return { threadId, itemId };
}

async function listAll(client: ApiClient, query: string) {
  const items: Array<Record<string, any>> = [];
  let cursor: string | null = null;
  do {
    const response = await client.get(`/api/queue?limit=2${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(response.statusCode, response.body).toBe(200);
    items.push(...response.json().items);
    cursor = response.json().nextCursor;
  } while (cursor);
  return items;
}

async function auditRows(itemId: number) {
  const { rows } = await mod.db.db.execute<{ actor_id: number; action: string; subject_type: string; reason: string | null; data: any }>(
    sql`select actor_id, action, subject_type, reason, data from audit_log where subject_type = 'queue_item' and subject_id = ${itemId} order by id`,
  );
  return rows;
}

describe('POST /api/threads/:id/request-staff (forum)', () => {
  it('puts the asker’s thread in the queue as requested, once', async () => {
    const threadId = await ask();
    const response = await askerForum.post(`/api/threads/${threadId}/request-staff`);
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toEqual({ request: { threadId, status: 'queued' } });
    const items = await listAll(aliceConsole, '&reason=requested');
    expect(items.filter((i) => i.thread.id === threadId).map((i) => i.reasons)).toEqual([['requested']]);

    const again = expectError(await askerForum.post(`/api/threads/${threadId}/request-staff`), 409, 'already_requested');
    expect(again.message).toMatch(/already requested/);
  });

  it('refuses other members (403), strangers (401) and unknown threads (404), and opens nothing', async () => {
    const threadId = await ask();
    expectError(await memberForum.post(`/api/threads/${threadId}/request-staff`), 403, 'forbidden');
    expectError(await new ApiClient(forum.app).post(`/api/threads/${threadId}/request-staff`), 401, 'unauthenticated');
    expectError(await askerForum.post('/api/threads/99999999/request-staff'), 404, 'thread_not_found');
    expectError(await askerForum.post('/api/threads/abc/request-staff'), 400, 'invalid_request', ['id']);
    expect(await scalar(mod.db.db, sql`select count(*) from queue_items where thread_id = ${threadId}`)).toBe(0);
  });
});

describe('GET /api/queue', () => {
  it('lists open items by SLA due time, then age, with time left and breach on the console clock', async () => {
    const slow = await category({ sla: 240 });
    const fast = await category({ sla: 60 });
    const first = await requested(slow);
    clock.advance(10);
    const second = await requested(fast);
    clock.advance(10);
    const third = await requested(fast);
    clock.advance(55);
    const mine = new Set([first.threadId, second.threadId, third.threadId]);
    const items = (await listAll(aliceConsole, '')).filter((i) => mine.has(i.thread.id));
    expect(items.map((i) => i.thread.id)).toEqual([second.threadId, third.threadId, first.threadId]);
    // 75 minutes after the first opened: second was due at 70, third at 80, first at 240
    expect(items.map((i) => [i.minutesLeft, i.breached])).toEqual([
      [-5, true],
      [5, false],
      [165, false],
    ]);
    expect(items[0]).toMatchObject({
      id: second.itemId,
      reasons: ['requested'],
      status: 'queued',
      tracks: { peer: { status: 'open', firstReplyAt: null }, agent: { status: 'queued', firstResponseAt: null } },
      claimedBy: null,
      resolution: null,
    });
  });

  it('lists resolved items newest first, each with who resolved it', async () => {
    const a = await requested();
    const b = await requested();
    expect((await aliceConsole.post(`/api/queue/${a.itemId}/resolve`)).statusCode).toBe(200);
    clock.advance(1);
    expect((await aliceConsole.post(`/api/queue/${b.itemId}/resolve`)).statusCode).toBe(200);
    const resolved = (await listAll(aliceConsole, '&status=resolved')).filter((i) => i.id === a.itemId || i.id === b.itemId);
    expect(resolved.map((i) => i.id)).toEqual([b.itemId, a.itemId]);
    expect(resolved[0]).toMatchObject({ status: 'resolved', resolution: 'agent', resolvedBy: { handle: 'agent_alice', staff: true } });
    expect((await listAll(aliceConsole, '')).some((i) => i.id === a.itemId)).toBe(false);
  });

  it('answers 400 for a bad status, reason, limit or cursor', async () => {
    expectError(await aliceConsole.get('/api/queue?status=closed'), 400, 'invalid_request', ['status']);
    expectError(await aliceConsole.get('/api/queue?reason=angry'), 400, 'invalid_request', ['reason']);
    expectError(await aliceConsole.get('/api/queue?limit=51'), 400, 'invalid_request', ['limit']);
    expectError(await aliceConsole.get('/api/queue?cursor=garbage'), 400, 'invalid', ['cursor']);
    // a resolved list's cursor is not an open list's
    const resolvedCursor = Buffer.from(JSON.stringify(['2025-06-02T09:00:00.000Z', 1])).toString('base64url');
    expectError(await aliceConsole.get(`/api/queue?cursor=${resolvedCursor}`), 400, 'invalid', ['cursor']);
  });
});

describe('claims', () => {
  it('lets exactly one of two agents claiming at the same moment win; the other learns who holds it', async () => {
    const { itemId } = await requested();
    const responses = await Promise.all([aliceConsole.post(`/api/queue/${itemId}/claim`), bobConsole.post(`/api/queue/${itemId}/claim`)]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const won = responses.find((r) => r.statusCode === 200)!;
    const lost = responses.find((r) => r.statusCode === 409)!;
    const winner = won.json().item.claimedBy.handle as string;
    expect(won.json().item).toMatchObject({ status: 'claimed', claimedAt: clock.current.toISOString(), lastAgentActivityAt: clock.current.toISOString() });
    expect(expectError(lost, 409, 'already_claimed').message).toBe(`This item is claimed by @${winner}`);
    expect((await auditRows(itemId)).map((r) => r.action)).toEqual(['queue.claimed']);
  });

  it('lets the holder or a supervisor release a claim, not another agent', async () => {
    const { itemId } = await requested();
    expect((await aliceConsole.post(`/api/queue/${itemId}/claim`)).statusCode).toBe(200);
    // claiming one's own claim again changes nothing
    expect((await aliceConsole.post(`/api/queue/${itemId}/claim`)).json().item.claimedBy.handle).toBe('agent_alice');
    expectError(await bobConsole.post(`/api/queue/${itemId}/release`), 403, 'forbidden');
    expectError(await bobConsole.post(`/api/queue/${itemId}/resolve`), 403, 'forbidden');

    const released = await sueConsole.post(`/api/queue/${itemId}/release`);
    expect(released.statusCode, released.body).toBe(200);
    expect(released.json().item).toMatchObject({ status: 'queued', claimedBy: null });
    expectError(await aliceConsole.post(`/api/queue/${itemId}/release`), 409, 'not_claimed');

    expect((await bobConsole.post(`/api/queue/${itemId}/claim`)).statusCode).toBe(200);
    expect((await bobConsole.post(`/api/queue/${itemId}/release`)).statusCode).toBe(200);
    expect((await auditRows(itemId)).map((r) => [r.action, r.actor_id])).toEqual([
      ['queue.claimed', alice.id],
      ['queue.released', sue.id],
      ['queue.claimed', bob.id],
      ['queue.released', bob.id],
    ]);
  });
});

describe('POST /api/queue/:id/resolve', () => {
  it('resolves once; a second resolve, claim or release answers 409 already_resolved', async () => {
    const { itemId } = await requested();
    expect((await aliceConsole.post(`/api/queue/${itemId}/claim`)).statusCode).toBe(200);
    const response = await aliceConsole.post(`/api/queue/${itemId}/resolve`, { note: 'Refund issued by phone.' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().item).toMatchObject({ status: 'resolved', resolution: 'agent', resolvedAt: clock.current.toISOString(), minutesLeft: 480, breached: false });
    expectError(await aliceConsole.post(`/api/queue/${itemId}/resolve`), 409, 'already_resolved');
    expectError(await bobConsole.post(`/api/queue/${itemId}/claim`), 409, 'already_resolved');
    expectError(await aliceConsole.post(`/api/queue/${itemId}/release`), 409, 'already_resolved');
    const rows = await auditRows(itemId);
    expect(rows.map((r) => r.action)).toEqual(['queue.claimed', 'queue.resolved']);
    expect(rows[1]).toMatchObject({
      actor_id: alice.id,
      reason: 'Refund issued by phone.',
      data: { before: { status: 'claimed', claimedById: alice.id }, after: { status: 'resolved', claimedById: alice.id } },
    });
  });

  it('answers 404 for an unknown item and 400 for an oversized note', async () => {
    expectError(await aliceConsole.post('/api/queue/99999999/resolve'), 404, 'queue_item_not_found');
    expectError(await aliceConsole.post('/api/queue/99999999/claim'), 404, 'queue_item_not_found');
    const { itemId } = await requested();
    expectError(await aliceConsole.post(`/api/queue/${itemId}/resolve`, { note: 'x'.repeat(501) }), 400, 'invalid_request', ['note']);
    expect(await auditRows(itemId)).toEqual([]);
  });
});

describe('members never reach the console', () => {
  it('answers 403 on every queue route, and changes nothing', async () => {
    const { itemId } = await requested();
    const memberConsole = await clientAs(mod, member, { app: 'moderation' });
    const routes: Array<['GET' | 'POST', string]> = [
      ['GET', '/api/queue'],
      ['GET', '/api/queue?status=resolved'],
      ['GET', '/api/queue/unanswered'],
      ['POST', `/api/queue/${itemId}/claim`],
      ['POST', `/api/queue/${itemId}/release`],
      ['POST', `/api/queue/${itemId}/resolve`],
    ];
    for (const [method, url] of routes) {
      expectError(await memberConsole.request(method, url, method === 'POST' ? {} : undefined), 403, 'forbidden');
      expectError(await new ApiClient(mod.app).request(method, url, method === 'POST' ? {} : undefined), 401, 'unauthenticated');
    }
    expect(await auditRows(itemId)).toEqual([]);
    expect(await scalar(mod.db.db, sql`select count(*) from queue_items where id = ${itemId} and status = 'queued'`)).toBe(1);
  });
});

describe('live', () => {
  let url: string;
  beforeAll(async () => {
    const address = await mod.app.listen({ port: 0, host: '127.0.0.1' });
    await mod.app.realtime.ready;
    url = `${address.replace('http', 'ws')}/ws`;
  });

  it('pushes queue.item.opened, claimed and resolved to consoles subscribed to room queue', async () => {
    const socket = await LiveClient.connect(url, {
      headers: { cookie: `console_sid=${aliceConsole.cookies.get('console_sid')}` },
    });
    try {
      await socket.subscribe('queue');
      const slug = await category({ window: 30 });
      const threadId = await ask(slug);
      await runJobs();
      clock.advance(30);
      await runJobs();
      const opened = await socket.waitFor((m) => m.name === 'queue.item.opened' && m.data.item.thread.id === threadId);
      expect(opened).toMatchObject({ type: 'event', room: 'queue', data: { item: { reasons: ['unanswered'], status: 'queued' } } });
      const itemId = opened.data.item.id;
      await bobConsole.post(`/api/queue/${itemId}/claim`);
      await bobConsole.post(`/api/queue/${itemId}/resolve`);
      const claimed = await socket.waitFor((m) => m.name === 'queue.item.claimed' && m.data.item.id === itemId);
      expect(claimed.data.item.claimedBy).toMatchObject({ handle: 'agent_bob' });
      const resolved = await socket.waitFor((m) => m.name === 'queue.item.resolved' && m.data.item.id === itemId);
      expect(resolved.data.item).toMatchObject({ status: 'resolved', resolution: 'agent' });
    } finally {
      socket.close();
    }
  });

  it('lets only a signed-in staff socket join room queue', async () => {
    const memberConsole = await clientAs(mod, member, { app: 'moderation' });
    const anonymous = await LiveClient.connect(url);
    const memberSocket = await LiveClient.connect(url, { headers: { cookie: `console_sid=${memberConsole.cookies.get('console_sid')}` } });
    try {
      for (const socket of [anonymous, memberSocket]) {
        socket.send({ type: 'subscribe', room: 'queue' });
        expect(await socket.waitFor((m) => m.type === 'error' || m.type === 'subscribed')).toMatchObject({
          type: 'error',
          message: expect.stringMatching(/room queue needs a signed-in session/),
        });
      }
    } finally {
      anonymous.close();
      memberSocket.close();
    }
  });
});
