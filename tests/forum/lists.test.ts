import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forum as forumService, type Actor, type ThreadStatus } from '@forum/core';
import { startForum, type TestForum } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { Clock, createCategory, createMember, createReply, createThread, ctxFor } from '../support/factories.js';
import { expectError } from '../support/api.js';

// Thread lists are keyset-paginated on (last activity, id). Many threads here share a
// timestamp on purpose, so a page boundary often falls inside a tie.

interface Made {
  id: number;
  category: string;
  tags: string[];
  status: ThreadStatus;
  at: number;
  deleted: boolean;
}

let forum: TestForum;
let anonymous: ApiClient;
const made: Made[] = [];

beforeAll(async () => {
  forum = await startForum();
  anonymous = new ApiClient(forum.app);
  const db = forum.db.db;
  await createCategory(db, { slug: 'alpha', tags: ['red', 'blue'] });
  await createCategory(db, { slug: 'beta', tags: ['green'] });
  const [author, peer, agent] = await Promise.all([createMember(db), createMember(db), createMember(db, { role: 'agent' })]);
  const clock = new Clock(new Date('2025-03-01T12:00:00.000Z'));

  for (let i = 0; i < 42; i++) {
    if (i % 4 === 0) clock.advance(1);
    const category = i % 3 === 0 ? 'beta' : 'alpha';
    const tags = category === 'beta' ? (i % 2 ? ['green'] : []) : i % 5 === 0 ? ['blue', 'red'] : i % 2 ? ['red'] : ['blue'];
    const { thread } = await createThread(db, author, { category, tags, clock });
    made.push({ id: thread.id, category, tags, status: 'open', at: clock.current.getTime(), deleted: false });
  }

  const ctx = (actor: Actor) => ctxFor(db, actor, clock);
  const replyTo = async (m: Made, actor: Actor) => {
    const post = await createReply(db, actor, m.id, 'A reply', clock);
    m.at = clock.current.getTime();
    return post;
  };
  clock.advance(5);
  for (const [i, m] of made.entries()) {
    // Replies land in groups that share a timestamp, too.
    if (i % 3 === 0) clock.advance(1);
    if (i % 5 === 1) {
      await replyTo(m, peer);
      m.status = 'answered';
    } else if (i % 7 === 2) {
      const post = await replyTo(m, peer);
      await forumService.acceptAnswer(ctx(author), m.id, post.id);
      m.status = 'solved';
    } else if (i % 6 === 4) {
      await replyTo(m, author);
    } else if (i % 9 === 5) {
      await replyTo(m, agent);
    } else if (i % 11 === 3) {
      await forumService.closeThread(ctx(author), m.id);
      m.status = 'closed';
    }
  }
  for (const m of [made[10], made[27]]) {
    await forumService.deleteThread(ctx(author), m.id);
    m.deleted = true;
  }
});
afterAll(async () => forum?.close());

const newestFirst = (a: Made, b: Made) => b.at - a.at || b.id - a.id;
const expected = (keep: (m: Made) => boolean) => made.filter((m) => !m.deleted && keep(m)).sort(newestFirst).map((m) => m.id);

