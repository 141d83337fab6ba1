import { sql } from 'drizzle-orm';
import { index, integer, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.js';
import { tags } from '../forum/schema.js';

/**
 * Badges members hold. The catalogue (names, tiers, rules) lives in code; a row here is one
 * award. Per-tag badges (Expert in ‹tag›) carry the tag. A revoked or lapsed award keeps its
 * row with `revoked_at` set, so history stays; at most one live award per badge and tag.
 */
export const userBadges = pgTable(
  'user_badges',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    badge: text('badge').notNull(),
    tagId: integer('tag_id').references(() => tags.id, { onDelete: 'cascade' }),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull(),
    /** null when a rule awarded it; the staff member otherwise */
    grantedById: integer('granted_by_id'),
    grantReason: text('grant_reason'),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** null when a rule lapsed; the staff member otherwise */
    revokedById: integer('revoked_by_id'),
    revokeReason: text('revoke_reason'),
  },
  (t) => [
    uniqueIndex('user_badges_live_idx').on(t.userId, t.badge, sql`coalesce(${t.tagId}, 0)`).where(sql`${t.revokedAt} is null`),
    index('user_badges_badge_idx').on(t.badge, t.tagId).where(sql`${t.revokedAt} is null`),
  ],
);
