import { sql } from 'drizzle-orm';
import type { CoreConfig, Ctx } from '../context.js';
import type { Db, Executor } from '../db/client.js';

/** What a job handler receives: the event that started it, or the payload it was scheduled with. */
export interface JobPayload {
  event?: string;
  eventId?: number;
  /** the event's public payload */
  data?: unknown;
  /** ids the event's writer passed to jobs only */
  facts?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Runs inside the job's transaction (`ctx.db`); throwing rolls it back and schedules a retry. */
export type JobHandler = (ctx: Ctx, payload: JobPayload) => Promise<void>;
export type JobHandlers = Record<string, JobHandler>;

const LOCK_SECONDS = 120;
const MAX_ATTEMPTS = 8;

/** Schedules a job of `kind`, at once or at `runAt` (timers), inside the caller's transaction. */
export async function enqueueJob(tx: Executor, kind: string, payload: Record<string, unknown>, runAt?: Date): Promise<void> {
  await tx.execute(sql`insert into jobs (kind, payload, run_at) values (${kind}, ${JSON.stringify(payload)}::jsonb, ${runAt ?? null})`);
}

/** Whether a job of `kind` is waiting (with `after`: one due later than it, i.e. not the one running now). */
export async function hasPendingJob(db: Executor, kind: string, after?: Date): Promise<boolean> {
  const { rows } = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from jobs where kind = ${kind} and dead_at is null ${after ? sql`and run_at > ${after}` : sql``}`,
  );
  return rows[0].n > 0;
}

interface ClaimedJob {
  id: number;
  kind: string;
  payload: JobPayload;
  attempts: number;
}

async function claimJobs(db: Db, now: Date, limit: number): Promise<ClaimedJob[]> {
  const { rows } = await db.execute<{ id: string; kind: string; payload: JobPayload; attempts: number }>(sql`
    update jobs set locked_until = ${new Date(now.getTime() + LOCK_SECONDS * 1000)}, attempts = attempts + 1
    where id in (
      select id from jobs
      where dead_at is null
        and coalesce(run_at, '-infinity'::timestamptz) <= ${now}
        and (locked_until is null or locked_until < ${now})
      order by coalesce(run_at, '-infinity'::timestamptz), id
      limit ${limit}
      for update skip locked
    )
    returning id, kind, payload, attempts`);
  return rows.map((r) => ({ id: Number(r.id), kind: r.kind, payload: r.payload, attempts: r.attempts })).sort((a, b) => a.id - b.id);
}

async function runOne(db: Db, job: ClaimedJob, handlers: JobHandlers, config: CoreConfig, now: () => Date): Promise<void> {
  const handler = handlers[job.kind];
  try {
    if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
    await db.transaction(async (tx) => {
      await handler({ db: tx as unknown as Db, actor: null, now, config }, job.payload);
      await tx.execute(sql`delete from jobs where id = ${job.id}`);
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const backoffSeconds = Math.min(2 ** job.attempts, 600);
    const at = now();
    await db.execute(sql`
      update jobs set locked_until = null, last_error = ${message.slice(0, 2000)},
        run_at = ${new Date(at.getTime() + backoffSeconds * 1000)},
        dead_at = ${job.attempts >= MAX_ATTEMPTS ? at : null}
      where id = ${job.id}`);
  }
}

/**
 * Claims and runs due jobs until none are left; returns how many ran. Tests call this with
 * their clock to run event handlers deterministically; the worker calls it when woken.
 */
export async function runDueJobs(ctx: Pick<Ctx, 'db' | 'now' | 'config'>, handlers: JobHandlers, batch = 20): Promise<number> {
  let ran = 0;
  for (;;) {
    const claimed = await claimJobs(ctx.db, ctx.now(), batch);
    if (!claimed.length) return ran;
    for (const job of claimed) await runOne(ctx.db, job, handlers, ctx.config, ctx.now);
    ran += claimed.length;
  }
}

export interface JobWorker {
  /** run soon: an event was committed */
  kick(): void;
  /** resolves when everything due now has run (tests) */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A worker loop for one app instance: runs due jobs when kicked (after each committed event)
 * and every `pollMs` for timers and retries. Several instances may run one; SKIP LOCKED keeps
 * them from running the same job.
 */
export function startJobWorker(ctx: Pick<Ctx, 'db' | 'now' | 'config'>, handlers: JobHandlers, pollMs = 1_000): JobWorker {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await runDueJobs(ctx, handlers);
        } catch {
          // the database is away; the next poll tries again
        }
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
  }

  const timer = setInterval(kick, pollMs);
  timer.unref();
  kick();
  return {
    kick,
    async idle() {
      while (running) await running;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      while (running) await running;
    },
  };
}
