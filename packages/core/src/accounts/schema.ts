import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgEnum, pgTable, serial, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** `product`: product teams, who read the console's insights and nothing else */
export const roleEnum = pgEnum('role', ['member', 'agent', 'supervisor', 'admin', 'product']);

export const users = pgTable(
  'users',
  {
    id: serial('id').primaryKey(),
    handle: text('handle').notNull(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    displayName: text('display_name').notNull(),
    role: roleEnum('role').notNull().default('member'),
    /** the sum of the member's reputation ledger, kept in step in the same transaction */
    reputation: integer('reputation').notNull().default(0),
    /** 0 new, 1 basic, 2 member, 3 regular, 4 leader */
    trustLevel: smallint('trust_level').notNull().default(0),
    /** set by an admin: automatic promotion and demotion leave the level alone */
    trustLevelLocked: boolean('trust_level_locked').notNull().default(false),
    /** a silenced member can read but not post, vote, flag or cast ballots */
    silencedUntil: timestamp('silenced_until', { withTimezone: true }),
    /** a suspended member cannot log in; suspension also drops the trust level */
    suspendedUntil: timestamp('suspended_until', { withTimezone: true }),
    /** the member asked not to be sent routed questions */
    routingMuted: boolean('routing_muted').notNull().default(false),
    /** when an admin erased the member: handle, name and email are replaced, posts stay anonymised */
    erasedAt: timestamp('erased_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_handle_lower_idx').on(sql`lower(${t.handle})`),
    uniqueIndex('users_email_lower_idx').on(sql`lower(${t.email})`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    /** sha256 of the cookie's token, so a leaked table does not leak sessions */
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    app: text('app').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);
