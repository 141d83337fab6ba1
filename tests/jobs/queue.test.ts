import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { appendEvent, enqueueJob, runDueJobs, type JobHandlers } from '@forum/core';
import { EVENT_SUBSCRIPTIONS } from '../../packages/core/src/events/subscriptions.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Clock, relaxedConfig } from '../support/factories.js';

// The job queue is what turns committed events into badges, notifications and timers; these
// tests hold it to its promises: jobs exist only when the change committed, each job runs once
// even with several workers, failures retry later, and timers wait for their time.

let db: TestDatabase;
const clock = new Clock();
const ctx = () => ({ db: db.db, now: clock.now, config: relaxedConfig });

beforeAll(async () => {
  db = await createTestDatabase();
  // A subscription of this file's own; each test file runs in its own process.
  EVENT_SUBSCRIPTIONS['test.thing.happened'] = ['test.record', 'test.count'];
  await db.db.execute(sql`create table job_effects (kind text, job_payload jsonb)`);
});
afterAll(() => db.drop());

const recordingHandlers = (runs: string[]): JobHandlers => ({
  'test.record': async (jobCtx, payload) => {
    runs.push(`record:${(payload.facts as { n: number }).n}`);
    await jobCtx.db.execute(sql`insert into job_effects values ('record', ${JSON.stringify(payload)}::jsonb)`);
  },
  'test.count': async (_ctx, payload) => {
    runs.push(`count:${(payload.facts as { n: number }).n}`);
  },
});

async function effects(): Promise<number> {
  const { rows } = await db.db.execute<{ n: number }>(sql`select count(*)::int as n from job_effects`);
  return rows[0].n;
}

describe('the job queue', () => {
  it('creates one job per subscriber with the event, and none when the change rolls back', async () => {
    await db.db.transaction(async (tx) => appendEvent(tx, 'test.thing.happened', ['latest'], { visible: true }, { n: 1 }));
    await db.db
      .transaction(async (tx) => {
        await appendEvent(tx, 'test.thing.happened', ['latest'], { visible: true }, { n: 2 });
        throw new Error('the change failed');
      })
      .catch(() => {});
    const runs: string[] = [];
    expect(await runDueJobs(ctx(), recordingHandlers(runs))).toBe(2);
    expect(runs.sort()).toEqual(['count:1', 'record:1']);
    const { rows } = await db.db.execute<{ job_payload: { event: string; data: unknown; facts: unknown; eventId: number } }>(sql`select job_payload from job_effects`);
    expect(rows[0].job_payload).toMatchObject({ event: 'test.thing.happened', data: { visible: true }, facts: { n: 1 } });
    expect(rows[0].job_payload.eventId).toBeGreaterThan(0);
    expect(await runDueJobs(ctx(), recordingHandlers(runs))).toBe(0);
  });

  it('runs each job once when two workers drain the queue at the same time', async () => {
    await db.db.execute(sql`delete from job_effects`);
    for (let n = 0; n < 60; n++) await db.db.transaction(async (tx) => appendEvent(tx, 'test.thing.happened', [], {}, { n }));
    const runs: string[] = [];
    const [a, b] = await Promise.all([runDueJobs(ctx(), recordingHandlers(runs), 5), runDueJobs(ctx(), recordingHandlers(runs), 5)]);
    expect(a + b).toBe(120);
    expect(new Set(runs).size).toBe(120);
    expect(await effects()).toBe(60);
  });

  it('retries a failing job later, keeping nothing of the failed attempt, and gives up after repeated failures', async () => {
    await db.db.execute(sql`delete from job_effects`);
    await db.db.transaction(async (tx) => enqueueJob(tx, 'test.flaky', { n: 1 }));
    let attempts = 0;
    const flaky: JobHandlers = {
      'test.flaky': async (jobCtx) => {
        attempts++;
        await jobCtx.db.execute(sql`insert into job_effects values ('flaky', '{}'::jsonb)`);
        if (attempts < 3) throw new Error(`attempt ${attempts} failed`);
      },
    };
    await runDueJobs(ctx(), flaky);
    expect(attempts).toBe(1);
    expect(await effects()).toBe(0);
    const [job] = (await db.db.execute<{ last_error: string; run_at: Date }>(sql`select last_error, run_at from jobs where kind = 'test.flaky'`)).rows;
    expect(job.last_error).toBe('attempt 1 failed');
    expect(new Date(job.run_at).getTime()).toBeGreaterThan(clock.now().getTime());

    await runDueJobs(ctx(), flaky);
    expect(attempts).toBe(1); // not due yet
    clock.advance(1);
    await runDueJobs(ctx(), flaky);
    clock.advance(1);
    await runDueJobs(ctx(), flaky);
    expect(attempts).toBe(3);
    expect(await effects()).toBe(1);
    expect((await db.db.execute(sql`select 1 from jobs where kind = 'test.flaky'`)).rows).toHaveLength(0);

    await db.db.transaction(async (tx) => enqueueJob(tx, 'test.broken', {}));
    const broken: JobHandlers = { 'test.broken': async () => Promise.reject(new Error('always')) };
    for (let i = 0; i < 12; i++) {
      await runDueJobs(ctx(), broken);
      clock.advance(15);
    }
    const [dead] = (await db.db.execute<{ dead_at: Date | null; attempts: number }>(sql`select dead_at, attempts from jobs where kind = 'test.broken'`)).rows;
    expect(dead.dead_at).not.toBeNull();
    const attemptsAtDeath = dead.attempts;
    clock.advance(60);
    await runDueJobs(ctx(), broken);
    const [after] = (await db.db.execute<{ attempts: number }>(sql`select attempts from jobs where kind = 'test.broken'`)).rows;
    expect(after.attempts).toBe(attemptsAtDeath);
  });

  it('holds a timer until its time comes', async () => {
    const ran: number[] = [];
    const timers: JobHandlers = { 'test.timer': async (_c, payload) => void ran.push(payload.n as number) };
    await db.db.transaction(async (tx) => enqueueJob(tx, 'test.timer', { n: 7 }, new Date(clock.now().getTime() + 30 * 60_000)));
    await runDueJobs(ctx(), timers);
    clock.advance(29);
    await runDueJobs(ctx(), timers);
    expect(ran).toEqual([]);
    clock.advance(2);
    await runDueJobs(ctx(), timers);
    expect(ran).toEqual([7]);
  });

  it('leaves a job whose kind has no handler in the queue with the reason', async () => {
    await db.db.transaction(async (tx) => enqueueJob(tx, 'test.nobody', {}));
    await runDueJobs(ctx(), {});
    const [job] = (await db.db.execute<{ last_error: string }>(sql`select last_error from jobs where kind = 'test.nobody'`)).rows;
    expect(job.last_error).toMatch(/no handler for job kind test\.nobody/);
  });
});
