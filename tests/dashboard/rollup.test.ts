import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { dashboard, jobHandlers, runDueJobs, type Actor, type Db } from '@forum/core';
import { startModeration } from '../support/apps.js';
import type { ApiClient } from '../support/http.js';
import { Clock, createCategory, createMember, createReply, createThread, relaxedConfig } from '../support/factories.js';
import { clientAs, scalar } from '../support/api.js';

// The dashboard's finished days come from stored daily rows: written by the first request that
// needs them, recomputed by the hourly job while late changes can still move them; today is
// always live. Durations are stored to two significant digits.

let mod: Awaited<ReturnType<typeof startModeration>>;
let db: Db;
let clock: Clock;
let asker: Actor;
let peer: Actor;
let sueConsole: ApiClient;
let slug: string;
const ids: Record<string, number> = {};
const at = (iso: string) => new Clock(new Date(iso));

async function thread(name: string, created: string) {
  const { thread } = await createThread(db, asker, { category: slug, clock: at(created), title: `Thread ${name} asks something` });
  ids[name] = thread.id;
}

const day = async (date: string) => {
  const response = await sueConsole.get(`/api/dashboard?from=${date}&to=${date}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().buckets[0];
};

beforeAll(async () => {
  clock = new Clock(new Date('2025-06-11T12:00:00.000Z'));
  mod = await startModeration({ clock });
  db = mod.db.db;
  const sue = await createMember(db, { role: 'supervisor' });
  [asker, peer] = await Promise.all([createMember(db, { trustLevel: 1 }), createMember(db, { trustLevel: 1 })]);
  sueConsole = await clientAs(mod, sue, { app: 'moderation' });
  ({ slug } = await createCategory(db, { windowMinutes: 10_000 }));
  // 8 June: A nobody answered yet, B answered in 47 minutes, C in 123 minutes.
  await thread('A', '2025-06-08T10:00:00Z');
  await thread('B', '2025-06-08T11:00:00Z');
  await createReply(db, peer, ids.B, 'Restart the sync service.', at('2025-06-08T11:47:00Z'));
  await thread('C', '2025-06-08T12:00:00Z');
  await createReply(db, peer, ids.C, 'It is under Settings, Billing.', at('2025-06-08T14:03:00Z'));
  // Today: D, asked this morning.
  await thread('D', '2025-06-11T09:00:00Z');
});
afterAll(async () => {
  await mod?.close();
});

describe('stored days', () => {
  it('stores a finished day the first time it is asked for, never today, and reads durations to two significant digits', async () => {
    expect(await scalar(db, sql`select count(*) from dashboard_daily`)).toBe(0);
    const june8 = await day('2025-06-08');
    expect(june8).toMatchObject({ incoming: 3, selfServed: 2 });
    // 47 and 123 minutes are kept as 47 and 120: the median is 83.5 (85 exactly)
    expect(june8.firstPeerReply).toEqual({ median: 83.5, p90: 112.7, count: 2 });
    expect(await scalar(db, sql`select count(*) from dashboard_daily where day = '2025-06-08'`)).toBe(1);

    const days = (await sueConsole.get('/api/dashboard')).json();
    expect(days.buckets.find((b: { start: string }) => b.start === '2025-06-11')).toMatchObject({ incoming: 1, selfServed: 0 });
    expect(days.totals).toMatchObject({ incoming: 4, selfServed: 2 });
    // the 13 finished days of the default range are stored, today is not
    expect(await scalar(db, sql`select count(*) from dashboard_daily`)).toBe(13);
    expect(await scalar(db, sql`select count(*) from dashboard_daily where day = '2025-06-11'`)).toBe(0);
  });

  it('shows today live: a thread asked a minute ago counts at once', async () => {
    await thread('E', '2025-06-11T11:59:00Z');
    expect(await day('2025-06-11')).toMatchObject({ incoming: 2 });
  });
});

describe('the hourly rollup job', () => {
  it('recomputes the recent days, so a late peer reply reaches the day its thread was asked, and schedules the next run', async () => {
    // A gets its first peer reply today, 4,440 minutes after it was asked: the stored 8 June
    // does not know it yet
    await createReply(db, peer, ids.A, 'Clearing the cache fixed it for me.', clock);
    expect((await day('2025-06-08')).firstPeerReply.count).toBe(2);

    expect(await dashboard.ensureDashboardRollupScheduled(db, clock.now())).toBe(true);
    expect(await dashboard.ensureDashboardRollupScheduled(db, clock.now())).toBe(false);
    const runAt = async () =>
      (await db.execute<{ run_at: Date }>(sql`select run_at from jobs where kind = ${dashboard.ROLLUP_JOB} and dead_at is null`)).rows.map((r) => new Date(r.run_at).toISOString());
    expect(await runAt()).toEqual(['2025-06-11T13:05:00.000Z']);

    await runDueJobs({ db, now: at('2025-06-11T13:05:00Z').now, config: relaxedConfig }, jobHandlers);
    const june8 = await day('2025-06-08');
    expect(june8).toMatchObject({ incoming: 3, selfServed: 3, selfServiceRate: 1 });
    expect(june8.firstPeerReply).toEqual({ median: 120, p90: 3544, count: 3 });
    expect(await runAt()).toEqual(['2025-06-11T14:05:00.000Z']);
    // the job never stores today
    expect(await scalar(db, sql`select count(*) from dashboard_daily where day = '2025-06-11'`)).toBe(0);
  });
});
