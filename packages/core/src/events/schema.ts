import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** The outbox: one row per domain event, written in the same transaction as the change. */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    name: text('name').notNull(),
    /** websocket rooms the event is pushed to */
    rooms: text('rooms').array().notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('events_created_idx').on(t.createdAt)],
);

/**
 * Background jobs in PostgreSQL. The outbox fans each event out to the job kinds that subscribe
 * to it (events/subscriptions.ts) in the same transaction; delayed jobs (timers) set `run_at`.
 * Workers on any instance claim due jobs with FOR UPDATE SKIP LOCKED, run each in a transaction
 * that also deletes it, and retry failures with backoff. Handlers are idempotent.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').notNull(),
    /** null: as soon as possible */
    runAt: timestamp('run_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastError: text('last_error'),
    /** set when the job failed too often; kept for inspection, never claimed again */
    deadAt: timestamp('dead_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('jobs_due_idx').on(sql`coalesce(${t.runAt}, '-infinity'::timestamptz)`, t.id).where(sql`${t.deadAt} is null`)],
);
