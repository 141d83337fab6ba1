import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { forum as core, type Actor, type CoreConfig } from '@forum/core';
import { startForum, type TestForum } from '../support/apps.js';
import { clientAs, expectError, signedIn } from '../support/api.js';
import { createCategory, createReply, createThread, ctxFor, relaxedConfig } from '../support/factories.js';
import { ApiClient } from '../support/http.js';
import { runJobs } from './support.js';

// Where badges show: next to the author of every post (their Expert tags, the thread's own tags
// first), on profiles, in the catalogue and on a tag's experts leaderboard.

const config: CoreConfig = { ...relaxedConfig, expert: { minAccepted: 2, minRatio: 0.5, windowDays: 30 } };

let forum: TestForum;
let ana: Actor;
let asker: Actor;
let anonymous: ApiClient;
let apiThread: number;
let billingThread: number;

beforeAll(async () => {
  forum = await startForum({ config, jobs: false });
  const db = forum.db.db;
  await createCategory(db, { slug: 'help', tags: ['billing', 'api', 'sso'] });
  [ana, asker] = [(await signedIn(forum, { handle: 'ana_expert' })).actor, (await signedIn(forum)).actor];
  anonymous = new ApiClient(forum.app);
  await createThread(db, asker, { category: 'help', kind: 'discussion', clock: forum.clock });
  // two accepted answers in api and in billing: Expert in both
  for (const tags of [['api'], ['api', 'sso'], ['billing'], ['billing']]) {
    const { thread } = await createThread(db, asker, { category: 'help', tags, clock: forum.clock });
    const post = await createReply(db, ana, thread.id, 'Here is how.', forum.clock);
    await core.acceptAnswer(ctxFor(db, asker, forum.clock, config), thread.id, post.id);
    if (tags[0] === 'api') apiThread = thread.id;
    else billingThread = thread.id;
  }
  await runJobs(db, forum.clock, config);
});
afterAll(async () => forum?.close());

const expertIn = (post: { author: { expertIn: Array<{ slug: string }> } }) => post.author.expertIn.map((t) => t.slug);

describe('post authors', () => {
  it("carry their Expert tags on the thread page, the thread's own tags first", async () => {
    const api = await anonymous.get(`/api/threads/${apiThread}`);
    expect(api.statusCode, api.body).toBe(200);
    const [question, answer] = api.json().posts;
    expect(expertIn(question)).toEqual([]);
    expect(answer.author).toMatchObject({ handle: ana.handle, expertIn: [{ slug: 'api', name: 'api' }, { slug: 'billing', name: 'billing' }] });
    const billing = (await anonymous.get(`/api/threads/${billingThread}`)).json();
    expect(expertIn(billing.posts[1])).toEqual(['billing', 'api']);
  });

  it('carry them on a new reply, in its answer and in its live event, and on an edited post', async () => {
    const client = await clientAs(forum, ana);
    const { thread } = await createThread(forum.db.db, asker, { category: 'help', tags: ['sso'], clock: forum.clock });
    const response = await client.post(`/api/threads/${thread.id}/posts`, { body: 'I can help with this.' });
    expect(response.statusCode, response.body).toBe(201);
    const post = response.json().post;
    expect(expertIn(post)).toEqual(['api', 'billing']);
    const { rows } = await forum.db.db.execute<{ payload: { post: { author: { expertIn: Array<{ slug: string }> } } } }>(
      sql`select payload from events where name = 'forum.post.created' and (payload->'post'->>'id')::int = ${post.id}`,
    );
    expect(expertIn(rows[0].payload.post)).toEqual(['api', 'billing']);
    const edited = await client.patch(`/api/posts/${post.id}`, { body: 'I can help with this, see below.' });
    expect(expertIn(edited.json().post)).toEqual(['api', 'billing']);
  });
});

