import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { notifications, type Actor, type CoreConfig } from '@forum/core';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Clock, createCategory, createMember, createThread, ctxFor, relaxedConfig } from '../support/factories.js';
import { failedJobs, FORUM_KINDS, makeExpert, notificationsOf, personalEvents, queuedPayloads, runHandler, runJobs } from './support.js';

// Expert routing: a tagged question reaches the tag's experts at once, inside the community
// window, at most K routed questions per expert per rolling hour.

const K = 2;
const config: CoreConfig = { ...relaxedConfig, routing: { perExpertPerHour: K } };

let database: TestDatabase;
let clock: Clock;
let asker: Actor;

beforeAll(async () => {
  database = await createTestDatabase();
  clock = new Clock(new Date('2025-05-05T10:00:00.000Z'));
  asker = await createMember(database.db);
});
afterAll(async () => database?.drop());

const db = () => database.db;
const run = (batch?: number) => runJobs(db(), clock, config, batch);
let tagSeq = 0;

/** A category (window 90 minutes) with fresh tags, so each test has its own experts. */
async function topic(tagCount = 1) {
  const tags = Array.from({ length: tagCount }, () => `tag-${++tagSeq}-${Math.random().toString(36).slice(2, 7)}`);
  const category = await createCategory(db(), { windowMinutes: 90, tags });
  return { category: category.slug, tags };
}

const ask = (category: string, tags: string[], options: { kind?: 'question' | 'discussion'; body?: string; author?: Actor } = {}) =>
  createThread(db(), options.author ?? asker, { category, tags, kind: options.kind ?? 'question', body: options.body, clock });

const routed = (user: Actor) => notificationsOf(db(), user.id, ['routed']);

describe('routing a tagged question to its experts', () => {
  it("notifies each live expert of the question's tags once, naming the tags and the end of the community window", async () => {
    const { category, tags } = await topic(2);
    const [both, first, second, nonExpert] = await Promise.all([createMember(db()), createMember(db()), createMember(db()), createMember(db())]);
    await makeExpert(db(), both.id, tags[0]);
    await makeExpert(db(), both.id, tags[1]);
    await makeExpert(db(), first.id, tags[0]);
    await makeExpert(db(), second.id, tags[1]);
    const { thread, post } = await ask(category, tags);
    await run();

    const [n] = await routed(both);
    expect(await routed(both)).toHaveLength(1);
    expect(n).toMatchObject({ dedupeKey: `routed:thread:${thread.id}`, threadId: thread.id, postId: post.id, actorId: asker.id });
    expect(n.data.tags.map((t: { slug: string }) => t.slug)).toEqual([...tags].sort());
    expect(n.data.windowEndsAt).toBe(new Date(clock.current.getTime() + 90 * 60_000).toISOString());
    expect((await routed(first)).map((r) => r.data.tags)).toEqual([[{ slug: tags[0], name: tags[0] }]]);
    expect((await routed(second)).map((r) => r.data.tags)).toEqual([[{ slug: tags[1], name: tags[1] }]]);
    expect(await notificationsOf(db(), nonExpert.id, FORUM_KINDS)).toEqual([]);

    const push = (await personalEvents(db(), first.id)).at(-1)!;
    expect(push).toMatchObject({
      name: 'notifications.created',
      payload: {
        notification: {
          kind: 'routed',
          link: `/t/${thread.id}`,
          thread: { id: thread.id, title: thread.title },
          actor: { id: asker.id, handle: asker.handle },
          tags: [{ slug: tags[0], name: tags[0] }],
          windowEndsAt: n.data.windowEndsAt,
          text: `A question for experts in ${tags[0]}: “${thread.title}”`,
        },
        unreadCount: 1,
      },
    });
  });

  it('leaves out the asker, members who muted routing, silenced and suspended members, and revoked badges', async () => {
    const { category, tags } = await topic();
    const [expert, muted, silenced, suspended, revoked, askingExpert] = await Promise.all(Array.from({ length: 6 }, () => createMember(db())));
    for (const m of [expert, muted, silenced, suspended, revoked, askingExpert]) await makeExpert(db(), m.id, tags[0]);
    await notifications.updatePreferences(ctxFor(db(), muted, clock), { routingMuted: true });
    const later = new Date(clock.current.getTime() + 86_400_000);
    await db().execute(sql`update users set silenced_until = ${later} where id = ${silenced.id}`);
    await db().execute(sql`update users set suspended_until = ${later} where id = ${suspended.id}`);
    await db().execute(sql`update user_badges set revoked_at = ${clock.current}, revoke_reason = 'test' where user_id = ${revoked.id}`);

    await ask(category, tags, { author: askingExpert });
    await run();
    expect(await routed(expert)).toHaveLength(1);
    for (const m of [muted, silenced, suspended, revoked, askingExpert]) expect(await routed(m)).toEqual([]);

    // Unmuting takes effect for the next question.
    await notifications.updatePreferences(ctxFor(db(), muted, clock), { routingMuted: false });
    await ask(category, tags);
    await run();
    expect(await routed(muted)).toHaveLength(1);
  });

  it('does not route discussions, untagged questions, or questions whose window passed before the job ran', async () => {
    const { category, tags } = await topic();
    const expert = await createMember(db());
    await makeExpert(db(), expert.id, tags[0]);
    await ask(category, tags, { kind: 'discussion' });
    await ask(category, []);
    await run();
    expect(await routed(expert)).toEqual([]);

    await ask(category, tags);
    clock.advance(90);
    await run();
    expect(await routed(expert)).toEqual([]);
  });

  it('adds nothing when the routing job runs again on the same event', async () => {
    const { category, tags } = await topic();
    const expert = await createMember(db());
    await makeExpert(db(), expert.id, tags[0]);
    await ask(category, tags);
    const [payload] = (await queuedPayloads(db(), 'notifications.thread_created')).slice(-1);
    await run();
    const before = await notificationsOf(db(), expert.id);
    expect(before.map((n) => n.kind)).toEqual(['routed']);
    await runHandler(db(), 'notifications.thread_created', payload, clock, config);
    expect(await notificationsOf(db(), expert.id)).toEqual(before);
    expect((await personalEvents(db(), expert.id)).filter((e) => e.name === 'notifications.created')).toHaveLength(1);
  });

  it('sends an expert @mentioned in the question the mention only, without using up their routing', async () => {
    const { category, tags } = await topic();
    const expert = await createMember(db());
    await makeExpert(db(), expert.id, tags[0]);
    const { thread } = await ask(category, tags, { body: `@${expert.handle} you know this one` });
    await run();
    expect((await notificationsOf(db(), expert.id, FORUM_KINDS)).map((n) => [n.kind, n.threadId])).toEqual([['mention', thread.id]]);
  });
});

