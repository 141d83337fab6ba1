import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { badges, forum, type Actor, type CoreConfig } from '@forum/core';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Clock, createCategory, createReply, createThread, ctxFor, relaxedConfig } from '../support/factories.js';
import { badgeEvents, badgesOf, lastEventId, member, runJobs } from './support.js';

// Expert in ‹tag›: at least 3 accepted answers in the tag over the last 30 days, and at least half
// of the questions answered there accepted (this file's configuration). Earned and lost through
// events, lapsed by the clock through the sweep, and earned again.

const config: CoreConfig = { ...relaxedConfig, expert: { minAccepted: 3, minRatio: 0.5, windowDays: 30 } };
const DAY = 24 * 60;

let database: TestDatabase;
let db: TestDatabase['db'];
const clock = new Clock(new Date('2026-01-05T09:00:00Z'));
let asker: Actor;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await createCategory(db, { slug: 'help', tags: ['billing', 'api', 'sso'] });
  asker = await member(db);
  await createThread(db, asker, { category: 'help', clock, kind: 'discussion' });
});
afterAll(() => database?.drop());

const ctx = (actor: Actor | null) => ctxFor(db, actor, clock, config);
const jobs = () => runJobs(db, clock, config);

/** A question in `tags` answered by `answerer`, accepted when `accepted`. */
async function answer(answerer: Actor, tags: string[], accepted: boolean) {
  const { thread } = await createThread(db, asker, { category: 'help', clock, tags });
  const post = await createReply(db, answerer, thread.id, 'Here is what worked for me.', clock);
  if (accepted) await forum.acceptAnswer(ctx(asker), thread.id, post.id);
  return { threadId: thread.id, postId: post.id };
}

async function expertRows(actor: Actor) {
  const { rows } = await db.execute<{ tag: string; revoked_at: string | null; revoked_by_id: number | null; revoke_reason: string | null; granted_by_id: number | null }>(sql`
    select tg.slug as tag, ub.revoked_at, ub.revoked_by_id, ub.revoke_reason, ub.granted_by_id
    from user_badges ub join tags tg on tg.id = ub.tag_id
    where ub.user_id = ${actor.id} and ub.badge = 'expert' order by ub.id`);
  return rows.map((r) => ({ ...r, revoked_at: r.revoked_at === null ? null : new Date(r.revoked_at) }));
}

const experts = async (actor: Actor) => (await badgesOf(db, actor)).filter((b) => b.startsWith('expert'));

