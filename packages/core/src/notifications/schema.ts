import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.js';

/** In-app notifications: replies to your thread, your answer accepted, @mentions, badges, routed questions. */
export const notifications = pgTable(
  'notifications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** reply, accepted, mention, badge, routed */
    kind: text('kind').notNull(),
    /** what made it, so a retried job cannot notify twice (e.g. `reply:post:42`) */
    dedupeKey: text('dedupe_key').notNull(),
    threadId: integer('thread_id'),
    postId: integer('post_id'),
    actorId: integer('actor_id'),
    data: jsonb('data').notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('notifications_dedupe_idx').on(t.userId, t.dedupeKey),
    index('notifications_user_idx').on(t.userId, t.id.desc()),
    index('notifications_unread_idx').on(t.userId).where(sql`${t.readAt} is null`),
    index('notifications_routed_idx').on(t.userId, t.createdAt).where(sql`${t.kind} = 'routed'`),
  ],
);
