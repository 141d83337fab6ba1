import { Connection } from 'jsforce';
import type { CrmConfig } from '../context.js';
import { NotFound } from '../errors.js';
import type { CrmConnector } from './connector.js';
import type { CrmAccount, CrmCase, CrmCaseStatus, CrmCaseUpdate, CrmContact, CrmContactSummary, CrmTier } from './types.js';

type SalesforceConfig = NonNullable<CrmConfig['salesforce']>;

/*
 * The Salesforce org this reads and writes (fields beyond the standard ones are custom and must
 * exist in the org):
 *   Contact: Id, FirstName, LastName, Email, Title, Phone, AccountId
 *   Account: Name, Website (its host is the account's domain), AnnualRevenue (the account's value),
 *            Tier__c (custom picklist 'VIP' | 'Enterprise' | 'Standard'; blank or anything else is standard)
 *   Case:    Id, ContactId, Subject, Description, Status, IsClosed, CreatedDate, SystemModstamp,
 *            Resolution__c (custom long text: what support wrote when closing it),
 *            and the external-id field named by `caseKeyField` (custom, unique, external id) that
 *            carries our idempotency key.
 * Status: IsClosed wins (closed); 'Escalated', 'On Hold' and 'Waiting on Customer' mean the case
 * waits on someone else (pending); every other open status ('New', 'Working', …) is open.
 *
 * The queries are few and fixed so they are easy to review (and for the test double to answer).
 */
const CONTACT_FIELDS = 'Id, FirstName, LastName, Email, Title, Phone, AccountId, Account.Id, Account.Name, Account.Website, Account.Tier__c, Account.AnnualRevenue';
const CASE_FIELDS = 'Id, ContactId, Subject, Status, IsClosed, Resolution__c, CreatedDate, SystemModstamp';
const PENDING_STATUSES = new Set(['escalated', 'on hold', 'waiting on customer']);
const SEARCH_LIMIT_MAX = 50;
const UPDATES_LIMIT_MAX = 2_000;

/*
 * jsforce retries GETs on connection errors and 5xx with backoff for about 15 seconds; the
 * forum's own worker already retries with backoff and must learn of an outage promptly, so
 * every request here fails fast. The timeout keeps a hung server from holding a job forever.
 */
const REQUEST_OPTIONS = { retry: { maxRetries: 0 }, timeout: 20_000 };

interface SfAccount {
  Id: string;
  Name: string | null;
  Website: string | null;
  Tier__c: string | null;
  AnnualRevenue: number | null;
}
interface SfContact {
  Id: string;
  FirstName: string | null;
  LastName: string | null;
  Email: string | null;
  Title: string | null;
  Phone: string | null;
  AccountId: string | null;
  Account: SfAccount | null;
}
interface SfCase {
  Id: string;
  ContactId: string | null;
  Subject: string | null;
  Status: string | null;
  IsClosed: boolean;
  Resolution__c: string | null;
  CreatedDate: string;
  SystemModstamp: string;
}
interface QueryResult<T> {
  totalSize: number;
  done: boolean;
  records: T[];
}

/** Salesforce record ids are 15 or 18 letters and digits; anything else names no record (and never reaches a query). */
const isRecordId = (id: string) => /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(id);

/** A string literal for SOQL: backslash and quote escaped, so user text can never end the literal. */
export const soqlString = (s: string) => `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;

/**
 * A LIKE pattern matching `s` anywhere, as a literal. SOQL reads \% and \_ inside the string
 * literal itself as a percent sign and an underscore, so everything is escaped in one pass
 * (escaping for LIKE and then again for the string would turn \% back into a wildcard).
 */
export const soqlContains = (s: string) => `'%${s.replace(/[\\'%_]/g, (c) => `\\${c}`)}%'`;

