import type { Ctx } from '../context.js';
import { DAY, dayStart, parseDay } from '../dates.js';
import type { Executor } from '../db/client.js';
import { enqueueJob, hasPendingJob, type JobHandlers } from '../events/jobs.js';
import * as q from './queries.js';

// The dashboard's daily rollups (dashboard_daily, dashboard_agent_daily): a finished UTC day's
// numbers, stored so a request reads ≤ 92 small rows instead of every thread and item in its
// range. Today is never stored; requests compute it live.
//
// A finished day's row is written the first time a request needs it (ensureDays), and the
// hourly `dashboard.rollup` job recomputes rows while late changes still move them: a thread
// answered or solved days after it was asked, a first staff reply or a flag handled later. Each
// run recomputes the last REFRESH_RECENT_DAYS finished days, and every day of the last
// REFRESH_DEEP_DAYS (the longest day range a request may ask for, and more) not recomputed in
// the last 24 hours — so in practice once a day, shortly after midnight. A change to a thread
// created longer ago than that stays out of its day's cohort numbers until someone recomputes
// the day (`refreshDays`); the events of a day (resolutions, CSAT, breaches, claims) do not
// change once it is over.

const HOUR = 3_600_000;
export const ROLLUP_JOB = 'dashboard.rollup';
export const REFRESH_RECENT_DAYS = 7;
export const REFRESH_DEEP_DAYS = 98;


/**
 * Stores the rows of the finished days in [from, to) that have none yet (one pass over the span
 * from the first missing day to the last). Concurrent callers wait for each other, and the
 * later ones find nothing left to do. Returns how many days were missing.
 */
export async function ensureDays(db: Executor, from: Date, to: Date, now: Date): Promise<number> {
  if ((await q.missingDays(db, from, to)).length === 0) return 0;
  return db.transaction(async (tx) => {
    await q.lockDays(tx);
    const missing = await q.missingDays(tx, from, to);
    if (missing.length) await q.storeDays(tx, parseDay(missing[0]), new Date(parseDay(missing[missing.length - 1]).getTime() + DAY), now);
    return missing.length;
  });
}

/** Recomputes and stores the rows of the days in [from, to), clipped to the days finished at `now`, in one transaction. */
export async function refreshDays(db: Executor, from: Date, to: Date, now: Date): Promise<void> {
  const today = dayStart(now);
  const until = to < today ? to : today;
  if (until <= from) return;
  await db.transaction((tx) => q.storeDays(tx, from, until, now));
}

/** Five past the next hour. */
function nextRun(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR) * HOUR + HOUR + 5 * 60_000);
}

/** Starts the hourly rollup job's chain unless one is waiting: run at start-up (idempotent). */
export async function ensureDashboardRollupScheduled(db: Executor, now: Date): Promise<boolean> {
  if (await hasPendingJob(db, ROLLUP_JOB)) return false;
  await enqueueJob(db, ROLLUP_JOB, {}, nextRun(now));
  return true;
}

/** The hourly job: recomputes the recent days, and the older ones of the deep window once a day; then schedules the next run. */
async function runRollup(ctx: Ctx): Promise<void> {
  const now = ctx.now();
  const today = dayStart(now);
  const recent = new Date(today.getTime() - REFRESH_RECENT_DAYS * DAY);
  const stale = await q.staleDays(ctx.db, new Date(today.getTime() - REFRESH_DEEP_DAYS * DAY), recent, new Date(now.getTime() - 24 * HOUR));
  await refreshDays(ctx.db, stale.length ? parseDay(stale[0]) : recent, today, now);
  if (!(await hasPendingJob(ctx.db, ROLLUP_JOB, now))) await enqueueJob(ctx.db, ROLLUP_JOB, {}, nextRun(now));
}

export const rollupJobHandlers: JobHandlers = { [ROLLUP_JOB]: runRollup };
