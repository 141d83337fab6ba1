import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvent, forum, type Actor } from '@forum/core';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Clock, createCategory, createMember, createReply, createThread, ctxFor } from '../support/factories.js';
import { allNotifications, failedJobs, FORUM_KINDS, notificationsOf, personalEvents, queuedPayloads, runHandler, runJobs } from './support.js';

// Notifications made by the jobs that follow forum and badge events: replies, accepted answers,
// @mentions and badges. Jobs run deterministically with runDueJobs on the test's clock.

let database: TestDatabase;
let clock: Clock;
let category: string;
let asker: Actor;
let answerer: Actor;
let bystander: Actor;

beforeAll(async () => {
  database = await createTestDatabase();
  clock = new Clock(new Date('2025-05-05T10:00:00.000Z'));
  category = (await createCategory(database.db)).slug;
  [asker, answerer, bystander] = await Promise.all([
    createMember(database.db, { handle: `asker_${Date.now() % 100000}` }),
    createMember(database.db),
    createMember(database.db),
  ]);
});
afterAll(async () => database?.drop());

const db = () => database.db;
const ask = (author: Actor, body = 'How do I turn on the thing?', title = 'How do I turn on the thing?') =>
  createThread(db(), author, { category, body, title, clock });
const run = () => runJobs(db(), clock);

describe('reply notifications', () => {
  it("tells a thread's author about someone else's reply, with what the list needs, and pushes the unread count", async () => {
    const { thread } = await ask(asker, 'Body', 'Printer will not pair');
    const reply = await createReply(db(), answerer, thread.id, 'Hold the **pair** button for five seconds.', clock);
    await run();
    const [n] = await notificationsOf(db(), asker.id, ['reply']);
    expect(n).toMatchObject({
      kind: 'reply',
      threadId: thread.id,
      postId: reply.id,
      actorId: answerer.id,
      dedupeKey: `reply:post:${reply.id}`,
      readAt: null,
      data: { threadTitle: 'Printer will not pair', actor: { handle: answerer.handle, displayName: answerer.displayName }, excerpt: 'Hold the pair button for five seconds.' },
    });
    expect(n.createdAt).toEqual(clock.current);
    const pushed = (await personalEvents(db(), asker.id)).find((e) => e.name === 'notifications.created' && e.payload.notification.id === n.id);
    expect(pushed!.payload).toMatchObject({
      notification: {
        id: n.id,
        kind: 'reply',
        read: false,
        text: `${answerer.displayName} replied to “Printer will not pair”`,
        link: `/t/${thread.id}#post-${reply.id}`,
        thread: { id: thread.id, title: 'Printer will not pair' },
        actor: { id: answerer.id, handle: answerer.handle },
      },
      unreadCount: 1,
    });
    expect(await notificationsOf(db(), answerer.id, FORUM_KINDS)).toEqual([]);
  });

  it('does not notify authors of their own replies', async () => {
    const { thread } = await ask(bystander);
    await createReply(db(), bystander, thread.id, 'Bumping my own question.', clock);
    await run();
    expect(await notificationsOf(db(), bystander.id, FORUM_KINDS)).toEqual([]);
  });

  it('sends nothing for a reply deleted before its job ran', async () => {
    const author = await createMember(db());
    const { thread } = await ask(author);
    const reply = await createReply(db(), answerer, thread.id, 'Oops, wrong thread', clock);
    await forum.deletePost(ctxFor(db(), answerer, clock), reply.id);
    await run();
    expect(await notificationsOf(db(), author.id, FORUM_KINDS)).toEqual([]);
  });
});

describe('accepted-answer notifications', () => {
  it("tells the answer's author, once, however often it is accepted again", async () => {
    const author = await createMember(db());
    const { thread } = await ask(author);
    const reply = await createReply(db(), answerer, thread.id, 'Restart it.', clock);
    await forum.acceptAnswer(ctxFor(db(), author, clock), thread.id, reply.id);
    await run();
    await forum.unacceptAnswer(ctxFor(db(), author, clock), thread.id);
    await forum.acceptAnswer(ctxFor(db(), author, clock), thread.id, reply.id);
    await run();
    const accepted = await notificationsOf(db(), answerer.id, ['accepted']);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ threadId: thread.id, postId: reply.id, actorId: author.id, data: { actor: { handle: author.handle } } });
  });

  it('does not notify staff who accept their own answer', async () => {
    const agent = await createMember(db(), { role: 'agent' });
    const { thread } = await ask(bystander);
    const reply = await createReply(db(), agent, thread.id, 'Staff answer.', clock);
    await forum.acceptAnswer(ctxFor(db(), agent, clock), thread.id, reply.id);
    await run();
    expect(await notificationsOf(db(), agent.id, ['accepted'])).toEqual([]);
  });

  it('does not notify for an acceptance withdrawn before the job ran', async () => {
    const author = await createMember(db());
    const helper = await createMember(db());
    const { thread } = await ask(author);
    const reply = await createReply(db(), helper, thread.id, 'Maybe this?', clock);
    await forum.acceptAnswer(ctxFor(db(), author, clock), thread.id, reply.id);
    await forum.unacceptAnswer(ctxFor(db(), author, clock), thread.id);
    await run();
    expect(await notificationsOf(db(), helper.id, FORUM_KINDS)).toEqual([]);
  });
});

