import { integer, pgEnum, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.js';
import { tags } from '../forum/schema.js';

export const watchedWordActionEnum = pgEnum('watched_word_action', ['block', 'hold', 'flag', 'censor', 'tag']);

/**
 * Watched words, managed by supervisors in the console. `phrase` is literal text in its
 * normalised form (see watched-words/matcher.ts), unique per action; `replacement` is for censor
 * rules (null: ■■■), `tag_id` for tag rules. Rows are only inserted and deleted, so the rule
 * set's content hash tells a process when to recompile.
 */
export const watchedWords = pgTable(
  'watched_words',
  {
    id: serial('id').primaryKey(),
    phrase: text('phrase').notNull(),
    action: watchedWordActionEnum('action').notNull(),
    replacement: text('replacement'),
    tagId: integer('tag_id').references(() => tags.id, { onDelete: 'cascade' }),
    createdById: integer('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('watched_words_phrase_action_idx').on(t.phrase, t.action)],
);
