import { and, asc, desc, eq, gt, ne, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { NotFound } from '../errors.js';
import type { CrmConnector } from './connector.js';
import { crmAccounts, crmCases, crmContacts } from './schema.js';
import type { CrmAccount, CrmCase, CrmCaseStatus, CrmCaseUpdate, CrmContactSummary, CrmTier, CreateCaseInput } from './types.js';

type AccountRow = typeof crmAccounts.$inferSelect;
type ContactRow = typeof crmContacts.$inferSelect;
type CaseRow = typeof crmCases.$inferSelect;

const SEARCH_LIMIT_MAX = 50;

/** A directory id from the string the connector contract uses; anything else names no record. */
function serialId(id: string): number | null {
  return /^[1-9][0-9]{0,9}$/.test(id) && Number(id) <= 2_147_483_647 ? Number(id) : null;
}

const presentAccount = (a: AccountRow): CrmAccount => ({ id: String(a.id), name: a.name, domain: a.domain, tier: a.tier as CrmTier, annualValue: a.annualValue });

const presentSummary = (c: ContactRow, a: AccountRow | null): CrmContactSummary => ({
  id: String(c.id),
  firstName: c.firstName,
  lastName: c.lastName,
  email: c.email,
  title: c.title,
  account: a ? presentAccount(a) : null,
});

const presentCase = (c: CaseRow): CrmCase => ({
  id: String(c.id),
  contactId: String(c.contactId),
  subject: c.subject,
  status: c.status,
  resolution: c.resolution,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

/** `%`, `_` and `\` are literal in what an agent types. */
const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The built-in CRM directory over our own PostgreSQL tables (filled by CSV import). `now` is
 * the caller's clock, so case timestamps follow the test clock as everything else does.
 */
export function directoryConnector(db: Executor, now: () => Date = () => new Date()): CrmConnector & {
  updateCase(id: string, change: { status: CrmCaseStatus; resolution?: string | null }): Promise<CrmCase | null>;
} {
  return {
    name: 'directory',

    async searchContacts(query, options = {}) {
      const q = query.replace(/\s+/g, ' ').trim().toLowerCase();
      if (!q) return [];
      const limit = Math.min(Math.max(options.limit ?? 20, 1), SEARCH_LIMIT_MAX);
      const pattern = likePattern(q);
      const fullName = sql`(coalesce(${crmContacts.firstName}, '') || ' ' || coalesce(${crmContacts.lastName}, ''))`;
      // substring matches, one trigram index per branch (an OR across the join would scan every
      // contact); exact email first, then the closest names
      const hits = sql`(
        select id from crm_contacts where (coalesce(first_name, '') || ' ' || coalesce(last_name, '')) ilike ${pattern}
        union select id from crm_contacts where email ilike ${pattern}
        union select c.id from crm_contacts c join crm_accounts a on a.id = c.account_id where a.name ilike ${pattern})`;
      const rows = await db
        .select({ contact: crmContacts, account: crmAccounts })
        .from(crmContacts)
        .leftJoin(crmAccounts, eq(crmAccounts.id, crmContacts.accountId))
        .where(sql`${crmContacts.id} in ${hits}`)
        .orderBy(
          desc(sql`${crmContacts.email} = ${q}`),
          desc(sql`greatest(similarity(${fullName}, ${q}), similarity(${crmContacts.email}, ${q}), similarity(coalesce(${crmAccounts.name}, ''), ${q}))`),
          asc(crmContacts.id),
        )
        .limit(limit);
      return rows.map((r) => presentSummary(r.contact, r.account));
    },

    async getContact(id) {
      const contactId = serialId(id);
      if (contactId === null) return null;
      const [row] = await db.select({ contact: crmContacts, account: crmAccounts }).from(crmContacts).leftJoin(crmAccounts, eq(crmAccounts.id, crmContacts.accountId)).where(eq(crmContacts.id, contactId));
      if (!row) return null;
      const open = await db
        .select()
        .from(crmCases)
        .where(and(eq(crmCases.contactId, contactId), ne(crmCases.status, 'closed')))
        .orderBy(desc(crmCases.createdAt), desc(crmCases.id));
      return { ...presentSummary(row.contact, row.account), phone: row.contact.phone, externalIds: row.contact.externalIds, openCases: open.map(presentCase) };
    },

    async createCase(input: CreateCaseInput) {
      const contactId = serialId(input.contactId);
      const [contact] = contactId === null ? [] : await db.select({ id: crmContacts.id }).from(crmContacts).where(eq(crmContacts.id, contactId));
      if (!contact) throw new NotFound('CRM contact', 'crm_contact_not_found');
      const at = now();
      await db
        .insert(crmCases)
        .values({ contactId: contact.id, subject: input.subject, description: input.description, idempotencyKey: input.idempotencyKey, createdAt: at, updatedAt: at })
        .onConflictDoNothing({ target: crmCases.idempotencyKey });
      const [row] = await db.select().from(crmCases).where(eq(crmCases.idempotencyKey, input.idempotencyKey));
      return presentCase(row);
    },

    async getCase(id) {
      const caseId = serialId(id);
      if (caseId === null) return null;
      const [row] = await db.select().from(crmCases).where(eq(crmCases.id, caseId));
      return row ? presentCase(row) : null;
    },

    async caseUpdatesSince(since, options = {}) {
      const rows = await db
        .select()
        .from(crmCases)
        .where(gt(crmCases.updatedAt, since))
        .orderBy(asc(crmCases.updatedAt), asc(crmCases.id))
        .limit(Math.min(options.limit ?? 500, 5_000));
      return rows.map(
        (c): CrmCaseUpdate => ({ connector: 'directory', caseId: String(c.id), contactId: String(c.contactId), createdAt: c.createdAt.toISOString(), status: c.status, resolution: c.resolution, updatedAt: c.updatedAt.toISOString(), eventId: null }),
      );
    },

    /** The directory is its own CRM: support staff change a case's status here. */
    async updateCase(id, change) {
      const caseId = serialId(id);
      if (caseId === null) return null;
      const [row] = await db
        .update(crmCases)
        .set({ status: change.status, ...(change.resolution !== undefined ? { resolution: change.resolution } : {}), updatedAt: now() })
        .where(eq(crmCases.id, caseId))
        .returning();
      return row ? presentCase(row) : null;
    },
  };
}

