import { sql } from 'drizzle-orm';
import { check, index, integer, pgEnum, pgTable, serial, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.js';
import { posts, threads } from '../forum/schema.js';
import { queueItems } from '../queue/schema.js';

/** Reply templates managed by supervisors; `{customer.name}`-style variables are filled in when used. */
export const cannedResponses = pgTable('canned_responses', {
  id: serial('id').primaryKey(),
  title: text('title').notNull(),
  body: text('body').notNull(),
  createdById: integer('created_by_id').references(() => users.id, { onDelete: 'set null' }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  deletedAt: timestamp('deleted_at', { withTimezone: true }),
});

/** Notes on a thread that only staff see. */
export const staffNotes = pgTable(
  'staff_notes',
  {
    id: serial('id').primaryKey(),
    threadId: integer('thread_id')
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    itemId: integer('item_id').references(() => queueItems.id, { onDelete: 'set null' }),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('staff_notes_thread_idx').on(t.threadId, t.id)],
);

export const draftStatusEnum = pgEnum('staff_draft_status', ['pending', 'approved', 'returned']);

/** A staff reply waiting for a supervisor, in categories that ask for approval. */
export const staffDrafts = pgTable(
  'staff_drafts',
  {
    id: serial('id').primaryKey(),
    threadId: integer('thread_id')
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    itemId: integer('item_id').references(() => queueItems.id, { onDelete: 'set null' }),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id),
    body: text('body').notNull(),
    status: draftStatusEnum('status').notNull().default('pending'),
    reviewerId: integer('reviewer_id').references(() => users.id),
    reviewNote: text('review_note'),
    /** the published reply, once approved */
    postId: integer('post_id').references(() => posts.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
  },
  (t) => [index('staff_drafts_pending_idx').on(t.id).where(sql`${t.status} = 'pending'`), index('staff_drafts_thread_idx').on(t.threadId)],
);

/** A private staff–customer conversation opened from a public thread ("taken private"). */
export const privateConversations = pgTable(
  'private_conversations',
  {
    id: serial('id').primaryKey(),
    threadId: integer('thread_id')
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    customerId: integer('customer_id')
      .notNull()
      .references(() => users.id),
    openedById: integer('opened_by_id')
      .notNull()
      .references(() => users.id),
    subject: text('subject').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('private_conversations_customer_idx').on(t.customerId, t.id), index('private_conversations_thread_idx').on(t.threadId)],
);

export const privateMessages = pgTable(
  'private_messages',
  {
    id: serial('id').primaryKey(),
    conversationId: integer('conversation_id')
      .notNull()
      .references(() => privateConversations.id, { onDelete: 'cascade' }),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id),
    bodyMarkdown: text('body_markdown').notNull(),
    bodyHtml: text('body_html').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('private_messages_conversation_idx').on(t.conversationId, t.id)],
);

/** The asker's satisfaction with a resolved queue item: 1–5 and a comment, one per item. */
export const csatResponses = pgTable(
  'csat_responses',
  {
    id: serial('id').primaryKey(),
    itemId: integer('item_id')
      .notNull()
      .references(() => queueItems.id, { onDelete: 'cascade' }),
    threadId: integer('thread_id')
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    score: smallint('score').notNull(),
    comment: text('comment'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('csat_responses_item_idx').on(t.itemId),
    index('csat_responses_created_idx').on(t.createdAt),
    check('csat_responses_score_check', sql`${t.score} between 1 and 5`),
  ],
);
