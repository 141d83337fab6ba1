import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { flags, forum, jobHandlers, queue, runDueJobs, type Actor } from '@forum/core';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Clock, createCategory, createMember, createReply, createThread, ctxFor, relaxedConfig } from '../support/factories.js';

// The queue's entry and exit rules, run as the background jobs they are, on a clock the test
// moves: a thread enters only for a reason, at most one open item per thread, and an item that
// no agent holds leaves by itself when the community answers.

let db: TestDatabase;
let clock: Clock;
let asker: Actor;
let peer: Actor;
let regular: Actor;
let agent: Actor;

beforeAll(async () => {
  db = await createTestDatabase();
  clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));
  [asker, peer, regular, agent] = await Promise.all([
    createMember(db.db, { trustLevel: 1 }),
    createMember(db.db, { trustLevel: 1 }),
    createMember(db.db, { trustLevel: 2 }),
    createMember(db.db, { role: 'agent' }),
  ]);
});
afterAll(async () => db?.drop());

const runJobs = () => runDueJobs({ db: db.db, now: clock.now, config: relaxedConfig }, jobHandlers);
const as = (actor: Actor) => ctxFor(db.db, actor, clock);

async function category(options: { window?: number; sla?: number; flagThreshold?: number } = {}) {
  const { id, slug } = await createCategory(db.db, { windowMinutes: options.window ?? 60 });
  await db.db.execute(sql`update categories set sla_minutes = ${options.sla ?? 480}, flag_threshold = ${options.flagThreshold ?? 3} where id = ${id}`);
  return slug;
}

async function ask(slug: string, kind: 'question' | 'discussion' = 'question') {
  const { thread, post } = await createThread(db.db, asker, { category: slug, kind, clock });
  await runJobs();
  return { threadId: thread.id, postId: post.id };
}

type ItemRow = {
  id: number;
  status: string;
  reasons: string[];
  opened_at: Date;
  due_at: Date;
  resolution: string | null;
  resolved_at: Date | null;
  first_agent_response_at: Date | null;
};

async function itemsOf(threadId: number): Promise<ItemRow[]> {
  const { rows } = await db.db.execute<ItemRow>(sql`select * from queue_items where thread_id = ${threadId} order by id`);
  return rows.map((r) => ({ ...r, opened_at: new Date(r.opened_at), due_at: new Date(r.due_at), resolved_at: r.resolved_at && new Date(r.resolved_at) }));
}

async function queueEvents(threadId: number) {
  const { rows } = await db.db.execute<{ name: string; rooms: string[]; payload: { item: { thread: { id: number }; reasons: string[]; status: string } } }>(
    sql`select name, rooms, payload from events where name like 'queue.%' and (payload->'item'->'thread'->>'id')::int = ${threadId} order by id`,
  );
  return rows.map((r) => ({ name: r.name, rooms: r.rooms, reasons: r.payload.item.reasons, status: r.payload.item.status }));
}

