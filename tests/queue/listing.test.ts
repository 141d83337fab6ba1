import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Actor } from '@forum/core';
import { startModeration } from '../support/apps.js';
import type { ApiClient } from '../support/http.js';
import { Clock, createCategory, createMember, createThread } from '../support/factories.js';
import { clientAs, expectError } from '../support/api.js';

// The console's queue listing read page by page, as agents scroll it: every filter and page size
// must give the same items in the same order as the whole queue sorted by hand, across cursors
// (the listing runs as prepared statements, one per shape, so each shape is walked here).

let mod: Awaited<ReturnType<typeof startModeration>>;
let clock: Clock;
let ana: Actor;
let bo: Actor;
let anaConsole: ApiClient;
let boConsole: ApiClient;

interface Seeded {
  id: number;
  threadId: number;
  title: string;
  dueAt: Date;
  priority: number;
  openedAt: Date;
  claimedById: number | null;
  reasons: string[];
  resolvedAt: Date | null;
  deleted: boolean;
}
let items: Seeded[] = [];

const NOW = new Date('2025-06-02T12:00:00.000Z');
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

beforeAll(async () => {
  clock = new Clock(NOW);
  mod = await startModeration({ clock });
  const db = mod.db.db;
  ana = await createMember(db, { role: 'agent', handle: 'listing_ana' });
  bo = await createMember(db, { role: 'agent', handle: 'listing_bo' });
  anaConsole = await clientAs(mod, ana, { app: 'moderation' });
  boConsole = await clientAs(mod, bo, { app: 'moderation' });
  const customer = await createMember(db);
  const { slug } = await createCategory(db, { windowMinutes: 10_000 });
  // [due in minutes, opened minutes ago, reasons, tier, holder, resolved minutes ago, thread deleted]
  const specs: Array<[number, number, string[], string | null, Actor | null, number | null, boolean]> = [
    [30, 200, ['unanswered'], null, null, null, false],
    [30, 190, ['flagged'], null, ana, null, false], // same due time: flagged first
    [30, 180, ['unanswered'], 'vip', null, null, false], // same reason: vip before the rest
    [30, 300, ['unanswered'], null, bo, null, false], // same due, reason, tier: the older first
    [-15, 400, ['requested'], null, ana, null, false], // breached: first of all
    [90, 100, ['rule', 'unanswered'], 'enterprise', null, null, false],
    [90, 100, ['rule'], 'enterprise', bo, null, false], // a tie on every key but the id
    [240, 20, ['unanswered', 'flagged'], null, null, null, false],
    [60, 50, ['flagged'], null, null, null, true], // its thread is deleted: never listed
    [600, 10, ['requested'], null, ana, null, false],
    [5, 600, ['unanswered'], null, null, 300, false], // resolved
    [5, 500, ['flagged'], null, ana, 30, false], // resolved
    [5, 450, ['requested'], null, bo, 30, false], // resolved, same time: the higher id first
    [5, 700, ['rule'], null, null, 200, true], // resolved, thread deleted
  ];
  const seeded: Seeded[] = [];
  for (const [n, [due, openedAgo, reasons, tier, holder, resolvedAgo, deleted]] of specs.entries()) {
    const title = `Listing thread ${n}`;
    const { thread } = await createThread(db, customer, { category: slug, title, clock });
    const resolved = resolvedAgo === null ? null : at(-resolvedAgo);
    const status = resolved ? 'resolved' : holder ? 'claimed' : 'queued';
    const { rows } = await db.execute<{ id: number; priority: number }>(sql`
      insert into queue_items (thread_id, status, reasons, opened_at, due_at, tier, claimed_by_id, claimed_at, resolved_at, resolved_by_id, resolution)
      values (${thread.id}, ${status}::queue_status, ${sql.raw(`array[${reasons.map((r) => `'${r}'`).join(',')}]`)}, ${at(-openedAgo)}, ${at(due)}, ${tier},
              ${holder?.id ?? null}, ${holder ? at(-openedAgo + 5) : null}, ${resolved}, ${resolved ? (holder?.id ?? null) : null},
              ${resolved ? (holder ? 'agent' : 'community') : null}::queue_resolution)
      returning id, priority`);
    if (deleted) await db.execute(sql`update threads set deleted_at = ${NOW} where id = ${thread.id}`);
    seeded.push({
      id: rows[0].id,
      threadId: thread.id,
      title,
      dueAt: at(due),
      priority: rows[0].priority,
      openedAt: at(-openedAgo),
      claimedById: holder?.id ?? null,
      reasons,
      resolvedAt: resolved,
      deleted,
    });
  }
  items = seeded;
});
afterAll(async () => mod?.close());

const byQueueOrder = (a: Seeded, b: Seeded) =>
  a.dueAt.getTime() - b.dueAt.getTime() || a.priority - b.priority || a.openedAt.getTime() - b.openedAt.getTime() || a.id - b.id;
const openItems = () => items.filter((i) => !i.resolvedAt && !i.deleted).sort(byQueueOrder);