describe('profiles', () => {
  it('list the live badges, gold first, with their tags and source', async () => {
    const response = await anonymous.get(`/api/users/${ana.handle}`);
    expect(response.statusCode, response.body).toBe(200);
    const list = response.json().badges.map((b: { badge: { slug: string; tier: string }; tag: { slug: string } | null; source: string }) => [b.badge.tier, b.badge.slug, b.tag?.slug ?? null, b.source]);
    // gold first; within a tier the newest award first, then by name and tag
    expect(list).toEqual([
      ['gold', 'expert', 'api', 'rule'],
      ['gold', 'expert', 'billing', 'rule'],
      ['bronze', 'first_accepted', null, 'rule'],
      ['bronze', 'first_answer', null, 'rule'],
    ]);
    const own = await anonymous.get(`/api/users/${ana.handle.toUpperCase()}/badges`);
    expect(own.json().badges).toEqual(response.json().badges);
    expectError(await anonymous.get('/api/users/nobody_here/badges'), 404, 'member_not_found');
  });
});

describe('the catalogue', () => {
  it('lists every badge with its holders, and pages through one badge’s holders', async () => {
    const list = (await anonymous.get('/api/badges')).json().badges;
    expect(list.find((b: { slug: string }) => b.slug === 'expert')).toMatchObject({ name: 'Expert', tier: 'gold', perTag: true, kept: false, holders: 1 });
    expect(list.find((b: { slug: string }) => b.slug === 'solution_author')).toMatchObject({ tier: 'gold', holders: 0 });

    const first = await anonymous.get('/api/badges/expert?limit=1');
    expect(first.statusCode, first.body).toBe(200);
    const page1 = first.json();
    expect(page1.badge.slug).toBe('expert');
    expect(page1.holders).toHaveLength(1);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = (await anonymous.get(`/api/badges/expert?limit=1&cursor=${page1.nextCursor}`)).json();
    expect(page2.nextCursor).toBeNull();
    expect([...page1.holders, ...page2.holders].map((h: { user: { handle: string }; tag: { slug: string } }) => [h.user.handle, h.tag.slug]).sort()).toEqual([
      [ana.handle, 'api'],
      [ana.handle, 'billing'],
    ]);

    expectError(await anonymous.get('/api/badges/legend'), 404, 'badge_not_found');
    expectError(await anonymous.get('/api/badges/Not-A-Slug'), 400, 'invalid_request');
    expectError(await anonymous.get('/api/badges/expert?cursor=garbage'), 400, 'invalid', ['cursor']);
  });
});

describe("a tag's experts", () => {
  it('ranks the experts with their counts in the window, and answers 404 for an unknown tag', async () => {
    const other = (await signedIn(forum)).actor;
    const { thread } = await createThread(forum.db.db, asker, { category: 'help', tags: ['api'], clock: forum.clock });
    const post = await createReply(forum.db.db, other, thread.id, 'Also this.', forum.clock);
    await core.acceptAnswer(ctxFor(forum.db.db, asker, forum.clock, config), thread.id, post.id);
    await runJobs(forum.db.db, forum.clock, config);
    const response = await anonymous.get('/api/tags/api/experts');
    expect(response.statusCode, response.body).toBe(200);
    const board = response.json();
    expect(board).toMatchObject({ tag: { slug: 'api', name: 'api' }, rule: config.expert, expertCount: 1 });
    expect(board.experts.map((e: { user: { handle: string }; accepted: number; answered: number }) => [e.user.handle, e.accepted, e.answered])).toEqual([[ana.handle, 2, 2]]);
    expect(board.contenders.map((c: { user: { handle: string }; accepted: number; qualifies: boolean }) => [c.user.handle, c.accepted, c.qualifies])).toEqual([[other.handle, 1, false]]);
    expectError(await anonymous.get('/api/tags/no-such-tag/experts'), 404, 'tag_not_found');
    expectError(await anonymous.get('/api/tags/api/experts?limit=0'), 400, 'invalid_request', ['limit']);
  });
});
