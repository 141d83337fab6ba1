import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { polls, forum as forumService, seedDemoCommunity, type Actor, type Role } from '@forum/core';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ctxFor, relaxedConfig } from '../support/factories.js';
import { scalar } from '../support/api.js';

// The demo community gets its reputation and trust levels from the same code paths as real use.

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  expect(await seedDemoCommunity(db.db, relaxedConfig)).toBe(true);
});
afterAll(async () => db?.drop());

async function demoMember(handle: string): Promise<Actor & { reputation: number }> {
  const { rows } = await db.db.execute<{ id: number; handle: string; display_name: string; role: Role; trust_level: number; reputation: number }>(
    sql`select id, handle, display_name, role, trust_level, reputation from users where handle = ${handle}`,
  );
  const r = rows[0];
  return { id: r.id, handle: r.handle, displayName: r.display_name, role: r.role, trustLevel: r.trust_level, silenced: false, reputation: r.reputation };
}

describe('the demo community', () => {
  it('has reputation that matches every member’s ledger, earned by the seeded votes and acceptances', async () => {
    expect(await scalar(db.db, sql`select count(*) from users u where u.reputation <> (select coalesce(sum(points), 0) from reputation_ledger l where l.user_id = u.id)`)).toBe(0);
    expect(await scalar(db.db, sql`select count(*) from reputation_ledger`)).toBeGreaterThan(20);
    // dev_raj's bulk-invite answer was upvoted three times and accepted
    const raj = await demoMember('dev_raj');
    expect(raj.reputation).toBeGreaterThanOrEqual(3 * relaxedConfig.reputation.answerUpvoted + relaxedConfig.reputation.answerAccepted);
  });

  it('has members at the trust levels their activity earned, maya among those who may start polls', async () => {
    const levels = await db.db.execute<{ handle: string; trust_level: number }>(sql`select handle, trust_level from users where role = 'member' order by handle`);
    expect(levels.rows.some((r) => r.trust_level >= 1)).toBe(true);
    expect(levels.rows.some((r) => r.trust_level >= 2)).toBe(true);
    const maya = await demoMember('maya');
    expect(maya.trustLevel).toBeGreaterThanOrEqual(1);

    const { thread } = await forumService.createThread(ctxFor(db.db, maya), { category: 'ideas', kind: 'discussion', title: 'Which view do you use most?', body: 'Curious.' });
    const poll = await polls.createPoll(ctxFor(db.db, maya), thread.id, { question: 'Your view', kind: 'single', options: ['Board', 'List'] });
    expect(poll.options).toHaveLength(2);
  });
});
