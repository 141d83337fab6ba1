import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { Invalid } from '../errors.js';
import { CRM_TIERS, type CrmSource, type CrmTier, type ImportReport, type RejectedRow } from './types.js';

// CSV import into the built-in directory, from a Salesforce or a HubSpot contacts export.
// The file is parsed as a stream; accepted rows are written 1000 at a time with one
// INSERT … ON CONFLICT per table, so a 50k-row file costs about a hundred statements.

type Field =
  | 'contactId'
  | 'firstName'
  | 'lastName'
  | 'email'
  | 'phone'
  | 'title'
  | 'accountName'
  | 'accountId'
  | 'domain'
  | 'tier'
  | 'annualValue';

// Headers as each vendor's export writes them (labels from reports and list exports, and the
// API names a Data Loader export uses), matched case-insensitively.
const HEADERS: Record<CrmSource, Record<string, Field>> = {
  salesforce: {
    'contact id': 'contactId',
    id: 'contactId',
    'first name': 'firstName',
    firstname: 'firstName',
    'last name': 'lastName',
    lastname: 'lastName',
    email: 'email',
    phone: 'phone',
    'business phone': 'phone',
    title: 'title',
    'account name': 'accountName',
    'account.name': 'accountName',
    accountname: 'accountName',
    'account id': 'accountId',
    accountid: 'accountId',
    website: 'domain',
    'account website': 'domain',
    'annual revenue': 'annualValue',
    'account annual revenue': 'annualValue',
    tier: 'tier',
    'customer tier': 'tier',
    'account tier': 'tier',
  },
  hubspot: {
    'record id': 'contactId',
    'first name': 'firstName',
    'last name': 'lastName',
    email: 'email',
    'email address': 'email',
    'phone number': 'phone',
    'job title': 'title',
    'company name': 'accountName',
    'associated company': 'accountName',
    'associated company id': 'accountId',
    'associated company ids': 'accountId',
    'company domain name': 'domain',
    'website url': 'domain',
    'annual revenue': 'annualValue',
    tier: 'tier',
    'customer tier': 'tier',
  },
};

// Headers only one vendor's export has: how the layout is told apart.
const MARKERS: Record<CrmSource, string[]> = {
  salesforce: ['contact id', 'account name', 'account id', 'accountid', 'account.name', 'firstname', 'lastname'],
  hubspot: ['record id', 'company name', 'phone number', 'job title', 'associated company', 'associated company id', 'email address'],
};

export const IMPORT_LIMITS: Record<Field, number> = {
  contactId: 64,
  firstName: 100,
  lastName: 100,
  email: 254,
  phone: 40,
  title: 200,
  accountName: 255,
  accountId: 64,
  domain: 255,
  tier: 20,
  annualValue: 24,
};

const LABELS: Record<Field, string> = {
  contactId: 'contact id',
  firstName: 'first name',
  lastName: 'last name',
  email: 'email',
  phone: 'phone',
  title: 'title',
  accountName: 'account name',
  accountId: 'account id',
  domain: 'domain',
  tier: 'tier',
  annualValue: 'annual revenue',
};