describe('the routing limit: K routed questions per expert per rolling hour', () => {
  it('routes K of K+2 questions, none more within the hour, and routes again once an hour has passed since the first', async () => {
    const { category, tags } = await topic();
    const [expert, other] = await Promise.all([createMember(db()), createMember(db())]);
    await makeExpert(db(), expert.id, tags[0]);
    await makeExpert(db(), other.id, tags[0]);
    const start = clock.current;
    const threads = [];
    for (let i = 0; i < K + 2; i++) threads.push((await ask(category, tags)).thread.id);
    await run();
    expect((await routed(expert)).map((n) => n.threadId)).toEqual(threads.slice(0, K));
    expect(await routed(other)).toHaveLength(K);

    clock.advance(59);
    await ask(category, tags);
    await run();
    expect(await routed(expert)).toHaveLength(K);

    clock.current = new Date(start.getTime() + 60 * 60_000 + 1_000);
    const { thread } = await ask(category, tags);
    await run();
    expect((await routed(expert)).map((n) => n.threadId)).toEqual([...threads.slice(0, K), thread.id]);
  });

  it('stays exact when K+5 questions are created at once and two workers run their jobs concurrently', async () => {
    // An odd K, so two runners in step would overshoot it (2 + 2 > 3) without the lock.
    const K = 3;
    const oddConfig: CoreConfig = { ...config, routing: { perExpertPerHour: K } };
    const { category, tags } = await topic();
    const experts = await Promise.all(Array.from({ length: 3 }, () => createMember(db())));
    for (const e of experts) await makeExpert(db(), e.id, tags[0]);
    const askers = await Promise.all(Array.from({ length: K + 5 }, () => createMember(db())));
    await Promise.all(askers.map((a) => ask(category, tags, { author: a })));
    // One job per claim, so the two runners interleave on separate connections.
    const [ranA, ranB] = await Promise.all([runJobs(db(), clock, oddConfig, 1), runJobs(db(), clock, oddConfig, 1)]);
    expect(ranA + ranB).toBeGreaterThanOrEqual(K + 5);
    expect(ranA).toBeGreaterThan(0);
    expect(ranB).toBeGreaterThan(0);
    for (const e of experts) expect(await routed(e)).toHaveLength(K);
  });

  it('left no failed jobs behind', async () => {
    expect(await failedJobs(db())).toEqual([]);
  });
});
