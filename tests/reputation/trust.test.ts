import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { flags, forum as forumService, jobHandlers, members, runDueJobs, trust, type Actor, type CoreConfig } from '@forum/core';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Clock, createCategory, createMember, createReply, createThread, ctxFor, relaxedConfig } from '../support/factories.js';
import { scalar } from '../support/api.js';
import { eventsNamed, trustLevelOf } from './support.js';

// Automatic trust levels, through the real job path: services write events, the outbox makes
// trust.evaluate jobs, runDueJobs runs them with the test's clock.

const DAY = 24 * 60;
// Small thresholds so a test can reach level 2 and 3 in a few steps.
const config: CoreConfig = {
  ...relaxedConfig,
  trust: {
    levels: [
      { replies: 1, accepted: 0, days: 0, agreedFlags: 0 },
      { replies: 3, accepted: 1, days: 7, agreedFlags: 0 },
      { replies: 4, accepted: 1, days: 10, agreedFlags: 1 },
      { replies: 100, accepted: 50, days: 180, agreedFlags: 5 },
    ],
  },
};

let db: TestDatabase;
let clock: Clock;
let admin: Actor;
let agent: Actor;

beforeAll(async () => {
  db = await createTestDatabase();
  clock = new Clock(new Date('2031-03-01T09:00:00Z'));
  await createCategory(db.db, { slug: 'help' });
  [admin, agent] = await Promise.all([createMember(db.db, { role: 'admin' }), createMember(db.db, { role: 'agent' })]);
});
afterAll(async () => db?.drop());

const ctx = (actor: Actor | null) => ctxFor(db.db, actor, clock, config);
const runJobs = () => runDueJobs(ctx(null), jobHandlers);
/** A member who joined now (on the test clock). */
const join = async () => {
  const m = await createMember(db.db);
  await db.db.execute(sql`update users set created_at = ${clock.now()} where id = ${m.id}`);
  return m;
};
const ask = async (asker: Actor) => (await createThread(db.db, asker, { category: 'help', clock })).thread.id;
const reply = (actor: Actor, threadId: number) => createReply(db.db, actor, threadId, 'Try turning it off and on again.', clock);

describe('automatic promotion', () => {
  it('promotes a new member to 1 after their first reply in someone else’s thread, through the job', async () => {
    const [asker, newcomer] = [await join(), await join()];
    await reply(newcomer, await ask(newcomer)); // a reply in their own thread does not count
    await runJobs();
    expect(await trustLevelOf(db.db, newcomer.id)).toBe(0);

    await reply(newcomer, await ask(asker));
    expect(await trustLevelOf(db.db, newcomer.id)).toBe(0); // not until the job ran
    await runJobs();
    expect(await trustLevelOf(db.db, newcomer.id)).toBe(1);

    const changed = (await eventsNamed(db.db, 'members.trust_level.changed')).filter((e) => e.rooms.includes(`user:${newcomer.id}`));
    expect(changed).toEqual([{ rooms: [`user:${newcomer.id}`], payload: { level: 1 } }]);
    // running the jobs again changes nothing and announces nothing
    await runJobs();
    expect((await eventsNamed(db.db, 'members.trust_level.changed')).filter((e) => e.rooms.includes(`user:${newcomer.id}`))).toHaveLength(1);
  });

  it('reaches 2 once replies, an accepted answer and the days since joining are all there', async () => {
    const [asker, helper] = [await join(), await join()];
    const threads = [await ask(asker), await ask(asker), await ask(asker)];
    const answers = [];
    for (const t of threads) answers.push(await reply(helper, t));
    await forumService.acceptAnswer(ctx(asker), threads[0], answers[0].id);
    await runJobs();
    expect(await trustLevelOf(db.db, helper.id)).toBe(1); // a day-old member: not 2 yet

    clock.advance(7 * DAY);
    expect(await trust.evaluateEveryone(ctx(null))).toBeGreaterThanOrEqual(1);
    expect(await trustLevelOf(db.db, helper.id)).toBe(2);
    expect(await trustLevelOf(db.db, asker.id)).toBe(0); // asking alone earns nothing
  });

  it('never lowers a level on its own: withdrawing the acceptance leaves the level', async () => {
    const [asker, helper] = [await join(), await join()];
    const threads = [await ask(asker), await ask(asker), await ask(asker)];
    const answers = [];
    for (const t of threads) answers.push(await reply(helper, t));
    await forumService.acceptAnswer(ctx(asker), threads[0], answers[0].id);
    clock.advance(7 * DAY);
    await runJobs();
    await trust.evaluateEveryone(ctx(null));
    expect(await trustLevelOf(db.db, helper.id)).toBe(2);

    await forumService.unacceptAnswer(ctx(asker), threads[0]);
    await runJobs();
    await trust.evaluateEveryone(ctx(null));
    expect(await trustLevelOf(db.db, helper.id)).toBe(2);
  });

  it('counts agreed flags toward level 3', async () => {
    const [asker, helper, spammer] = [await join(), await join(), await join()];
    const threads = [await ask(asker), await ask(asker), await ask(asker), await ask(asker)];
    const answers = [];
    for (const t of threads) answers.push(await reply(helper, t));
    await forumService.acceptAnswer(ctx(asker), threads[0], answers[0].id);
    clock.advance(10 * DAY);
    await runJobs();
    await trust.evaluateEveryone(ctx(null));
    expect(await trustLevelOf(db.db, helper.id)).toBe(2);

    const spam = await reply(spammer, threads[1]);
    const flag = await flags.flagPost(ctx({ ...helper, trustLevel: 2 }), spam.id, { reason: 'spam' });
    await flags.resolveFlag(ctx(agent), flag.id, { outcome: 'agreed' });
    await runJobs();
    expect(await trustLevelOf(db.db, helper.id)).toBe(3);
  });

  it('a disagreed flag counts for nothing', async () => {
    const [asker, flagger, author] = [await join(), await join(), await join()];
    const t = await ask(asker);
    const fine = await reply(author, t);
    const flag = await flags.flagPost(ctx(flagger), fine.id, { reason: 'other', note: 'not sure' });
    await flags.resolveFlag(ctx(agent), flag.id, { outcome: 'disagreed' });
    await runJobs();
    expect(await trustLevelOf(db.db, flagger.id)).toBe(0);
  });
});