describe('unanswered', () => {
  it('enters the queue exactly when the community window ends, not a minute before', async () => {
    const slug = await category({ window: 90, sla: 120 });
    const { threadId } = await ask(slug);
    clock.advance(89);
    await runJobs();
    expect(await itemsOf(threadId)).toEqual([]);

    clock.advance(1);
    const windowEnd = clock.current;
    await runJobs();
    const [item] = await itemsOf(threadId);
    expect(item).toMatchObject({ status: 'queued', reasons: ['unanswered'], resolution: null });
    expect(item.opened_at).toEqual(windowEnd);
    expect(item.due_at).toEqual(new Date(windowEnd.getTime() + 120 * 60_000));
    expect(await queueEvents(threadId)).toEqual([{ name: 'queue.item.opened', rooms: ['queue'], reasons: ['unanswered'], status: 'queued' }]);
  });

  it('never opens an item for a discussion a peer replied to inside the window', async () => {
    const slug = await category({ window: 30 });
    const { threadId } = await ask(slug, 'discussion');
    clock.advance(10);
    await createReply(db.db, peer, threadId, 'Same here; restarting the sync fixed it.', clock);
    clock.advance(30);
    await runJobs();
    expect(await itemsOf(threadId)).toEqual([]);
  });

  it('counts only replies by peers: the asker bumping or staff replying does not answer it', async () => {
    const slug = await category({ window: 30 });
    const { threadId } = await ask(slug, 'discussion');
    await createReply(db.db, asker, threadId, 'Anyone? Still stuck here.', clock);
    await createReply(db.db, agent, threadId, 'An agent had a first look.', clock);
    clock.advance(30);
    await runJobs();
    expect((await itemsOf(threadId)).map((i) => i.reasons)).toEqual([['unanswered']]);
  });

  it('for a question, needs an upvoted or accepted peer answer: a reply alone does not keep it out', async () => {
    const slug = await category({ window: 30 });
    const replied = await ask(slug);
    const upvoted = await ask(slug);
    const accepted = await ask(slug);
    await createReply(db.db, peer, replied.threadId, 'Maybe try turning it off and on?', clock);
    const good = await createReply(db.db, peer, upvoted.threadId, 'The option moved to Settings › Sync.', clock);
    await forum.votePost(as(regular), good.id, 1);
    const answer = await createReply(db.db, peer, accepted.threadId, 'Clear the cache, then log in again.', clock);
    await forum.acceptAnswer(as(asker), accepted.threadId, answer.id);
    clock.advance(30);
    await runJobs();
    expect((await itemsOf(replied.threadId)).map((i) => i.reasons)).toEqual([['unanswered']]);
    expect(await itemsOf(upvoted.threadId)).toEqual([]);
    expect(await itemsOf(accepted.threadId)).toEqual([]);
  });

  it('leaves out closed and deleted threads', async () => {
    const slug = await category({ window: 30 });
    const closed = await ask(slug);
    const deleted = await ask(slug);
    await forum.closeThread(as(asker), closed.threadId);
    await forum.deleteThread(as(asker), deleted.threadId);
    clock.advance(30);
    await runJobs();
    expect(await itemsOf(closed.threadId)).toEqual([]);
    expect(await itemsOf(deleted.threadId)).toEqual([]);
  });
});

describe('community-resolved exit', () => {
  it('resolves an unclaimed unanswered item by itself when a peer answers a discussion', async () => {
    const slug = await category({ window: 30 });
    const { threadId } = await ask(slug, 'discussion');
    clock.advance(30);
    await runJobs();
    clock.advance(5);
    await createReply(db.db, peer, threadId, 'I had this too: the fix is in the admin panel.', clock);
    await runJobs();
    const [item] = await itemsOf(threadId);
    expect(item).toMatchObject({ status: 'resolved', resolution: 'community' });
    expect(item.resolved_at).toEqual(clock.current);
    expect((await queueEvents(threadId)).map((e) => [e.name, e.status])).toEqual([
      ['queue.item.opened', 'queued'],
      ['queue.item.resolved', 'resolved'],
    ]);
  });

  it('resolves a question only once a peer answer is upvoted', async () => {
    const slug = await category({ window: 30 });
    const { threadId } = await ask(slug);
    clock.advance(30);
    await runJobs();
    const reply = await createReply(db.db, peer, threadId, 'Try the new export button.', clock);
    await runJobs();
    expect((await itemsOf(threadId))[0].status).toBe('queued');
    await forum.votePost(as(regular), reply.id, 1);
    await runJobs();
    expect((await itemsOf(threadId))[0]).toMatchObject({ status: 'resolved', resolution: 'community' });
  });

  it('does not let a claimed item leave by itself', async () => {
    const slug = await category({ window: 30 });
    const { threadId } = await ask(slug, 'discussion');
    clock.advance(30);
    await runJobs();
    const [opened] = await itemsOf(threadId);
    await queue.claimQueueItem(as(agent), opened.id);
    await createReply(db.db, peer, threadId, 'This worked for me last week.', clock);
    await runJobs();
    expect((await itemsOf(threadId)).map((i) => i.status)).toEqual(['claimed']);
  });

  it('keeps a flagged or requested item for an agent whatever the community does', async () => {
    const slug = await category({ window: 30 });
    const { threadId } = await ask(slug, 'discussion');
    clock.advance(30);
    await runJobs();
    await queue.requestStaff(as(asker), threadId);
    await createReply(db.db, peer, threadId, 'Have you tried the mobile app?', clock);
    await runJobs();
    expect((await itemsOf(threadId)).map((i) => [i.status, i.reasons])).toEqual([['queued', ['unanswered', 'requested']]]);
  });

  it("records a staff reply as the agent track's first response", async () => {
    const slug = await category({ window: 30 });
    const { threadId } = await ask(slug);
    clock.advance(30);
    await runJobs();
    clock.advance(7);
    await createReply(db.db, agent, threadId, 'Staff here: looking into it.', clock);
    await runJobs();
    const [item] = await itemsOf(threadId);
    expect(new Date(item.first_agent_response_at!)).toEqual(clock.current);
    expect(item.status).toBe('queued');
  });
});

