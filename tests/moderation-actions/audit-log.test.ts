import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Actor } from '@forum/core';
import { startModeration } from '../support/apps.js';
import type { ApiClient } from '../support/http.js';
import { Clock, createCategory, createMember, createThread } from '../support/factories.js';
import { clientAs, expectError, scalar } from '../support/api.js';

// The audit log in the console: filters, paging, readable summaries, staff only, and no way to
// change it.

let mod: Awaited<ReturnType<typeof startModeration>>;
let clock: Clock;
let alice: Actor;
let bob: Actor;
let aliceConsole: ApiClient;
let bobConsole: ApiClient;
let memberConsole: ApiClient;
let threadIds: number[];
let startedAt: Date;

beforeAll(async () => {
  clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
  mod = await startModeration({ clock });
  const author = await createMember(mod.db.db, { trustLevel: 1 });
  [alice, bob] = await Promise.all([
    createMember(mod.db.db, { role: 'agent', handle: 'agent_alice' }),
    createMember(mod.db.db, { role: 'agent', handle: 'agent_bob' }),
  ]);
  [aliceConsole, bobConsole, memberConsole] = await Promise.all([
    clientAs(mod, alice, { app: 'moderation' }),
    clientAs(mod, bob, { app: 'moderation' }),
    clientAs(mod, author, { app: 'moderation' }),
  ]);
  const { slug } = await createCategory(mod.db.db);
  threadIds = [];
  for (let i = 0; i < 3; i++) threadIds.push((await createThread(mod.db.db, author, { category: slug, clock })).thread.id);
  startedAt = clock.now();
  // alice pins all three (an hour apart), bob closes the first
  for (const id of threadIds) {
    clock.advance(60);
    expect((await aliceConsole.post(`/api/threads/${id}/pin`, { reason: `Pin ${id}` })).statusCode).toBe(200);
  }
  clock.advance(60);
  expect((await bobConsole.post(`/api/threads/${threadIds[0]}/close`, { reason: 'Resolved by the docs' })).statusCode).toBe(200);
});
afterAll(async () => mod?.close());

const list = async (client: ApiClient, query: string) => {
  const response = await client.get(`/api/audit${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { entries: Array<Record<string, any>>; nextCursor: string | null };
};

describe('GET /api/audit', () => {
  it('lists entries newest first with the actor, subject, reason, data and a readable summary', async () => {
    const { entries } = await list(bobConsole, '?limit=4');
    expect(entries.map((e) => e.action)).toEqual(['thread.closed', 'thread.pinned', 'thread.pinned', 'thread.pinned']);
    expect(entries[0]).toMatchObject({
      actor: { id: bob.id, handle: 'agent_bob', staff: true },
      subject: { type: 'thread', id: threadIds[0] },
      reason: 'Resolved by the docs',
      data: { before: { status: 'open' }, after: { status: 'closed' } },
      createdAt: new Date(startedAt.getTime() + 4 * 3_600_000).toISOString(),
    });
    expect(entries[0].summary).toMatch(new RegExp(`^Closed thread #${threadIds[0]} “.+” \\(status: open → closed\\)$`));
    expect(entries[1].summary).toMatch(/^Pinned thread #\d+ “.+” \(pinned: false → true\)$/);
  });

  it('filters by actor handle, action prefix, subject and time', async () => {
    expect((await list(aliceConsole, '?actor=AGENT_BOB')).entries.map((e) => e.action)).toEqual(['thread.closed']);
    expect((await list(aliceConsole, '?actor=nobody_at_all')).entries).toEqual([]);
    expect((await list(aliceConsole, '?action=thread.pinned')).entries).toHaveLength(3);
    expect((await list(aliceConsole, '?action=thread.')).entries).toHaveLength(4);
    expect((await list(aliceConsole, '?action=thread_')).entries).toHaveLength(0);
    const subject = await list(aliceConsole, `?subjectType=thread&subjectId=${threadIds[0]}`);
    expect(subject.entries.map((e) => e.action)).toEqual(['thread.closed', 'thread.pinned']);
    const from = new Date(startedAt.getTime() + 2 * 3_600_000).toISOString();
    const to = new Date(startedAt.getTime() + 4 * 3_600_000).toISOString();
    const window = await list(aliceConsole, `?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    expect(window.entries.map((e) => e.subject.id)).toEqual([threadIds[2], threadIds[1]]);
  });

  it('pages by id with a cursor, seeing each entry once', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { entries: Array<Record<string, any>>; nextCursor: string | null } = await list(aliceConsole, `?action=thread.&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(4);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
  });

  it('answers 400 for bad filters and cursors, and 403 for members', async () => {
    expectError(await aliceConsole.get('/api/audit?from=yesterday'), 400, 'invalid', ['from']);
    expectError(await aliceConsole.get('/api/audit?from=2025-06-03T00:00:00Z&to=2025-06-02T00:00:00Z'), 400, 'invalid', ['to']);
    expectError(await aliceConsole.get('/api/audit?cursor=bm9wZQ'), 400, 'invalid', ['cursor']);
    expectError(await aliceConsole.get('/api/audit?limit=500'), 400, 'invalid_request', ['limit']);
    expectError(await aliceConsole.get('/api/audit?action=DROP%20TABLE'), 400, 'invalid_request', ['action']);
    expectError(await aliceConsole.get('/api/audit?colour=red'), 400, 'invalid_request', ['colour']);
    expectError(await memberConsole.get('/api/audit'), 403, 'forbidden');
  });
});

describe('append-only', () => {
  it('has no route that changes or removes entries, and reading writes none', async () => {
    const count = await scalar(mod.db.db, sql`select count(*) from audit_log`);
    const [first] = (await list(aliceConsole, '?limit=1')).entries;
    for (const method of ['PUT', 'PATCH', 'DELETE', 'POST'] as const) {
      for (const url of ['/api/audit', `/api/audit/${first.id}`]) {
        expectError(await aliceConsole.request(method, url, method === 'DELETE' ? undefined : { reason: 'tidy up' }), 404, 'route_not_found');
      }
    }
    for (let i = 0; i < 3; i++) await list(aliceConsole, '');
    expect(await scalar(mod.db.db, sql`select count(*) from audit_log`)).toBe(count);
    expect((await list(aliceConsole, '?limit=1')).entries[0]).toEqual(first);
    // the only write paths through the console are the actions themselves: every route the app
    // has under /api/audit is a GET
    const routes = mod.app.printRoutes({ commonPrefix: false }).split('\n').filter((l) => l.includes('/api/audit'));
    expect(routes.length).toBeGreaterThan(0);
    for (const line of routes) expect(line).toMatch(/\((GET|HEAD)(, (GET|HEAD))*\)/);
  });
});
