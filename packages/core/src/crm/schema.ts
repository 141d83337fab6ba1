import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgEnum, pgTable, primaryKey, real, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.js';
import { posts, threads } from '../forum/schema.js';
import { queueItems } from '../queue/schema.js';

// The built-in CRM directory: the default connector's own tables. Other connectors (Salesforce,
// HubSpot) keep these records in the vendor's system; nothing outside crm/ reads these tables.

export const crmCaseStatusEnum = pgEnum('crm_case_status', ['open', 'pending', 'closed']);

/** Ids a record has in the systems it was imported from: { salesforce: '003…', hubspot: '51' }. */
export type ExternalIds = Partial<Record<'salesforce' | 'hubspot', string>>;

export const crmAccounts = pgTable(
  'crm_accounts',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    /** lower-cased, trimmed name: how re-imports find the account again */
    nameKey: text('name_key').notNull(),
    /** the company's email domain, e.g. acme.com */
    domain: text('domain'),
    /** 'vip' | 'enterprise' | 'standard' */
    tier: text('tier').notNull().default('standard'),
    /** annual contract value in whole currency units */
    annualValue: bigint('annual_value', { mode: 'number' }),
    externalIds: jsonb('external_ids').$type<ExternalIds>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('crm_accounts_name_key_idx').on(t.nameKey),
    index('crm_accounts_name_trgm_idx').using('gin', sql`${t.name} gin_trgm_ops`),
    check('crm_accounts_tier_check', sql`${t.tier} in ('vip', 'enterprise', 'standard')`),
  ],
);

export const crmContacts = pgTable(
  'crm_contacts',
  {
    id: serial('id').primaryKey(),
    accountId: integer('account_id').references(() => crmAccounts.id, { onDelete: 'set null' }),
    firstName: text('first_name'),
    lastName: text('last_name'),
    /** lower-cased; the key every import matches on */
    email: text('email').notNull(),
    phone: text('phone'),
    title: text('title'),
    externalIds: jsonb('external_ids').$type<ExternalIds>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('crm_contacts_email_idx').on(t.email),
    index('crm_contacts_account_idx').on(t.accountId),
    index('crm_contacts_name_trgm_idx').using('gin', sql`(coalesce(${t.firstName}, '') || ' ' || coalesce(${t.lastName}, '')) gin_trgm_ops`),
    // the closest names first (KNN `<->`) for link suggestions: GIN cannot order by similarity, and
    // with many similar names (`%` matching thousands) it would compute and sort every one
    index('crm_contacts_name_gist_idx').using('gist', sql`(coalesce(${t.firstName}, '') || ' ' || coalesce(${t.lastName}, '')) gist_trgm_ops`),
    index('crm_contacts_email_trgm_idx').using('gin', sql`${t.email} gin_trgm_ops`),
    // re-imports find a contact whose email changed by its id in the source CRM
    index('crm_contacts_salesforce_id_idx').on(sql`(${t.externalIds} ->> 'salesforce')`),
    index('crm_contacts_hubspot_id_idx').on(sql`(${t.externalIds} ->> 'hubspot')`),
    check('crm_contacts_email_lower_check', sql`${t.email} = lower(${t.email})`),
  ],
);

export const crmCases = pgTable(
  'crm_cases',
  {
    id: serial('id').primaryKey(),
    contactId: integer('contact_id')
      .notNull()
      .references(() => crmContacts.id, { onDelete: 'cascade' }),
    subject: text('subject').notNull(),
    description: text('description').notNull(),
    status: crmCaseStatusEnum('status').notNull().default('open'),
    /** what support did, written when the case closes */
    resolution: text('resolution'),
    /** the caller's key: creating a case twice with one key returns the first case */
    idempotencyKey: text('idempotency_key').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('crm_cases_idempotency_key_idx').on(t.idempotencyKey),
    index('crm_cases_contact_status_idx').on(t.contactId, t.status),
    index('crm_cases_updated_idx').on(t.updatedAt),
  ],
);

export const crmLinkStatusEnum = pgEnum('crm_link_status', ['active', 'unlinked']);
export const crmLinkDecisionEnum = pgEnum('crm_link_decision', ['confirmed', 'rejected']);

/** One piece of evidence behind a suggested link, as the agent saw it. */
export interface LinkEvidence {
  kind: 'email' | 'domain' | 'name';
  /** what matched, e.g. the shared email domain */
  detail: string;
  /** this evidence's own weight, 0..1 (see suggestions in links.ts) */
  weight: number;
}

/**
 * Forum members linked to a contact in a CRM, whichever connector holds it. One active link per
 * member per connector; unlinking keeps the row (status unlinked) as history. These tables are
 * for every connector, not only the directory, so contact ids are the CRM's own strings.
 */