/** SOQL dateTime literals take whole seconds; our cursors come from SystemModstamp, which has no fraction. */
const soqlDateTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Salesforce writes offsets as +0000; Date wants +00:00. */
const isoDate = (s: string) => new Date(s.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')).toISOString();

function domainOf(website: string | null): string | null {
  if (!website) return null;
  const host = website.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split(/[/?#:]/)[0].toLowerCase().replace(/^www\./, '');
  return host || null;
}

function tierOf(value: string | null): CrmTier {
  const t = (value ?? '').trim().toLowerCase();
  return t === 'vip' || t === 'enterprise' ? t : 'standard';
}

function statusOf(c: SfCase): CrmCaseStatus {
  if (c.IsClosed) return 'closed';
  return PENDING_STATUSES.has((c.Status ?? '').trim().toLowerCase()) ? 'pending' : 'open';
}

function presentAccount(a: SfAccount | null): CrmAccount | null {
  if (!a) return null;
  return { id: a.Id, name: a.Name ?? '', domain: domainOf(a.Website), tier: tierOf(a.Tier__c), annualValue: a.AnnualRevenue === null || a.AnnualRevenue === undefined ? null : Math.round(a.AnnualRevenue) };
}

const presentSummary = (c: SfContact): CrmContactSummary => ({
  id: c.Id,
  firstName: c.FirstName,
  lastName: c.LastName,
  email: c.Email ?? '',
  title: c.Title,
  account: presentAccount(c.Account),
});

const presentCase = (c: SfCase): CrmCase => ({
  id: c.Id,
  contactId: c.ContactId ?? '',
  subject: c.Subject ?? '',
  status: statusOf(c),
  resolution: c.Resolution__c ?? null,
  createdAt: isoDate(c.CreatedDate),
  updatedAt: isoDate(c.SystemModstamp),
});

interface SalesforceError {
  errorCode?: string;
  name?: string;
  message?: string;
}

/** True for "no such record" (a 404); the connector answers null for those. */
const isNotFound = (err: unknown) => {
  const code = (err as SalesforceError)?.errorCode;
  return code === 'NOT_FOUND' || code === 'ERROR_HTTP_404';
};

/**
 * Outages and 5xx pass through unchanged (the caller retries them); a rejected token becomes an
 * error that says which setting to fix, since retrying cannot help.
 */
function explain(err: unknown): Error {
  const e = err as SalesforceError;
  if (e?.errorCode === 'INVALID_SESSION_ID' || e?.errorCode === 'ERROR_HTTP_401') {
    return new Error(`Salesforce rejected the access token (${e.errorCode}): set SALESFORCE_ACCESS_TOKEN to a valid session or OAuth token`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * The Salesforce connector over jsforce, with the token the operator configured (refreshing it
 * is the operator's business: an expired token fails every call with a clear error).
 */
export function salesforceConnector(config: SalesforceConfig): CrmConnector {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(config.caseKeyField)) throw new Error(`Salesforce case key field "${config.caseKeyField}" is not a field name`);
  const conn = new Connection({ instanceUrl: config.instanceUrl.replace(/\/+$/, ''), accessToken: config.accessToken, version: config.apiVersion });

  async function call<T>(request: { method: 'GET' | 'PATCH'; url: string; body?: string }): Promise<T> {
    try {
      return await conn.request<T>({ ...request, headers: request.body ? { 'content-type': 'application/json' } : {} }, REQUEST_OPTIONS);
    } catch (err) {
      throw explain(err);
    }
  }

  async function query<T>(soql: string): Promise<T[]> {
    // every query here has a LIMIT within one batch (2,000 rows), so there is no next page to follow
    const result = await call<QueryResult<T>>({ method: 'GET', url: `/query?q=${encodeURIComponent(soql)}` });
    return result.records;
  }

  async function caseWhere(condition: string): Promise<SfCase | null> {
    const [row] = await query<SfCase>(`SELECT ${CASE_FIELDS} FROM Case WHERE ${condition} LIMIT 1`);
    return row ?? null;
  }

  return {
    name: 'salesforce',

    async searchContacts(q, options = {}) {
      const text = q.replace(/\s+/g, ' ').trim();
      if (!text) return [];
      const limit = Math.min(Math.max(options.limit ?? 20, 1), SEARCH_LIMIT_MAX);
      const like = soqlContains(text);
      const rows = await query<SfContact>(
        `SELECT ${CONTACT_FIELDS} FROM Contact WHERE Name LIKE ${like} OR Email LIKE ${like} OR Account.Name LIKE ${like} ORDER BY LastName, FirstName, Id LIMIT ${limit}`,
      );
      // an exact email is what the agent most likely meant; SOQL cannot rank by it, so rank here
      const lower = text.toLowerCase();
      return rows
        .map((row, i) => ({ row, i, exact: (row.Email ?? '').toLowerCase() === lower }))
        .sort((a, b) => Number(b.exact) - Number(a.exact) || a.i - b.i)
        .map(({ row }) => presentSummary(row));
    },

    async getContact(id): Promise<CrmContact | null> {
      if (!isRecordId(id)) return null;
      const [row] = await query<SfContact>(`SELECT ${CONTACT_FIELDS} FROM Contact WHERE Id = ${soqlString(id)} LIMIT 1`);
      if (!row) return null;
      const open = await query<SfCase>(`SELECT ${CASE_FIELDS} FROM Case WHERE ContactId = ${soqlString(row.Id)} AND IsClosed = false ORDER BY CreatedDate DESC, Id DESC LIMIT 200`);
      return { ...presentSummary(row), phone: row.Phone, externalIds: { salesforce: row.Id }, openCases: open.map(presentCase) };
    },

    async createCase(input) {
      // an unknown contact is the caller's mistake, not an outage: NotFound, as the directory says
      const unknownContact = () => new NotFound('CRM contact', 'crm_contact_not_found');
      if (!isRecordId(input.contactId)) throw unknownContact();
      // Upsert by the external-id field: Salesforce creates the case the first time and finds the
      // same case on every retry with the key, atomically on its side, so a timeout after the
      // create cannot lead to a second case. Status is left out so a retry never reopens a case
      // support has moved on.
      const saved = await call<{ id?: string; success?: boolean } | undefined>({
        method: 'PATCH',
        url: `/sobjects/Case/${config.caseKeyField}/${encodeURIComponent(input.idempotencyKey)}`,
        body: JSON.stringify({ ContactId: input.contactId, Subject: input.subject, Description: input.description }),
      }).catch((err: unknown) => {
        const code = (err as SalesforceError)?.errorCode;
        throw code === 'INVALID_CROSS_REFERENCE_KEY' || code === 'FIELD_INTEGRITY_EXCEPTION' ? unknownContact() : err;
      });
      // API versions before 46.0 answer an update with 204 and no id: find the case by its key then
      const row = saved?.id && isRecordId(saved.id) ? await caseWhere(`Id = ${soqlString(saved.id)}`) : await caseWhere(`${config.caseKeyField} = ${soqlString(input.idempotencyKey)}`);
      if (!row) throw new Error(`Salesforce saved case ${input.idempotencyKey} but does not return it`);
      return presentCase(row);
    },

    async getCase(id) {
      if (!isRecordId(id)) return null;
      try {
        const row = await caseWhere(`Id = ${soqlString(id)}`);
        return row ? presentCase(row) : null;
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },

    async caseUpdatesSince(since, options = {}) {
      const limit = Math.min(Math.max(options.limit ?? 500, 1), UPDATES_LIMIT_MAX);
      const rows = await query<SfCase>(`SELECT ${CASE_FIELDS} FROM Case WHERE SystemModstamp > ${soqlDateTime(since)} ORDER BY SystemModstamp, Id LIMIT ${limit}`);
      return rows.map((c): CrmCaseUpdate => {
        const presented = presentCase(c);
        return {
          connector: 'salesforce',
          caseId: c.Id,
          contactId: c.ContactId,
          createdAt: presented.createdAt,
          status: presented.status,
          resolution: presented.resolution,
          updatedAt: presented.updatedAt,
          eventId: null,
        };
      });
    },
  };
}