describe('locked levels', () => {
  it('are left alone by promotion, and promotion carries on from an unlocked level', async () => {
    const [asker, helper] = [await join(), await join()];
    await members.setTrustLevel(ctx(admin), helper.handle, { level: 1, locked: true, reason: 'Watching this account for a while' });
    const threads = [await ask(asker), await ask(asker), await ask(asker)];
    const answers = [];
    for (const t of threads) answers.push(await reply(helper, t));
    await forumService.acceptAnswer(ctx(asker), threads[0], answers[0].id);
    clock.advance(8 * DAY);
    await runJobs();
    await trust.evaluateEveryone(ctx(null));
    expect(await trustLevelOf(db.db, helper.id)).toBe(1);

    await members.setTrustLevel(ctx(admin), helper.handle, { level: 1, locked: false, reason: 'Looks fine now' });
    await trust.evaluateEveryone(ctx(null));
    expect(await trustLevelOf(db.db, helper.id)).toBe(2);

    // an unlocked level set above what activity earned stays (promotion only raises)
    await members.setTrustLevel(ctx(admin), helper.handle, { level: 4, locked: false, reason: 'Community leader' });
    await trust.evaluateEveryone(ctx(null));
    expect(await trustLevelOf(db.db, helper.id)).toBe(4);

    const audit = await db.db.execute<{ action: string; reason: string; data: Record<string, unknown> }>(
      sql`select action, reason, data from audit_log where subject_type = 'user' and subject_id = ${helper.id} order by id`,
    );
    expect(audit.rows.map((r) => [r.action, r.reason, r.data.to, r.data.locked])).toEqual([
      ['member.trust_level_set', 'Watching this account for a while', 1, true],
      ['member.trust_level_set', 'Looks fine now', 1, false],
      ['member.trust_level_set', 'Community leader', 4, false],
    ]);
  });
});

describe('suspension', () => {
  it('drops the level to 0, and activity from before it does not promote the member again', async () => {
    const [asker, member] = [await join(), await join()];
    await reply(member, await ask(asker));
    await runJobs();
    expect(await trustLevelOf(db.db, member.id)).toBe(1);

    const until = new Date(clock.now().getTime() + 3 * DAY * 60_000);
    const status = await members.suspendMember(ctx(agent), member.handle, { until: until.toISOString(), reason: 'Repeated abuse in replies' });
    expect(status).toMatchObject({ trustLevel: 0, suspendedUntil: until.toISOString() });
    expect((await eventsNamed(db.db, 'members.trust_level.changed')).filter((e) => e.rooms.includes(`user:${member.id}`)).map((e) => e.payload.level)).toEqual([1, 0]);

    // while suspended nothing promotes them; after it ends, old replies do not count
    await trust.evaluateEveryone(ctx(null));
    clock.advance(4 * DAY);
    await trust.evaluateEveryone(ctx(null));
    expect(await trustLevelOf(db.db, member.id)).toBe(0);

    // new activity does
    await reply({ ...member, trustLevel: 0 }, await ask(asker));
    await runJobs();
    expect(await trustLevelOf(db.db, member.id)).toBe(1);
  });

  it('drops a locked level to 0 and keeps it locked', async () => {
    const member = await join();
    await members.setTrustLevel(ctx(admin), member.handle, { level: 3, locked: true, reason: 'Trusted moderator helper' });
    await members.suspendMember(ctx(agent), member.handle, { until: new Date(clock.now().getTime() + 60_000).toISOString(), reason: 'Cooling off' });
    const { rows } = await db.db.execute<{ trust_level: number; trust_level_locked: boolean }>(sql`select trust_level, trust_level_locked from users where id = ${member.id}`);
    expect(rows[0]).toEqual({ trust_level: 0, trust_level_locked: true });
    expect(await scalar(db.db, sql`select count(*) from audit_log where action = 'member.suspended' and subject_id = ${member.id} and reason = 'Cooling off'`)).toBe(1);
  });
});