/** Follows nextCursor to the end, checking each page, and returns every id in order. */
async function walk(query: string, limit: number): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const url: string = `/api/threads?${query}${query ? '&' : ''}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const response = await anonymous.get(url);
    expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
    const body = response.json();
    expect(body.threads.length).toBeLessThanOrEqual(limit);
    ids.push(...body.threads.map((t: { id: number }) => t.id));
    cursor = body.nextCursor;
    if (!cursor) return ids;
    expect(body.threads).toHaveLength(limit);
  }
  throw new Error('pagination did not end');
}

const lists: Array<[string, string, (m: Made) => boolean]> = [
  ['latest (the default)', '', () => true],
  ['latest, named', 'list=latest', () => true],
  ['unanswered', 'list=unanswered', (m) => m.status === 'open'],
  ['solved', 'list=solved', (m) => m.status === 'solved'],
  ['one category', 'category=alpha', (m) => m.category === 'alpha'],
  ['one tag', 'tag=red', (m) => m.tags.includes('red')],
  ['a category and a tag', 'category=alpha&tag=blue', (m) => m.category === 'alpha' && m.tags.includes('blue')],
  ['unanswered in a category', 'list=unanswered&category=beta', (m) => m.status === 'open' && m.category === 'beta'],
  ['solved with a tag', 'list=solved&tag=red', (m) => m.status === 'solved' && m.tags.includes('red')],
];

describe('GET /api/threads', () => {
  it('sets up a mix of statuses to list', () => {
    const live = made.filter((m) => !m.deleted);
    for (const status of ['open', 'answered', 'solved', 'closed'] as const) expect(live.some((m) => m.status === status)).toBe(true);
  });

  for (const [name, query, keep] of lists) {
    it(`${name}: newest activity first, with no duplicates and no gaps across pages`, async () => {
      const want = expected(keep);
      expect(want.length).toBeGreaterThan(0);
      for (const limit of [1, 4, 7, 50]) {
        const ids = await walk(query, limit);
        expect(new Set(ids).size, `limit ${limit}`).toBe(ids.length);
        expect(ids, `limit ${limit}`).toEqual(want);
      }
    });
  }

  it('returns 20 threads by default', async () => {
    const page = (await anonymous.get('/api/threads')).json();
    expect(page.threads).toHaveLength(20);
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it('returns an empty page with a null cursor when nothing matches', async () => {
    await createCategory(forum.db.db, { slug: 'quiet' });
    expect((await anonymous.get('/api/threads?category=quiet')).json()).toEqual({ threads: [], nextCursor: null });
  });

  it('gives each thread its summary: category, tags, author, counts and times', async () => {
    const solved = made.find((m) => m.status === 'solved' && !m.deleted)!;
    const summary = (await anonymous.get('/api/threads?list=solved&limit=50')).json().threads.find((t: { id: number }) => t.id === solved.id);
    expect(summary).toEqual({
      id: solved.id,
      title: expect.any(String),
      kind: 'question',
      status: 'solved',
      category: { id: expect.any(Number), slug: solved.category, name: `Category ${solved.category}` },
      tags: solved.tags,
      author: expect.objectContaining({ handle: expect.any(String), staff: false }),
      replyCount: 1,
      score: 0,
      createdAt: expect.any(String),
      lastActivityAt: new Date(solved.at).toISOString(),
    });
  });

  it('answers 404 for an unknown category or tag, and 400 for an unknown list', async () => {
    expectError(await anonymous.get('/api/threads?category=nowhere'), 404, 'category_not_found');
    expectError(await anonymous.get('/api/threads?tag=nothing'), 404, 'tag_not_found');
    expectError(await anonymous.get('/api/threads?list=popular'), 400, 'invalid_request', ['list']);
    expectError(await anonymous.get('/api/threads?category=Not%20A%20Slug'), 400, 'invalid_request', ['category']);
  });

  it('keeps paging stable while new activity arrives: no thread is seen twice or skipped', async () => {
    const before = expected(() => true);
    const first = (await anonymous.get('/api/threads?limit=10')).json();
    // A reply bumps an older thread to the top, and a new thread arrives, between two pages.
    const bumped = made.find((m) => !m.deleted && m.status !== 'closed' && !first.threads.some((t: { id: number }) => t.id === m.id))!;
    const member = await createMember(forum.db.db);
    await createReply(forum.db.db, member, bumped.id);
    const { thread: fresh } = await createThread(forum.db.db, member, { category: 'alpha' });

    const rest: number[] = [];
    let cursor: string | null = first.nextCursor;
    while (cursor) {
      const page = (await anonymous.get(`/api/threads?limit=10&cursor=${cursor}`)).json();
      rest.push(...page.threads.map((t: { id: number }) => t.id));
      cursor = page.nextCursor;
    }
    const seen = [...first.threads.map((t: { id: number }) => t.id), ...rest];
    expect(new Set(seen).size).toBe(seen.length);
    // Everything that was there before is seen exactly once, except the bumped thread, which
    // moved above the cursor; the new thread is above it too.
    expect(seen).toEqual(before.filter((id) => id !== bumped.id));
    expect(seen).not.toContain(fresh.id);

    const top = (await anonymous.get('/api/threads?limit=2')).json().threads.map((t: { id: number }) => t.id);
    expect(top).toEqual([fresh.id, bumped.id]);
  });
});
