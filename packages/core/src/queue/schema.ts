import { sql } from 'drizzle-orm';
import { check, index, integer, pgEnum, pgTable, serial, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.js';
import { threads } from '../forum/schema.js';

/** The agent track of a thread: queued → claimed → (escalated) → resolved. */
export const queueStatusEnum = pgEnum('queue_status', ['queued', 'claimed', 'escalated', 'resolved']);
/**
 * Who closed the item: an agent (answered or moderated), an agent assisting a peer (verified a
 * peer's answer or nudged an expert), or the community answering before any agent held it.
 */
export const queueResolutionEnum = pgEnum('queue_resolution', ['agent', 'assisted', 'community']);

/**
 * The agents' queue: a thread enters only with a reason (unanswered, flagged, requested, rule),
 * at most one open item per thread, and later reasons add to the open item. `due_at` is the SLA
 * due time, fixed when the item opens.
 */
export const queueItems = pgTable(
  'queue_items',
  {
    id: serial('id').primaryKey(),
    threadId: integer('thread_id')
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    status: queueStatusEnum('status').notNull().default('queued'),
    /** why the thread is here, in the order the reasons arrived */
    reasons: text('reasons').array().notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    claimedById: integer('claimed_by_id').references(() => users.id),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    /** who handed the claim to its holder: a supervisor, or null for self-claims and automatic assignment */
    assignedById: integer('assigned_by_id').references(() => users.id),
    /** when the item waited too long and went to the supervisors */
    escalatedAt: timestamp('escalated_at', { withTimezone: true }),
    /** the customer's tier when known (from the CRM link), for priority */
    tier: text('tier'),
    /**
     * Rank among items due at the same time, lower first: the most pressing reason (flagged,
     * then rule, then requested, then unanswered), then the tier (vip, enterprise, others).
     * Computed by PostgreSQL from reasons and tier, so no writer can forget it.
     */
    priority: smallint('priority')
      .notNull()
      .generatedAlwaysAs(
        sql`(case when 'flagged' = any(reasons) then 0 when 'rule' = any(reasons) then 1 when 'requested' = any(reasons) then 2 else 3 end) * 3
          + (case tier when 'vip' then 0 when 'enterprise' then 1 else 2 end)`,
      ),
    lastAgentActivityAt: timestamp('last_agent_activity_at', { withTimezone: true }),
    firstAgentResponseAt: timestamp('first_agent_response_at', { withTimezone: true }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    resolvedById: integer('resolved_by_id').references(() => users.id),
    resolution: queueResolutionEnum('resolution'),
  },
  (t) => [
    uniqueIndex('queue_items_open_thread_idx').on(t.threadId).where(sql`${t.status} <> 'resolved'`),
    // the open listing: by SLA due time, then reason and tier, then age
    index('queue_items_open_priority_idx').on(t.dueAt, t.priority, t.openedAt, t.id).where(sql`${t.status} <> 'resolved'`),
    index('queue_items_resolved_idx').on(t.resolvedAt.desc(), t.id.desc()).where(sql`${t.status} = 'resolved'`),
    index('queue_items_thread_idx').on(t.threadId),
    index('queue_items_opened_idx').on(t.openedAt),
    // open items per holder, in the listing's order: the console's "mine" page reads only the agent's own
    // items (a scan of the whole open index otherwise), and the dashboard counts them per agent
    index('queue_items_claimed_by_idx').on(t.claimedById, t.dueAt, t.priority, t.openedAt, t.id).where(sql`${t.status} <> 'resolved'`),
    check('queue_items_reasons_check', sql`cardinality(${t.reasons}) > 0 and ${t.reasons} <@ array['unanswered', 'flagged', 'requested', 'rule']::text[]`),
  ],
);
