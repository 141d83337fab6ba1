import { date, index, integer, jsonb, pgTable, real, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
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
