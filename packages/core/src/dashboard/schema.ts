import { date, doublePrecision, index, integer, jsonb, pgTable, primaryKey, real, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.js';
import { queueItems } from '../queue/schema.js';

/**
 * The weekly QA sample: resolved items drawn at random per agent per week, then scored by a
 * supervisor on a short scorecard. The agent sees their own reviews.
 */
export const qaReviews = pgTable(
  'qa_reviews',
  {
    id: serial('id').primaryKey(),
    itemId: integer('item_id')
      .notNull()
      .references(() => queueItems.id, { onDelete: 'cascade' }),
    agentId: integer('agent_id')
      .notNull()
      .references(() => users.id),
    /** Monday of the week sampled (UTC) */
    weekStart: date('week_start', { mode: 'string' }).notNull(),
    sampledAt: timestamp('sampled_at', { withTimezone: true }).notNull(),
    reviewerId: integer('reviewer_id').references(() => users.id),
    /** scorecard criterion → 1..5 */
    scores: jsonb('scores').$type<Record<string, number> | null>(),
    /** the mean of the scores (1–5), for sorting and charts */
    total: real('total'),
    comment: text('comment'),
    scoredAt: timestamp('scored_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('qa_reviews_item_idx').on(t.itemId),
    index('qa_reviews_agent_week_idx').on(t.agentId, t.weekStart),
  ],
);

/**
 * The dashboard's numbers for one finished UTC day, so a request over 14 days or 12 weeks reads
 * at most 92 small rows instead of every thread and queue item in the range; today is always
 * computed live. Filled by the `dashboard.rollup` job and, for a finished day that has no row
 * yet, by the first request that needs it (queries.ts `dailyRows` defines every column, for the
 * stored days and for today alike). Durations are kept as a histogram of minutes rounded to two
 * significant digits, so the median and 90th percentile of any range are merged from a few
 * dozen pairs per day (within 5 % of exact; queries.ts says more).
 */
export const dashboardDaily = pgTable('dashboard_daily', {
  day: date('day', { mode: 'string' }).primaryKey(),
  computedAt: timestamp('computed_at', { withTimezone: true }).notNull(),
  /** threads created that day (deleted ones left out) */
  incoming: integer('incoming').notNull(),
  /** of those, answered or solved by the community (before closing, for closed ones) */
  answered: integer('answered').notNull(),
  /** of the answered ones, those with an item an agent resolved by answering */
  agentAnswered: integer('agent_answered').notNull(),
  /** created → first peer reply: the distinct minutes (two significant digits), ascending, and how many threads took each */
  peerMinutes: doublePrecision('peer_minutes').array().notNull(),
  peerCounts: integer('peer_counts').array().notNull(),
  /** queue items opened that day, per reason */
  openedUnanswered: integer('opened_unanswered').notNull(),
  openedFlagged: integer('opened_flagged').notNull(),
  openedRequested: integer('opened_requested').notNull(),
  openedRule: integer('opened_rule').notNull(),
  /** items opened that day: opened → first staff reply, as peer_minutes / peer_counts */
  firstResponseMinutes: doublePrecision('first_response_minutes').array().notNull(),
  firstResponseCounts: integer('first_response_counts').array().notNull(),
  /** items resolved that day, by resolution */
  resolvedAgent: integer('resolved_agent').notNull(),
  resolvedAssisted: integer('resolved_assisted').notNull(),
  resolvedCommunity: integer('resolved_community').notNull(),
  /** items an agent resolved that day (answered or assisted): opened → resolved, as peer_minutes / peer_counts */
  resolutionMinutes: doublePrecision('resolution_minutes').array().notNull(),
  resolutionCounts: integer('resolution_counts').array().notNull(),
  /** items due that day and not resolved by their due time */
  slaBreaches: integer('sla_breaches').notNull(),
  flagsRaised: integer('flags_raised').notNull(),
  /** of the flags raised that day, those handled since */
  flagsHandled: integer('flags_handled').notNull(),
  /** CSAT answers given that day: how many scored 1, 2, 3, 4, 5 */
  csatScores: integer('csat_scores').array().notNull(),
  /** items open at the day's end, per reason */
  queueUnanswered: integer('queue_unanswered').notNull(),
  queueFlagged: integer('queue_flagged').notNull(),
  queueRequested: integer('queue_requested').notNull(),
  queueRule: integer('queue_rule').notNull(),
});

/** Per agent and finished UTC day: claims and assignments received, items resolved by answering and by assisting. */
export const dashboardAgentDaily = pgTable(
  'dashboard_agent_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    agentId: integer('agent_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    assigned: integer('assigned').notNull(),
    resolved: integer('resolved').notNull(),
    assisted: integer('assisted').notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.agentId] })],
);