describe('@mentions', () => {
  it('notifies members mentioned in an opening post and in a reply, ignoring case', async () => {
    const [ann, ben] = await Promise.all([createMember(db()), createMember(db())]);
    const { thread, post } = await ask(asker, `Maybe @${ann.handle.toUpperCase()} knows?`);
    const reply = await createReply(db(), answerer, thread.id, `cc @${ben.handle} and @${ann.handle}`, clock);
    await run();
    const annMentions = await notificationsOf(db(), ann.id);
    expect(annMentions.map((n) => [n.kind, n.postId])).toEqual([
      ['mention', post.id],
      ['mention', reply.id],
    ]);
    expect(annMentions[0]).toMatchObject({ actorId: asker.id, threadId: thread.id, data: { excerpt: `Maybe @${ann.handle.toUpperCase()} knows?` } });
    expect((await notificationsOf(db(), ben.id)).map((n) => [n.kind, n.actorId])).toEqual([['mention', answerer.id]]);
    const pushed = (await personalEvents(db(), ben.id)).at(-1)!.payload.notification;
    expect(pushed).toMatchObject({ kind: 'mention', text: `${answerer.displayName} mentioned you in “How do I turn on the thing?”`, link: `/t/${thread.id}#post-${reply.id}` });
  });

  it('ignores code spans and blocks, email addresses, unknown handles and the author', async () => {
    const [cody, dana] = await Promise.all([createMember(db()), createMember(db())]);
    const before = await allNotifications(db());
    await ask(
      cody,
      [
        'Use `@' + bystander.handle + '` in code,',
        '```',
        `@${answerer.handle}`,
        '```',
        `mail ${asker.handle}@example.com, ask @no_such_member_xyz or me: @${cody.handle}; only @${dana.handle} counts`,
      ].join('\n'),
    );
    await run();
    expect(await allNotifications(db())).toEqual([...before, { userId: dana.id, kind: 'mention' }]);
  });

  it('notifies at most ten members of one post, the first ten named', async () => {
    const many = await Promise.all(Array.from({ length: 12 }, () => createMember(db())));
    const author = await createMember(db());
    await ask(author, many.map((m) => `@${m.handle}`).join(' '));
    await run();
    const notified = await Promise.all(many.map(async (m) => (await notificationsOf(db(), m.id, ['mention'])).length));
    expect(notified).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
  });

  it("sends the thread's author one notification for a reply that also mentions them: the mention", async () => {
    const author = await createMember(db());
    const { thread } = await ask(author);
    const reply = await createReply(db(), answerer, thread.id, `@${author.handle} does this help?`, clock);
    await run();
    expect((await notificationsOf(db(), author.id, FORUM_KINDS)).map((n) => [n.kind, n.postId])).toEqual([['mention', reply.id]]);
  });
});

describe('badge notifications', () => {
  async function award(user: Actor, userBadgeId: number, badge: Record<string, unknown>) {
    await db().transaction(async (tx) => {
      await appendEvent(
        tx,
        'badges.badge.awarded',
        [`user:${user.id}`],
        { badge, user: { id: user.id, handle: user.handle } },
        { userBadgeId, userId: user.id, badge: badge.slug, tagId: null },
      );
    });
  }

  it('tells the holder about a badge awarded through the badges event, once per award', async () => {
    const holder = await createMember(db());
    await award(holder, 9001, { slug: 'expert', name: 'Expert', tier: 'gold', tag: { slug: 'printers', name: 'Printers' } });
    await award(holder, 9002, { slug: 'first_answer', name: 'First answer', tier: 'bronze', tag: null });
    await run();
    const rows = await notificationsOf(db(), holder.id);
    expect(rows.map((r) => [r.kind, r.dedupeKey])).toEqual([
      ['badge', 'badge:9001'],
      ['badge', 'badge:9002'],
    ]);
    const pushed = (await personalEvents(db(), holder.id)).filter((e) => e.name === 'notifications.created').map((e) => e.payload);
    expect(pushed[0]).toMatchObject({
      notification: {
        kind: 'badge',
        text: 'You earned the Expert badge in Printers',
        link: `/u/${holder.handle}`,
        badge: { slug: 'expert', name: 'Expert', tier: 'gold', tag: { slug: 'printers', name: 'Printers' } },
        thread: null,
        actor: null,
      },
      unreadCount: 1,
    });
    expect(pushed[1]).toMatchObject({ notification: { text: 'You earned the First answer badge' }, unreadCount: 2 });
  });
});

describe('retried jobs', () => {
  it('running a handler again on the same payload adds no notification and pushes nothing more', async () => {
    const author = await createMember(db());
    const mentioned = await createMember(db());
    const { thread } = await ask(author);
    await createReply(db(), answerer, thread.id, `Also asking @${mentioned.handle}`, clock);
    const [payload] = await queuedPayloads(db(), 'notifications.reply_created');
    await run();
    const rowsBefore = [...(await notificationsOf(db(), author.id)), ...(await notificationsOf(db(), mentioned.id))];
    const eventsBefore = [...(await personalEvents(db(), author.id)), ...(await personalEvents(db(), mentioned.id))];
    expect(rowsBefore.map((r) => r.kind).filter((k) => k !== 'badge').sort()).toEqual(['mention', 'reply']);

    await runHandler(db(), 'notifications.reply_created', payload, clock);
    await runHandler(db(), 'notifications.reply_created', payload, clock);
    expect([...(await notificationsOf(db(), author.id)), ...(await notificationsOf(db(), mentioned.id))]).toEqual(rowsBefore);
    expect([...(await personalEvents(db(), author.id)), ...(await personalEvents(db(), mentioned.id))]).toEqual(eventsBefore);
  });

  it('left no failed jobs behind', async () => {
    expect(await failedJobs(db())).toEqual([]);
  });
});
