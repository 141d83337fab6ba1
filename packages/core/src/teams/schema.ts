import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgEnum, pgTable, primaryKey, serial, smallint, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.js';
import { queueItems } from '../queue/schema.js';

/**
 * Opening hours of a team, per weekday (`mon` … `sun`), as [start, end) local-time ranges in
 * the team's time zone, e.g. { mon: [['09:00', '17:00']] }. Holidays are ISO dates with no hours.
 */
export interface WeeklyHours {
  mon?: [string, string][];
  tue?: [string, string][];
  wed?: [string, string][];
  thu?: [string, string][];
  fri?: [string, string][];
  sat?: [string, string][];
  sun?: [string, string][];
}

/**
 * Teams of agents. A category belongs to at most one team; its queue items are assigned within
 * that team and their SLA clocks run on the team's calendar (no `hours` = around the clock).
 */
export const teams = pgTable('teams', {
  id: serial('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  /** IANA time zone the hours are in */
  timezone: text('timezone').notNull().default('UTC'),
  /** null: a 24/7 team */
  hours: jsonb('hours').$type<WeeklyHours | null>(),
  /** ISO dates (YYYY-MM-DD, in the team's zone) on which the team is closed */
  holidays: text('holidays').array().notNull().default(sql`'{}'::text[]`),
  /** hand new items to on-duty agents round-robin */
  autoAssign: boolean('auto_assign').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A staff member's working settings: team, on duty, how many items at once, and skills. */
export const agentProfiles = pgTable(
  'agent_profiles',
  {
    userId: integer('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    teamId: integer('team_id').references(() => teams.id, { onDelete: 'set null' }),
    onDuty: boolean('on_duty').notNull().default(false),
    /** open items the agent may hold at once */
    capacity: smallint('capacity').notNull().default(5),
    /** tag slugs and keywords the agent is good at, lower case */
    skills: text('skills').array().notNull().default(sql`'{}'::text[]`),
    /** for round-robin: the agent who waited longest since their last assignment goes next */
    lastAssignedAt: timestamp('last_assigned_at', { withTimezone: true }),
  },
  (t) => [index('agent_profiles_team_idx').on(t.teamId)],
);

export const presenceStateEnum = pgEnum('presence_state', ['viewing', 'drafting']);

/**
 * Who has a queue item open in the console right now, and whether they are typing a reply.
 * Rows are refreshed by the console while the page is open and count only while fresh.
 */
export const queuePresence = pgTable(
  'queue_presence',
  {
    itemId: integer('item_id')
      .notNull()
      .references(() => queueItems.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    state: presenceStateEnum('state').notNull(),
    seenAt: timestamp('seen_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.userId] })],
);
