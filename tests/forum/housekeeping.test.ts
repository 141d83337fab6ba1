import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { accounts, pruneRateLimits } from '@forum/core';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Clock, createMember, ctxFor } from '../support/factories.js';
import { scalar } from '../support/api.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

describe('housekeeping', () => {
  it('deletes expired sessions only, so live ones keep working', async () => {
    const member = await createMember(db.db);
    const clock = new Clock(new Date('2026-01-01T00:00:00Z'));
    const old = await accounts.createSession(ctxFor(db.db, null, clock), member.id, 'forum');
    clock.advance(20 * 24 * 60);
    const fresh = await accounts.createSession(ctxFor(db.db, null, clock), member.id, 'forum');
    clock.advance(15 * 24 * 60); // the first is 35 days old (past 30), the second 15
    expect(await accounts.pruneExpiredSessions(ctxFor(db.db, null, clock))).toBe(1);
    expect(await accounts.getSessionActor(ctxFor(db.db, null, clock), old, 'forum')).toBeNull();
    expect((await accounts.getSessionActor(ctxFor(db.db, null, clock), fresh, 'forum'))?.id).toBe(member.id);
  });

  it('deletes rate-limit windows that ended more than a day ago', async () => {
    const now = new Date('2026-02-01T12:00:00Z');
    await db.db.execute(sql`insert into rate_limits (key, window_start, count) values
      ('login:old', ${new Date(now.getTime() - 2 * 86_400_000)}, 5), ('login:recent', ${new Date(now.getTime() - 3_600_000)}, 2)`);
    expect(await pruneRateLimits(ctxFor(db.db, null, new Clock(now)))).toBe(1);
    expect(await scalar(db.db, sql`select count(*) from rate_limits where key = 'login:recent'`)).toBe(1);
  });
});
