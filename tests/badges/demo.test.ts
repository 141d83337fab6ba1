import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoCommunity } from '@forum/core';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Clock, relaxedConfig } from '../support/factories.js';
import { liveAwards, runJobs } from './support.js';

// The demo community shows what the product looks like in use: after its events are processed,
// its busiest answerers are Experts in their tags, through the same rules as real activity.

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  expect(await seedDemoCommunity(db.db, relaxedConfig)).toBe(true);
  await runJobs(db.db, new Clock());
});
afterAll(async () => db?.drop());

describe('the demo community’s badges', () => {
  it('has Experts in the tags their accepted answers are in, and everyday badges for the rest', async () => {
    const experts = await liveAwards(db.db);
    expect(experts).toEqual(expect.arrayContaining(['dev_raj:expert:api', 'priya:expert:android', 'dev_raj:first_accepted', 'maya:first_answer']));
    // Nobody is an Expert by accident: each expert award is one of the two above.
    expect(experts.filter((a) => a.includes(':expert:'))).toEqual(['dev_raj:expert:api', 'priya:expert:android']);
  });
});
