import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgEnum, pgTable, primaryKey, serial, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.js';
import { threads } from '../forum/schema.js';

export const pollKindEnum = pgEnum('poll_kind', ['single', 'multiple', 'ranked']);
export const pollResultsVisibilityEnum = pgEnum('poll_results_visibility', ['always', 'after_vote', 'after_close']);

/** At most one poll per thread, attached by its author (or staff). */
export const polls = pgTable(
  'polls',
  {
    id: serial('id').primaryKey(),
    threadId: integer('thread_id')
      .notNull()
      .unique()
      .references(() => threads.id, { onDelete: 'cascade' }),
    question: text('question').notNull(),
    kind: pollKindEnum('kind').notNull(),
    /** how many options a ballot must (min) and may (max) choose; 1/1 for single choice */
    minChoices: smallint('min_choices').notNull().default(1),
    maxChoices: smallint('max_choices').notNull().default(1),
    anonymous: boolean('anonymous').notNull().default(false),
    resultsVisibility: pollResultsVisibilityEnum('results_visibility').notNull().default('always'),
    /** the scheduled close; the poll is closed once the clock passes it */
    closesAt: timestamp('closes_at', { withTimezone: true }),
    /** set when staff close the poll by hand */
    closedAt: timestamp('closed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('polls_choices_check', sql`${t.minChoices} >= 1 and ${t.minChoices} <= ${t.maxChoices}`)],
);

export const pollOptions = pgTable(
  'poll_options',
  {
    id: serial('id').primaryKey(),
    pollId: integer('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    /** 1, 2, 3 … in the order the author listed them */
    position: smallint('position').notNull(),
    label: text('label').notNull(),
  },
  (t) => [uniqueIndex('poll_options_poll_position_idx').on(t.pollId, t.position), uniqueIndex('poll_options_poll_label_idx').on(t.pollId, t.label)],
);

/** One ballot per member per poll: the primary key is what enforces it. */
export const ballots = pgTable(
  'ballots',
  {
    pollId: integer('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** option ids; in preference order for ranked polls */
    choices: integer('choices').array().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.userId] }), index('ballots_user_idx').on(t.userId)],
);
