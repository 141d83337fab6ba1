import { index, integer, pgTable, real, timestamp } from 'drizzle-orm/pg-core';
import { posts } from '../forum/schema.js';

/**
 * The sentiment of each post's text, from -1 (clearly negative) to 1 (clearly positive), worked
 * out by a background job when the post is written or edited. Insights read it; nothing else.
 */
export const postSentiment = pgTable(
  'post_sentiment',
  {
    postId: integer('post_id')
      .primaryKey()
      .references(() => posts.id, { onDelete: 'cascade' }),
    score: real('score').notNull(),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('post_sentiment_score_idx').on(t.score)],
);