export const crmLinks = pgTable(
  'crm_links',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    connector: text('connector').notNull(),
    contactId: text('contact_id').notNull(),
    status: crmLinkStatusEnum('status').notNull().default('active'),
    /**
     * The account's tier when the link was made. The queue reads it here, so opening an item
     * never waits on (or fails with) an outside CRM.
     */
    tier: text('tier'),
    linkedById: integer('linked_by_id').references(() => users.id),
    linkedAt: timestamp('linked_at', { withTimezone: true }).notNull(),
    unlinkedById: integer('unlinked_by_id').references(() => users.id),
    unlinkedAt: timestamp('unlinked_at', { withTimezone: true }),
    unlinkReason: text('unlink_reason'),
  },
  (t) => [
    // two agents linking one member at once: the second insert fails here, whatever the code above it did
    uniqueIndex('crm_links_active_member_idx').on(t.userId, t.connector).where(sql`${t.status} = 'active'`),
    index('crm_links_member_idx').on(t.userId, t.linkedAt),
    index('crm_links_contact_idx').on(t.connector, t.contactId),
  ],
);

/** Each confirm or reject of a suggested contact, with the confidence and evidence the agent saw. */
export const crmLinkDecisions = pgTable(
  'crm_link_decisions',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    connector: text('connector').notNull(),
    contactId: text('contact_id').notNull(),
    decision: crmLinkDecisionEnum('decision').notNull(),
    confidence: real('confidence'),
    evidence: jsonb('evidence').$type<LinkEvidence[]>().notNull().default([]),
    reason: text('reason'),
    decidedById: integer('decided_by_id').references(() => users.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('crm_link_decisions_member_idx').on(t.userId, t.connector, t.contactId, t.decidedAt),
    check('crm_link_decisions_confidence_check', sql`${t.confidence} is null or (${t.confidence} >= 0 and ${t.confidence} <= 1)`),
  ],
);

/**
 * Where a case escalated from the forum stands. `pending_sync`: the forum has recorded the
 * escalation but the CRM has not confirmed the case yet (it is down, or the job has not run);
 * the background job creates it exactly once, keyed by `idempotency_key`.
 */
export const crmEscalationStatusEnum = pgEnum('crm_escalation_status', ['pending_sync', 'open', 'pending', 'closed']);

/** A thread handed to support as a CRM case, from the queue item an agent escalated it from. */
export const crmEscalations = pgTable(
  'crm_escalations',
  {
    id: serial('id').primaryKey(),
    threadId: integer('thread_id')
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    itemId: integer('item_id').references(() => queueItems.id, { onDelete: 'set null' }),
    /** the asker, whose linked contact the case is for; null once the member is erased */
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    connector: text('connector').notNull(),
    contactId: text('contact_id'),
    /** sent with every create attempt: retries after a timeout or an outage find the same case */
    idempotencyKey: text('idempotency_key').notNull(),
    subject: text('subject').notNull(),
    caseId: text('case_id'),
    status: crmEscalationStatusEnum('status').notNull().default('pending_sync'),
    /** what support wrote when the case closed (the CRM's words, internal) */
    resolution: text('resolution'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    escalatedById: integer('escalated_by_id').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    syncedAt: timestamp('synced_at', { withTimezone: true }),
    /** the CRM's own time of the last change we applied: older updates arriving late change nothing */
    caseUpdatedAt: timestamp('case_updated_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** the public answer drafted from the resolution with personal data removed, for the agent to edit and approve */
    draftAnswer: text('draft_answer'),
    /** the public answer the agent approved after the case closed */
    answerPostId: integer('answer_post_id').references(() => posts.id, { onDelete: 'set null' }),
  },
  (t) => [
    uniqueIndex('crm_escalations_key_idx').on(t.idempotencyKey),
    // one live escalation per thread: a second agent escalating at once gets 409
    uniqueIndex('crm_escalations_live_thread_idx').on(t.threadId).where(sql`${t.status} <> 'closed'`),
    index('crm_escalations_thread_idx').on(t.threadId, t.createdAt),
    index('crm_escalations_case_idx').on(t.connector, t.caseId),
    index('crm_escalations_pending_idx').on(t.id).where(sql`${t.status} = 'pending_sync'`),
  ],
);

/**
 * Every case the forum has heard of from a CRM (its own escalations, webhook deliveries, polls),
 * by contact: the self-service rate asks whether a linked contact opened a case after a thread.
 */
export const crmKnownCases = pgTable(
  'crm_known_cases',
  {
    connector: text('connector').notNull(),
    caseId: text('case_id').notNull(),
    contactId: text('contact_id'),
    status: crmCaseStatusEnum('status').notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.connector, t.caseId] }), index('crm_known_cases_contact_idx').on(t.connector, t.contactId, t.openedAt)],
);

/** Webhook deliveries already applied, by the CRM's event id: a replayed delivery changes nothing. */
export const crmWebhookReceipts = pgTable(
  'crm_webhook_receipts',
  {
    connector: text('connector').notNull(),
    eventId: text('event_id').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.connector, t.eventId] }), index('crm_webhook_receipts_received_idx').on(t.receivedAt)],
);

/** How far polling has read each CRM's case changes: (updated_at, case id), so equal times are not skipped. */
export const crmSyncCursors = pgTable('crm_sync_cursors', {
  connector: text('connector').primaryKey(),
  cursorAt: timestamp('cursor_at', { withTimezone: true }).notNull(),
  cursorCaseId: text('cursor_case_id').notNull().default(''),
  polledAt: timestamp('polled_at', { withTimezone: true }).notNull(),
});
