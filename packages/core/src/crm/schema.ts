import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgEnum, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

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
