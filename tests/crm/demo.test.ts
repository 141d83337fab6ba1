import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { jobHandlers, runDueJobs, seedDemoCommunity } from '@forum/core';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { relaxedConfig } from '../support/factories.js';
import { scalar } from '../support/api.js';

// The demo's CRM side, as a newcomer logging in to the console finds it: customers behind the
// members, a VIP, one case open with support and one closed with its answer drafted.

let db: TestDatabase;
const now = new Date();

beforeAll(async () => {
  db = await createTestDatabase();
  expect(await seedDemoCommunity(db.db, relaxedConfig, now)).toBe(true);
  // what the worker does on the first start
  await runDueJobs({ db: db.db, now: () => new Date(now.getTime() + 60_000), config: relaxedConfig }, jobHandlers);
});
afterAll(async () => db?.drop());

describe('the CRM demo', () => {
  it('links maya (a VIP), dev_raj and amara to their contacts', async () => {
    const { rows } = await db.db.execute<{ handle: string; tier: string }>(sql`select u.handle, l.tier from crm_links l join users u on u.id = l.user_id where l.status = 'active' order by u.handle`);
    expect(rows).toEqual([
      { handle: 'amara', tier: 'standard' },
      { handle: 'dev_raj', tier: 'enterprise' },
      { handle: 'maya', tier: 'vip' },
    ]);
  });

  it('has a closed case whose drafted answer keeps the fix and drops the personal data, and an open one', async () => {
    const { rows } = await db.db.execute<{ title: string; status: string; draft_answer: string | null; support_resolved_at: Date | null }>(
      sql`select t.title, e.status, e.draft_answer, t.support_resolved_at from crm_escalations e join threads t on t.id = e.thread_id order by e.id`,
    );
    expect(rows.map((r) => [r.title, r.status])).toEqual([
      ['VAT number not shown on invoice', 'closed'],
      ['Slack app asks for permissions again every week', 'open'],
    ]);
    expect(rows[0].draft_answer).toContain('include it automatically');
    for (const secret of ['Amara', 'Okafor', 'amara@example.com', '7946']) expect(rows[0].draft_answer).not.toContain(secret);
    expect(rows[0].support_resolved_at).not.toBeNull();
    expect(rows[1].support_resolved_at).toBeNull();
  });

  it('keeps the thread support has out of the queue, though it is a VIP’s and unanswered', async () => {
    const slack = await scalar(db.db, sql`select id from threads where title = 'Slack app asks for permissions again every week'`);
    expect(await scalar(db.db, sql`select count(*) from queue_items where thread_id = ${slack} and status <> 'resolved'`)).toBe(0);
    expect(await scalar(db.db, sql`select count(*) from jobs where dead_at is not null`)).toBe(0);
  });
});

describe('the rest of the demo for product teams', () => {
  it('has knowledge-base articles from solved threads and a product account', async () => {
    const { rows } = await db.db.execute<{ title: string; thread_title: string }>(sql`select a.title, t.title as thread_title from kb_articles a join threads t on t.id = a.thread_id order by a.id`);
    expect(rows).toEqual([
      { title: 'Inviting your whole team at once', thread_title: 'How do I invite my whole team at once?' },
      { title: 'Copying a project as a template', thread_title: 'Can I copy a project as a template?' },
    ]);
    expect(await scalar(db.db, sql`select count(*) from users where role = 'product'`)).toBe(1);
    // the demo's posts are scored by the first run of the jobs (new posts) or the start-up backfill
    expect(await scalar(db.db, sql`select count(*) from post_sentiment`)).toBeGreaterThan(0);
  });
});
