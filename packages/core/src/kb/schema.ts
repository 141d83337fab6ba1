import { sql, type SQL } from 'drizzle-orm';
import { customType, index, integer, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.js';
import { threads } from '../forum/schema.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * Knowledge-base articles: a solved thread's answer, cleaned up by staff and published on its
 * own, linked back to the thread. One article per thread. Searchable, and suggested to members
 * while they type a new question.
 */
export const kbArticles = pgTable(
  'kb_articles',
  {
    id: serial('id').primaryKey(),
    threadId: integer('thread_id')
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    bodyMarkdown: text('body_markdown').notNull(),
    /** sanitised HTML rendered from the Markdown */
    bodyHtml: text('body_html').notNull(),
    bodyText: text('body_text').notNull(),
    tsv: tsvector('tsv').generatedAlwaysAs(
      (): SQL => sql`setweight(to_tsvector('english', ${kbArticles.title}), 'A') || setweight(to_tsvector('english', ${kbArticles.bodyText}), 'B')`,
    ),
    createdById: integer('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('kb_articles_thread_idx').on(t.threadId),
    index('kb_articles_tsv_idx').using('gin', t.tsv),
    index('kb_articles_title_trgm_idx').using('gin', sql`${t.title} gin_trgm_ops`),
    index('kb_articles_created_idx').on(t.createdAt.desc(), t.id.desc()),
  ],
);