describe('Expert in ‹tag›', () => {
  it('is earned with the third accepted answer in the tag, for that tag only', async () => {
    const ana = await member(db);
    await answer(ana, ['billing'], true);
    await answer(ana, ['billing', 'api'], true);
    await jobs();
    expect(await experts(ana)).toEqual([]);
    const before = await lastEventId(db);
    await answer(ana, ['billing'], true);
    await jobs();
    expect(await experts(ana)).toEqual(['expert:billing']);
    const events = (await badgeEvents(db, before)).filter((e) => e.payload.badge.slug === 'expert');
    expect(events).toEqual([
      {
        name: 'badges.badge.awarded',
        rooms: [`user:${ana.id}`],
        payload: { badge: { slug: 'expert', name: 'Expert', tier: 'gold', tag: { slug: 'billing', name: 'billing' } }, user: { id: ana.id, handle: ana.handle } },
      },
    ]);
  });

  it('is not earned while fewer than half of the questions answered in the tag were accepted', async () => {
    const ben = await member(db);
    for (let i = 0; i < 3; i++) await answer(ben, ['sso'], true);
    for (let i = 0; i < 4; i++) await answer(ben, ['sso'], false);
    await jobs();
    // 3 of 7 accepted
    expect(await experts(ben)).toEqual([]);
    expect(await badges.listQualifiers(ctx(null), [ben.id])).not.toContainEqual(expect.objectContaining({ badge: 'expert' }));
    // several replies in one question count as one question answered
    const { threadId } = await answer(ben, ['sso'], true);
    await createReply(db, ben, threadId, 'And one more detail.', clock);
    await createReply(db, ben, threadId, 'And another.', clock);
    await jobs();
    expect(await experts(ben)).toEqual(['expert:sso']);
  });

  it('lapses through events when the share accepted drops: more unaccepted answers, a withdrawn acceptance', async () => {
    const cleo = await member(db);
    const accepted = [];
    for (let i = 0; i < 3; i++) accepted.push(await answer(cleo, ['api'], true));
    await jobs();
    expect(await experts(cleo)).toEqual(['expert:api']);

    for (let i = 0; i < 3; i++) await answer(cleo, ['api'], false);
    await jobs();
    expect(await experts(cleo)).toEqual(['expert:api']); // 3 of 6 is still half
    const before = await lastEventId(db);
    await forum.unacceptAnswer(ctx(asker), accepted[0].threadId);
    await jobs();
    expect(await experts(cleo)).toEqual([]);
    expect(await expertRows(cleo)).toEqual([{ tag: 'api', revoked_at: clock.now(), revoked_by_id: null, revoke_reason: 'lapsed', granted_by_id: null }]);
    expect((await badgeEvents(db, before)).map((e) => [e.name, e.rooms, e.payload.badge.slug, e.payload.badge.tag?.slug])).toEqual([
      ['badges.badge.revoked', [`user:${cleo.id}`], 'expert', 'api'],
    ]);

    // deleting an unaccepted answer raises the share again (3 of 6): earned back through the deletion's event
    const extra = await answer(cleo, ['api'], false);
    await jobs();
    await forum.acceptAnswer(ctx(asker), accepted[0].threadId, accepted[0].postId);
    await forum.deletePost(ctx(cleo), extra.postId);
    await jobs();
    expect(await experts(cleo)).toEqual(['expert:api']);
    expect((await expertRows(cleo)).map((r) => r.revoke_reason)).toEqual(['lapsed', null]);
  });

  it('lapses when a thread it counted on is deleted', async () => {
    const finn = await member(db);
    const threads = [];
    for (let i = 0; i < 3; i++) threads.push(await answer(finn, ['sso', 'api'], true));
    await jobs();
    expect(await experts(finn)).toEqual(['expert:api', 'expert:sso']);
    await forum.deleteThread(ctx(asker), threads[1].threadId);
    await jobs();
    expect(await experts(finn)).toEqual([]);
  });

  it('follows a retag: answers count for the thread’s tags now', async () => {
    const dev = await member(db);
    const threads = [];
    for (let i = 0; i < 3; i++) threads.push(await answer(dev, ['sso'], true));
    await jobs();
    expect(await experts(dev)).toEqual(['expert:sso']);
    await forum.updateThread(ctx(asker), threads[0].threadId, { tags: ['billing'] });
    await jobs();
    expect(await experts(dev)).toEqual([]);
    await forum.updateThread(ctx(asker), threads[0].threadId, { tags: ['billing', 'sso'] });
    await jobs();
    expect(await experts(dev)).toEqual(['expert:sso']);
  });

  it('lapses with time through the sweep, announces it, and is earned again with new answers', async () => {
    const eve = await member(db);
    for (let i = 0; i < 3; i++) await answer(eve, ['billing'], true);
    await jobs();
    expect(await experts(eve)).toEqual(['expert:billing']);

    clock.advance(29 * DAY);
    await badges.sweepExperts(ctx(null));
    expect(await experts(eve)).toEqual(['expert:billing']);

    clock.advance(2 * DAY);
    const before = await lastEventId(db);
    const swept = await badges.sweepExperts(ctx(null));
    expect(swept.byBadge.expert.lapsed).toBeGreaterThanOrEqual(1);
    expect(await experts(eve)).toEqual([]);
    const lapsed = (await badgeEvents(db, before)).filter((e) => e.payload.user.id === eve.id);
    expect(lapsed.map((e) => [e.name, e.rooms, e.payload.badge.tag?.slug])).toEqual([['badges.badge.revoked', [`user:${eve.id}`], 'billing']]);
    // a second sweep has nothing left to do for her
    await badges.sweepExperts(ctx(null));
    expect((await expertRows(eve)).map((r) => r.revoke_reason)).toEqual(['lapsed']);

    for (let i = 0; i < 3; i++) await answer(eve, ['billing'], true);
    await jobs();
    expect(await experts(eve)).toEqual(['expert:billing']);
    expect((await expertRows(eve)).map((r) => [r.tag, r.revoke_reason])).toEqual([
      ['billing', 'lapsed'],
      ['billing', null],
    ]);
  });

  it('ranks a tag’s experts by accepted answers within the window, with the best other answerers after them', async () => {
    clock.advance(40 * DAY); // everyone above is out of the window
    await badges.sweepExperts(ctx(null));
    const [top, second, hopeful] = [await member(db), await member(db), await member(db)];
    for (let i = 0; i < 5; i++) await answer(top, ['api'], true);
    for (let i = 0; i < 3; i++) await answer(second, ['api'], true);
    await answer(hopeful, ['api'], true);
    await answer(hopeful, ['api'], false);
    await jobs();
    const board = await badges.listTagExperts(ctx(null), 'api');
    expect(board.expertCount).toBe(2);
    expect(board.experts.map((e) => [e.user.handle, e.accepted, e.answered])).toEqual([
      [top.handle, 5, 5],
      [second.handle, 3, 3],
    ]);
    expect(board.contenders.map((c) => [c.user.handle, c.accepted, c.answered, c.qualifies])).toEqual([[hopeful.handle, 1, 2, false]]);
    await expect(badges.listTagExperts(ctx(null), 'no-such-tag')).rejects.toMatchObject({ code: 'tag_not_found' });
  });
});