/** Every page of a listing, following nextCursor; the ids in order and the pages' sizes. */
async function walk(client: ApiClient, query: string) {
  const ids: number[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 50; guard++) {
    const response = await client.get(`/api/queue?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    ids.push(...body.items.map((i: { id: number }) => i.id));
    sizes.push(body.items.length);
    cursor = body.nextCursor;
    if (!cursor) return { ids, sizes };
  }
  throw new Error('the listing never ended');
}

describe('queue listing by cursor', () => {
  it('walks the open queue in SLA order (due time, reason and tier, age, id) at any page size, without deleted threads', async () => {
    const expected = openItems().map((i) => i.id);
    expect(expected).toHaveLength(9);
    // the ties the order must break: the breached item first; at 30 minutes flagged, then vip, then age
    expect(expected[0]).toBe(items[4].id);
    expect(expected.slice(1, 5)).toEqual([items[1].id, items[2].id, items[3].id, items[0].id]);
    expect(expected.slice(5, 7)).toEqual([items[5].id, items[6].id]);
    for (const limit of [1, 2, 4, 20]) {
      const { ids, sizes } = await walk(anaConsole, `status=open&limit=${limit}`);
      expect(ids, `limit ${limit}`).toEqual(expected);
      expect(sizes.slice(0, -1).every((n) => n === limit)).toBe(true);
    }
  });

  it('shows each item with its thread, holder, reasons and time left', async () => {
    const first = (await anaConsole.get('/api/queue?limit=2')).json().items;
    expect(first[0]).toMatchObject({
      id: items[4].id,
      thread: { id: items[4].threadId, title: items[4].title },
      reasons: ['requested'],
      status: 'claimed',
      claimedBy: { id: ana.id, handle: 'listing_ana', staff: true },
      minutesLeft: -15,
      breached: true,
      presence: [],
    });
    expect(first[1]).toMatchObject({ id: items[1].id, reasons: ['flagged'], minutesLeft: 30, breached: false, claimedBy: { id: ana.id } });
  });

  it('lists only my items, only unassigned ones, or one reason, each in queue order across pages', async () => {
    const open = openItems();
    expect((await walk(anaConsole, 'assignee=mine&limit=1')).ids).toEqual(open.filter((i) => i.claimedById === ana.id).map((i) => i.id));
    expect((await walk(boConsole, 'assignee=mine&limit=1')).ids).toEqual(open.filter((i) => i.claimedById === bo.id).map((i) => i.id));
    expect((await walk(anaConsole, 'assignee=unassigned&limit=2')).ids).toEqual(open.filter((i) => i.claimedById === null).map((i) => i.id));
    for (const reason of ['unanswered', 'flagged', 'requested', 'rule']) {
      const { ids } = await walk(anaConsole, `reason=${reason}&limit=2`);
      expect(ids, reason).toEqual(open.filter((i) => i.reasons.includes(reason)).map((i) => i.id));
    }
    const { ids } = await walk(anaConsole, 'assignee=unassigned&reason=flagged&limit=1');
    expect(ids).toEqual([items[7].id]);
  });

  it('walks resolved items newest first, leaving out deleted threads', async () => {
    const expected = items
      .filter((i) => i.resolvedAt && !i.deleted)
      .sort((a, b) => b.resolvedAt!.getTime() - a.resolvedAt!.getTime() || b.id - a.id)
      .map((i) => i.id);
    expect(expected).toEqual([items[12].id, items[11].id, items[10].id]);
    for (const limit of [1, 2, 20]) expect((await walk(anaConsole, `status=resolved&limit=${limit}`)).ids, `limit ${limit}`).toEqual(expected);
    const first = (await anaConsole.get('/api/queue?status=resolved&limit=1')).json().items[0];
    expect(first).toMatchObject({ status: 'resolved', resolution: 'agent', resolvedBy: { id: bo.id }, presence: [] });
  });

  it('carries who has each item open, in arrival order, until the mark goes stale', async () => {
    const target = items[0];
    expect((await anaConsole.post(`/api/queue/${target.id}/presence`, { state: 'viewing' })).statusCode).toBe(200);
    clock.advance(0.25);
    expect((await boConsole.post(`/api/queue/${target.id}/presence`, { state: 'drafting' })).statusCode).toBe(200);
    const listed = async () => {
      const all = (await walk(anaConsole, 'limit=3')).ids;
      expect(all).toEqual(openItems().map((i) => i.id));
      const page = (await anaConsole.get('/api/queue?limit=20')).json().items;
      return { mine: page.find((i: { id: number }) => i.id === target.id).presence, others: page.filter((i: { id: number }) => i.id !== target.id) };
    };
    const fresh = await listed();
    expect(fresh.mine.map((p: { user: { handle: string }; state: string }) => [p.user.handle, p.state])).toEqual([
      ['listing_ana', 'viewing'],
      ['listing_bo', 'drafting'],
    ]);
    expect(fresh.mine[0].seenAt).toBe(NOW.toISOString());
    expect(fresh.others.every((i: { presence: unknown[] }) => i.presence.length === 0)).toBe(true);
    // Ana's mark is 45 s old 30 s later (config.queue.presenceSeconds); Bo's still counts
    clock.advance(0.5);
    expect((await listed()).mine.map((p: { user: { handle: string } }) => p.user.handle)).toEqual(['listing_bo']);
    clock.advance(1);
    expect((await listed()).mine).toEqual([]);
  });

  it('refuses a cursor from the other listing or a made-up one (400 invalid), and a bad filter (400 invalid_request)', async () => {
    const resolvedCursor = (await anaConsole.get('/api/queue?status=resolved&limit=1')).json().nextCursor;
    expectError(await anaConsole.get(`/api/queue?status=open&cursor=${encodeURIComponent(resolvedCursor)}`), 400, 'invalid', ['cursor']);
    expectError(await anaConsole.get('/api/queue?cursor=bm90LWEta2V5c2V0'), 400, 'invalid', ['cursor']);
    expectError(await anaConsole.get('/api/queue?reason=urgent'), 400, 'invalid_request', ['reason']);
    expectError(await anaConsole.get('/api/queue?limit=0'), 400, 'invalid_request', ['limit']);
  });
});
