import { bigint, bigserial, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.js';

/**
 * The append-only reputation ledger. A member's total is the sum of their rows; undoing a vote
 * or an acceptance appends a reversing row (negated points, `reverses_id` pointing back) rather
 * than deleting anything.
 */
export const reputationLedger = pgTable(
  'reputation_ledger',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** answer_upvoted, question_upvoted, post_downvoted, answer_accepted, accepted_an_answer, … */
    reason: text('reason').notNull(),
    points: integer('points').notNull(),
    postId: integer('post_id'),
    /** the member whose vote or acceptance caused the entry */
    causedById: integer('caused_by_id'),
    /** the entry this one undoes */
    reversesId: bigint('reverses_id', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('reputation_ledger_user_idx').on(t.userId, t.id),
    index('reputation_ledger_post_idx').on(t.postId),
    // an entry can be reversed once
    uniqueIndex('reputation_ledger_reverses_idx').on(t.reversesId),
  ],
);
