import { sql } from 'drizzle-orm';
import { index, integer, pgEnum, pgTable, serial, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.js';
import { posts } from '../forum/schema.js';

export const flagReasonEnum = pgEnum('flag_reason', ['spam', 'abusive', 'off_topic', 'needs_staff', 'other']);
export const flagStatusEnum = pgEnum('flag_status', ['open', 'agreed', 'disagreed']);

/**
 * Members' flags on posts. A flag carries the weight its flagger's trust gave it when raised;
 * staff resolve it as agreed or disagreed, and agreed flags count toward the flagger's trust
 * level. One open flag per member per post.
 */
export const flags = pgTable(
  'flags',
  {
    id: serial('id').primaryKey(),
    postId: integer('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    flaggerId: integer('flagger_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    reason: flagReasonEnum('reason').notNull(),
    note: text('note'),
    weight: smallint('weight').notNull(),
    status: flagStatusEnum('status').notNull().default('open'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    resolvedById: integer('resolved_by_id'),
    resolutionNote: text('resolution_note'),
  },
  (t) => [
    uniqueIndex('flags_open_idx').on(t.postId, t.flaggerId).where(sql`${t.status} = 'open'`),
    index('flags_status_idx').on(t.status, t.id),
    index('flags_created_idx').on(t.createdAt),
    index('flags_flagger_agreed_idx').on(t.flaggerId).where(sql`${t.status} = 'agreed'`),
  ],
);