describe('flagged', () => {
  it('enters when the open flags on one post reach the category threshold, by weight', async () => {
    const slug = await category({ window: 10_000, flagThreshold: 3 });
    const { threadId, postId } = await ask(slug);
    // weight 1 (level 1), then 2 (level 2): 3 reaches the threshold
    await flags.flagPost(as(peer), postId, { reason: 'spam' });
    await runJobs();
    expect(await itemsOf(threadId)).toEqual([]);
    await flags.flagPost(as(regular), postId, { reason: 'off_topic' });
    await runJobs();
    expect((await itemsOf(threadId)).map((i) => i.reasons)).toEqual([['flagged']]);
  });

  it('enters at once for "needs staff", whatever its weight', async () => {
    const slug = await category({ window: 10_000, flagThreshold: 10 });
    const { threadId, postId } = await ask(slug);
    await flags.flagPost(as(peer), postId, { reason: 'needs_staff' });
    await runJobs();
    expect((await itemsOf(threadId)).map((i) => i.reasons)).toEqual([['flagged']]);
  });

  it('weighs each post on its own', async () => {
    const slug = await category({ window: 10_000, flagThreshold: 2 });
    const { threadId, postId } = await ask(slug);
    const reply = await createReply(db.db, regular, threadId, 'Buy cheap licences at my site.', clock);
    await flags.flagPost(as(peer), postId, { reason: 'spam' });
    const other = await createMember(db.db, { trustLevel: 1 });
    await flags.flagPost(as(other), reply.id, { reason: 'spam' });
    await runJobs();
    expect(await itemsOf(threadId)).toEqual([]);
    await flags.flagPost(as(asker), reply.id, { reason: 'spam' });
    await runJobs();
    expect((await itemsOf(threadId)).map((i) => i.reasons)).toEqual([['flagged']]);
  });
});

describe('one open item per thread', () => {
  it('adds later reasons to the open item, once each, and opens a new item after resolution', async () => {
    const slug = await category({ window: 30, flagThreshold: 1 });
    const { threadId, postId } = await ask(slug);
    clock.advance(30);
    await runJobs();
    await flags.flagPost(as(peer), postId, { reason: 'abusive' });
    await flags.flagPost(as(regular), postId, { reason: 'abusive' });
    await runJobs();
    await queue.requestStaff(as(asker), threadId);
    await runJobs();
    const [item] = await itemsOf(threadId);
    expect(item.reasons).toEqual(['unanswered', 'flagged', 'requested']);
    expect((await queueEvents(threadId)).map((e) => e.name)).toEqual(['queue.item.opened', 'queue.item.updated', 'queue.item.updated']);

    await queue.resolveQueueItem(as(agent), item.id);
    const third = await createMember(db.db, { trustLevel: 1 });
    await flags.flagPost(as(third), postId, { reason: 'spam' });
    await runJobs();
    expect((await itemsOf(threadId)).map((i) => [i.status, i.reasons])).toEqual([
      ['resolved', ['unanswered', 'flagged', 'requested']],
      ['queued', ['flagged']],
    ]);
  });

  it('refuses a second open item for a thread in the database itself', async () => {
    const slug = await category();
    const { threadId } = await ask(slug);
    await queue.requestStaff(as(asker), threadId);
    await expect(
      db.db.execute(sql`insert into queue_items (thread_id, reasons, opened_at, due_at) values (${threadId}, '{flagged}', now(), now())`),
    ).rejects.toThrow();
  });
});