const BATCH = 1000;
const REJECTED_LISTED = 1000;
const EMAIL = /^[^\s@"<>(),;:\\[\]]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;
const MONEY = /^[$€£]?\s*([0-9][0-9,]*)(\.[0-9]+)?$/;

const headerKey = (h: string) => h.replace(/\s+/g, ' ').trim().toLowerCase();

/** Which export a header row comes from, or null when it looks like neither. */
export function detectLayout(header: string[]): CrmSource | null {
  const keys = new Set(header.map(headerKey));
  const score = (s: CrmSource) => MARKERS[s].filter((m) => keys.has(m)).length;
  const sf = score('salesforce');
  const hs = score('hubspot');
  if (sf === hs) return null;
  return sf > hs ? 'salesforce' : 'hubspot';
}

interface Mapping {
  columns: (Field | null)[];
  mapped: Record<string, string>;
  unknown: string[];
}

function mapHeader(header: string[], source: CrmSource): Mapping {
  const columns: (Field | null)[] = [];
  const mapped: Record<string, string> = {};
  const unknown: string[] = [];
  const taken = new Set<Field>();
  for (const h of header) {
    const field = HEADERS[source][headerKey(h)];
    // a second column for a field we already read (two phone columns) is not read
    if (field && !taken.has(field)) {
      taken.add(field);
      columns.push(field);
      mapped[h] = field;
    } else {
      columns.push(null);
      unknown.push(h);
    }
  }
  return { columns, mapped, unknown };
}

interface ContactIn {
  email: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  title: string | null;
  contactId: string | null;
  account: AccountIn | null;
}

interface AccountIn {
  name: string;
  nameKey: string;
  domain: string | null;
  tier: CrmTier | null;
  annualValue: number | null;
  externalId: string | null;
}

const blankToNull = (v: string | undefined) => {
  const t = (v ?? '').replace(/\s+/g, ' ').trim();
  return t ? t : null;
};

function normaliseDomain(v: string): string {
  return v
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/^www\./, '')
    .replace(/[/?#].*$/, '');
}

/** One row to a contact, or the reason it is refused. */
function readRow(record: string[], mapping: Mapping): ContactIn | string {
  const v: Partial<Record<Field, string | null>> = {};
  for (let i = 0; i < mapping.columns.length; i++) {
    const field = mapping.columns[i];
    if (!field) continue;
    const value = blankToNull(record[i]);
    if (value && value.length > IMPORT_LIMITS[field]) return `${LABELS[field]} is longer than ${IMPORT_LIMITS[field]} characters`;
    v[field] = value;
  }
  if (!v.email) return 'missing email';
  const email = v.email.toLowerCase();
  if (!EMAIL.test(email)) return `malformed email "${v.email}"`;
  let tier: CrmTier | null = null;
  if (v.tier) {
    tier = v.tier.toLowerCase() as CrmTier;
    if (!CRM_TIERS.includes(tier)) return `tier must be one of ${CRM_TIERS.join(', ')}`;
  }
  let annualValue: number | null = null;
  if (v.annualValue) {
    const m = MONEY.exec(v.annualValue);
    if (!m) return `annual revenue "${v.annualValue}" is not an amount`;
    annualValue = Math.round(Number(m[1].replace(/,/g, '') + (m[2] ?? '')));
    if (!Number.isSafeInteger(annualValue)) return 'annual revenue is too large';
  }
  const account: AccountIn | null = v.accountName
    ? { name: v.accountName, nameKey: v.accountName.toLowerCase(), domain: v.domain ? normaliseDomain(v.domain) : null, tier, annualValue, externalId: v.accountId ?? null }
    : null;
  return { email, firstName: v.firstName ?? null, lastName: v.lastName ?? null, phone: v.phone ?? null, title: v.title ?? null, contactId: v.contactId ?? null, account };
}

function* chunks(text: string, size = 64 * 1024) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

export interface ImportInput {
  csv: string;
  /** the export's vendor; detected from the header when left out */
  source?: CrmSource;
}

/**
 * Reads a contacts export into the directory inside the caller's transaction and reports what
 * happened to each row. Whole-file problems (no header, a layout that is neither vendor's, no
 * email column) throw Invalid naming `csv` or `source`; row problems are listed in the report.
 */
export async function importContacts(tx: Executor, input: ImportInput, now: Date): Promise<ImportReport> {
  const rejected: RejectedRow[] = [];
  let rejectedCount = 0;
  const reject = (row: number, reason: string, email: string | null = null) => {
    rejectedCount++;
    if (rejected.length < REJECTED_LISTED) rejected.push({ row, reason, email });
  };

  let mapping: Mapping | null = null;
  let source: CrmSource | null = null;
  let rows = 0;
  let unreadable = 0;
  let lastLine = 0;
  const seen = new Map<string, number>();
  const accountIds = new Map<string, number>();
  const totals = { contacts: { created: 0, updated: 0, unchanged: 0 }, accounts: { created: 0, updated: 0 } };
  let batch: ContactIn[] = [];

  const flush = async () => {
    if (!batch.length || !source) return;
    await writeAccounts(tx, batch, source, accountIds, totals.accounts, now);
    const counts = await writeContacts(tx, batch, source, accountIds, now);
    totals.contacts.created += counts.created;
    totals.contacts.updated += counts.updated;
    totals.contacts.unchanged += counts.unchanged;
    batch = [];
  };

  const parser = parse({
    bom: true,
    // a wrong column count is a rejected row, not the end of the file
    relax_column_count: true,
    // a quote inside an unquoted field (Acme "West") is text, as spreadsheets write it
    relax_quotes: true,
    skip_empty_lines: true,
    // spreadsheets save trailing blank rows as ",,,,": not contacts, not errors
    skip_records_with_empty_values: true,
    skip_records_with_error: true,
    info: true,
    // runs as the parser reads, so it knows where the last good row ended when an error comes
    on_record: (record, context) => {
      lastLine = context.lines;
      return record;
    },
    on_skip: (err) => {
      // only an unclosed quote gets here once quotes are relaxed: it swallows the rest of the file
      unreadable++;
      reject(lastLine + 1, `malformed CSV: a quoted field that starts in this row is never closed, so the rest of the file (to line ${err?.lines ?? '?'}) could not be read`);
    },
  });
  Readable.from(chunks(input.csv)).pipe(parser);

  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    // the row's line in the file, as a spreadsheet numbers rows (blank lines count; a field that
    // spans lines puts the row at its last line)
    const row = info.lines;
    if (!mapping) {
      source = input.source ?? detectLayout(record);
      if (!source) {
        parser.destroy();
        throw new Invalid(
          { csv: 'the header is neither a Salesforce nor a HubSpot contacts export; say which with `source`' },
          'The file\'s columns do not look like a Salesforce or HubSpot contacts export',
          'unknown_layout',
        );
      }
      mapping = mapHeader(record, source);
      if (!mapping.columns.includes('email')) {
        parser.destroy();
        throw new Invalid({ csv: 'has no Email column' }, 'The file has no Email column: every contact is matched by email', 'missing_email_column');
      }
      continue;
    }
    rows++;
    // the email as written, so the report names whose row it was
    const email = blankToNull(record[mapping.columns.indexOf('email')]);
    if (record.length !== mapping.columns.length) {
      reject(row, `has ${record.length} columns; the header has ${mapping.columns.length}`, email);
      continue;
    }
    const contact = readRow(record, mapping);
    if (typeof contact === 'string') {
      reject(row, contact, email);
      continue;
    }
    const first = seen.get(contact.email);
    if (first !== undefined) {
      reject(row, `duplicate email: also on row ${first}, which was imported`, contact.email);
      continue;
    }
    seen.set(contact.email, row);
    batch.push(contact);
    if (batch.length >= BATCH) await flush();
  }
  if (!mapping || !source) {
    if (unreadable) throw new Invalid({ csv: 'the header row has a quote that is never closed' }, 'The file could not be read as CSV', 'malformed_csv');
    throw new Invalid({ csv: 'is empty: expected a header row and contacts' }, 'The file is empty', 'empty_file');
  }
  await flush();

  const accepted = totals.contacts.created + totals.contacts.updated + totals.contacts.unchanged;
  return {
    source,
    rows: rows + unreadable,
    accepted,
    rejectedCount,
    rejected,
    contacts: totals.contacts,
    accounts: totals.accounts,
    mappedColumns: mapping.mapped,
    unknownColumns: mapping.unknown,
  };
}

/** Creates the batch's new accounts and fills in the known ones, once per account per import. */
async function writeAccounts(tx: Executor, batch: ContactIn[], source: CrmSource, ids: Map<string, number>, totals: { created: number; updated: number }, now: Date) {
  const fresh = new Map<string, AccountIn>();
  for (const c of batch) if (c.account && !ids.has(c.account.nameKey) && !fresh.has(c.account.nameKey)) fresh.set(c.account.nameKey, c.account);
  if (!fresh.size) return;
  const input = JSON.stringify(
    [...fresh.values()].map((a) => ({
      name: a.name,
      name_key: a.nameKey,
      domain: a.domain,
      tier: a.tier,
      annual_value: a.annualValue,
      external_ids: a.externalId ? { [source]: a.externalId } : {},
    })),
  );
  const rows = sql`jsonb_to_recordset(${input}::jsonb) as i(name text, name_key text, domain text, tier text, annual_value bigint, external_ids jsonb)`;
  // known accounts first (a blank cell keeps what the directory knows), then the new ones
  const updated = await tx.execute<{ id: number }>(sql`
    update crm_accounts a set
      domain = coalesce(i.domain, a.domain),
      tier = coalesce(i.tier, a.tier),
      annual_value = coalesce(i.annual_value, a.annual_value),
      external_ids = a.external_ids || i.external_ids,
      updated_at = ${now}
    from ${rows}
    where a.name_key = i.name_key
      and ((a.domain, a.tier, a.annual_value) is distinct from (coalesce(i.domain, a.domain), coalesce(i.tier, a.tier), coalesce(i.annual_value, a.annual_value))
           or not a.external_ids @> i.external_ids)
    returning a.id`);
  const created = await tx.execute<{ id: number; name_key: string }>(sql`
    insert into crm_accounts (name, name_key, domain, tier, annual_value, external_ids, created_at, updated_at)
    select name, name_key, domain, coalesce(tier, 'standard'), annual_value, external_ids, ${now}, ${now} from ${rows}
    on conflict (name_key) do nothing
    returning id, name_key`);
  totals.created += created.rows.length;
  totals.updated += updated.rows.length;
  const all = await tx.execute<{ id: number; name_key: string }>(sql`select a.id, a.name_key from crm_accounts a join ${rows} on a.name_key = i.name_key`);
  for (const r of all.rows) ids.set(r.name_key, r.id);
}

/** Upserts the batch's contacts by email (following a changed email by the source's id); counts what changed. */
async function writeContacts(tx: Executor, batch: ContactIn[], source: CrmSource, accountIds: Map<string, number>, now: Date) {
  const input = JSON.stringify(
    batch.map((c) => ({
      email: c.email,
      first_name: c.firstName,
      last_name: c.lastName,
      phone: c.phone,
      title: c.title,
      account_id: c.account ? accountIds.get(c.account.nameKey) : null,
      ext: c.contactId,
      external_ids: c.contactId ? { [source]: c.contactId } : {},
    })),
  );
  const rows = sql`jsonb_to_recordset(${input}::jsonb) as i(email text, first_name text, last_name text, phone text, title text, account_id int, ext text, external_ids jsonb)`;
  const sourceKey = sql.raw(`'${source}'`);
  // the same person under a new address in the source CRM: move the address, keep the contact
  const moved = await tx.execute<{ email: string }>(sql`
    update crm_contacts c set email = i.email, updated_at = ${now}
    from ${rows}
    where i.ext is not null and (c.external_ids ->> ${sourceKey}) = i.ext and c.email <> i.email
      and not exists (select 1 from crm_contacts d where d.email = i.email)
    returning c.email`);
  const upserted = await tx.execute<{ email: string; inserted: boolean }>(sql`
    insert into crm_contacts (email, first_name, last_name, phone, title, account_id, external_ids, created_at, updated_at)
    select email, first_name, last_name, phone, title, account_id, external_ids, ${now}, ${now} from ${rows}
    on conflict (email) do update set
      first_name = coalesce(excluded.first_name, crm_contacts.first_name),
      last_name = coalesce(excluded.last_name, crm_contacts.last_name),
      phone = coalesce(excluded.phone, crm_contacts.phone),
      title = coalesce(excluded.title, crm_contacts.title),
      account_id = coalesce(excluded.account_id, crm_contacts.account_id),
      external_ids = crm_contacts.external_ids || excluded.external_ids,
      updated_at = ${now}
    where (crm_contacts.first_name, crm_contacts.last_name, crm_contacts.phone, crm_contacts.title, crm_contacts.account_id)
        is distinct from (coalesce(excluded.first_name, crm_contacts.first_name), coalesce(excluded.last_name, crm_contacts.last_name),
          coalesce(excluded.phone, crm_contacts.phone), coalesce(excluded.title, crm_contacts.title), coalesce(excluded.account_id, crm_contacts.account_id))
      or not crm_contacts.external_ids @> excluded.external_ids
    returning email, (xmax = 0) as inserted`);
  const created = upserted.rows.filter((r) => r.inserted).length;
  const changed = new Set([...moved.rows.map((r) => r.email), ...upserted.rows.filter((r) => !r.inserted).map((r) => r.email)]);
  return { created, updated: changed.size, unchanged: batch.length - created - changed.size };
}
