import { Client } from '@hubspot/api-client';
import type { CrmConfig } from '../context.js';
import { NotFound } from '../errors.js';
import type { CrmConnector } from './connector.js';
import type { CrmAccount, CrmCase, CrmCaseStatus, CrmCaseUpdate, CrmContact, CrmContactSummary, CrmTier } from './types.js';

type HubspotConfig = NonNullable<CrmConfig['hubspot']>;

/*
 * The HubSpot portal this reads and writes:
 *   contact: firstname, lastname, email, jobtitle, phone, associatedcompanyid (its primary company)
 *   company: name, domain, annualrevenue (the account's value), forum_tier (custom dropdown
 *            'vip' | 'enterprise' | 'standard'; blank or anything else is standard)
 *   ticket:  subject, content, hs_pipeline, hs_pipeline_stage (mapped through config.stages),
 *            hs_resolution (what support wrote when closing it), createdate, hs_lastmodifieddate,
 *            and the property named by `ticketKeyProperty` (custom, "unique values" on) that
 *            carries our idempotency key. Tickets are associated to their contact (HubSpot's
 *            ticket→contact association, type 16).
 * A ticket in the configured closed stage is closed, in the pending stage pending, otherwise open.
 */
const CONTACT_PROPERTIES = ['firstname', 'lastname', 'email', 'jobtitle', 'phone', 'associatedcompanyid'];
const COMPANY_PROPERTIES = ['name', 'domain', 'annualrevenue', 'forum_tier'];
const TICKET_TO_CONTACT = 16;

/**
 * Search sorts as the API documents them ({ propertyName, direction }); the client's generated
 * types say string[], a known mismatch in the library, hence the cast.
 */
const sortBy = (propertyName: string, direction: 'ASCENDING' | 'DESCENDING') => [{ propertyName, direction }] as unknown as string[];
const SEARCH_LIMIT_MAX = 50;
const PAGE_MAX = 100;
const UPDATES_LIMIT_MAX = 2_000;

type Properties = Record<string, string | null | undefined>;
interface HubObject {
  id: string;
  properties: Properties;
  createdAt: Date | string;
  updatedAt: Date | string;
}

interface HubspotError {
  /** the HTTP status, on errors the API answered; network failures carry a string code instead */
  code?: number | string;
  body?: { message?: string; category?: string } | string;
}

const isHubspotId = (id: string) => /^[1-9][0-9]{0,19}$/.test(id);
const iso = (d: Date | string) => new Date(d).toISOString();

const isNotFound = (err: unknown) => (err as HubspotError)?.code === 404;

/**
 * Outages and 5xx pass through unchanged (the caller retries them); a rejected token becomes an
 * error that says which setting to fix, since retrying cannot help.
 */
function explain(err: unknown): Error {
  const e = err as HubspotError;
  if (e?.code === 401) {
    const category = typeof e.body === 'object' && e.body?.category ? ` (${e.body.category})` : '';
    return new Error(`HubSpot rejected the access token${category}: set HUBSPOT_ACCESS_TOKEN to a valid private app token`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw explain(err);
  }
}

function tierOf(value: string | null | undefined): CrmTier {
  const t = (value ?? '').trim().toLowerCase();
  return t === 'vip' || t === 'enterprise' ? t : 'standard';
}

function presentAccount(company: HubObject | undefined): CrmAccount | null {
  if (!company) return null;
  const p = company.properties;
  const revenue = p.annualrevenue ? Number(p.annualrevenue) : NaN;
  return { id: company.id, name: p.name ?? '', domain: p.domain?.trim().toLowerCase() || null, tier: tierOf(p.forum_tier), annualValue: Number.isFinite(revenue) ? Math.round(revenue) : null };
}

const presentSummary = (c: HubObject, company: HubObject | undefined): CrmContactSummary => ({
  id: c.id,
  firstName: c.properties.firstname || null,
  lastName: c.properties.lastname || null,
  email: c.properties.email ?? '',
  title: c.properties.jobtitle || null,
  account: presentAccount(company),
});

/**
 * The HubSpot connector over the official client. `basePath` points it at config.baseUrl, so
 * tests (and EU or proxy setups) can send it elsewhere.
 */
export function hubspotConnector(config: HubspotConfig): CrmConnector {
  // no client-side retries: the forum's worker retries with backoff and must see outages promptly
  const client = new Client({ accessToken: config.accessToken, basePath: config.baseUrl.replace(/\/+$/, ''), numberOfApiCallRetries: 0 });
  const ticketProperties = ['subject', 'content', 'hs_pipeline', 'hs_pipeline_stage', 'hs_resolution', 'createdate', 'hs_lastmodifieddate', config.ticketKeyProperty];

  function statusOf(stage: string | null | undefined): CrmCaseStatus {
    if (stage === config.stages.closed) return 'closed';
    if (stage === config.stages.pending) return 'pending';
    return 'open';
  }

  const presentCase = (t: HubObject, contactId: string | null): CrmCase => ({
    id: t.id,
    contactId: contactId ?? '',
    subject: t.properties.subject ?? '',
    status: statusOf(t.properties.hs_pipeline_stage),
    resolution: t.properties.hs_resolution || null,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
  });

  async function companies(ids: string[]): Promise<Map<string, HubObject>> {
    const unique = [...new Set(ids.filter(isHubspotId))];
    if (unique.length === 0) return new Map();
    const res = await client.crm.companies.batchApi.read({ inputs: unique.map((id) => ({ id })), properties: COMPANY_PROPERTIES, propertiesWithHistory: [] });
    return new Map(res.results.map((c) => [c.id, c as HubObject]));
  }

  /** Each ticket's contact, read from the associations (search results do not carry them). */
  async function contactsOfTickets(ticketIds: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    // the batch read takes up to 1,000 ids at a time
    for (let i = 0; i < ticketIds.length; i += 1_000) {
      const res = await client.crm.associations.v4.batchApi.getPage('tickets', 'contacts', { inputs: ticketIds.slice(i, i + 1_000).map((id) => ({ id })) });
      for (const r of res.results) if (r.to[0]) out.set(String(r._from.id), String(r.to[0].toObjectId));
    }
    return out;
  }

  async function ticketByKey(key: string): Promise<HubObject | null> {
    try {
      return (await client.crm.tickets.basicApi.getById(key, ticketProperties, undefined, undefined, false, config.ticketKeyProperty)) as HubObject;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  return {
    name: 'hubspot',

    searchContacts: (q, options = {}) =>
      guarded(async () => {
        const text = q.replace(/\s+/g, ' ').trim();
        if (!text) return [];
        const limit = Math.min(Math.max(options.limit ?? 20, 1), SEARCH_LIMIT_MAX);
        // `query` is HubSpot's free-text search over the default searchable contact properties
        // (names, email, phone, company name); it is text, not a filter language, so what an agent
        // types cannot widen the search
        const res = await client.crm.contacts.searchApi.doSearch({ query: text, properties: CONTACT_PROPERTIES, limit, filterGroups: [], sorts: [] });
        const rows = res.results as HubObject[];
        const byId = await companies(rows.map((r) => r.properties.associatedcompanyid ?? ''));
        const lower = text.toLowerCase();
        return rows
          .map((row, i) => ({ row, i, exact: (row.properties.email ?? '').toLowerCase() === lower }))
          .sort((a, b) => Number(b.exact) - Number(a.exact) || a.i - b.i)
          .map(({ row }) => presentSummary(row, byId.get(row.properties.associatedcompanyid ?? '')));
      }),

    getContact: (id) =>
      guarded(async (): Promise<CrmContact | null> => {
        if (!isHubspotId(id)) return null;
        let contact: HubObject;
        try {
          contact = (await client.crm.contacts.basicApi.getById(id, CONTACT_PROPERTIES)) as HubObject;
        } catch (err) {
          if (isNotFound(err)) return null;
          throw err;
        }
        const companyId = contact.properties.associatedcompanyid ?? '';
        const [byId, open] = await Promise.all([
          companies([companyId]),
          client.crm.tickets.searchApi.doSearch({
            filterGroups: [
              {
                filters: [
                  { propertyName: 'associations.contact', operator: 'EQ' as never, value: contact.id },
                  { propertyName: 'hs_pipeline', operator: 'EQ' as never, value: config.pipeline },
                  { propertyName: 'hs_pipeline_stage', operator: 'NEQ' as never, value: config.stages.closed },
                ],
              },
            ],
            sorts: sortBy('createdate', 'DESCENDING'),
            properties: ticketProperties,
            limit: PAGE_MAX,
          }),
        ]);
        return {
          ...presentSummary(contact, byId.get(companyId)),
          phone: contact.properties.phone || null,
          externalIds: { hubspot: contact.id },
          openCases: (open.results as HubObject[]).map((t) => presentCase(t, contact.id)),
        };
      }),

    createCase: (input) =>
      guarded(async () => {
        // an unknown contact is the caller's mistake, not an outage: NotFound, as the directory says
        const unknownContact = () => new NotFound('CRM contact', 'crm_contact_not_found');
        if (!isHubspotId(input.contactId)) throw unknownContact();
        // Exactly once: the key property has "unique values" on, so HubSpot itself refuses a second
        // ticket with the same key (409). A retry finds the ticket by the key (read by idProperty,
        // which unlike search is not eventually consistent) or, racing another attempt, loses the
        // create with 409 and reads the winner. The association rides in the create request, so a
        // ticket never exists without its contact. Nothing is written to an existing ticket, so a
        // retry cannot move a case support has already moved on.
        const existing = await ticketByKey(input.idempotencyKey);
        if (existing) return presentCase(existing, input.contactId);
        try {
          const created = await client.crm.tickets.basicApi.create({
            properties: {
              subject: input.subject,
              content: input.description,
              hs_pipeline: config.pipeline,
              hs_pipeline_stage: config.stages.open,
              [config.ticketKeyProperty]: input.idempotencyKey,
            },
            associations: [{ to: { id: input.contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: TICKET_TO_CONTACT }] }],
          });
          return presentCase(created as HubObject, input.contactId);
        } catch (err) {
          if ((err as HubspotError)?.code === 400) {
            // HubSpot refuses an association to a missing contact as a validation error; ask
            // whether that is what happened only now, so a normal create costs no extra call
            const contact = await client.crm.contacts.basicApi.getById(input.contactId, ['email']).catch((e: unknown) => (isNotFound(e) ? null : undefined));
            if (contact === null) throw unknownContact();
          }
          if ((err as HubspotError)?.code !== 409) throw err;
          const winner = await ticketByKey(input.idempotencyKey);
          if (!winner) throw err;
          return presentCase(winner, input.contactId);
        }
      }),

    getCase: (id) =>
      guarded(async () => {
        if (!isHubspotId(id)) return null;
        let ticket: HubObject;
        try {
          ticket = (await client.crm.tickets.basicApi.getById(id, ticketProperties)) as HubObject;
        } catch (err) {
          if (isNotFound(err)) return null;
          throw err;
        }
        const contacts = await contactsOfTickets([ticket.id]);
        return presentCase(ticket, contacts.get(ticket.id) ?? null);
      }),

    caseUpdatesSince: (since, options = {}) =>
      guarded(async () => {
        const limit = Math.min(Math.max(options.limit ?? 500, 1), UPDATES_LIMIT_MAX);
        const tickets: HubObject[] = [];
        let after: string | undefined;
        // search pages hold at most 100; follow them until the limit or the end
        do {
          const res = await client.crm.tickets.searchApi.doSearch({
            filterGroups: [
              {
                filters: [
                  { propertyName: 'hs_lastmodifieddate', operator: 'GT' as never, value: String(since.getTime()) },
                  { propertyName: 'hs_pipeline', operator: 'EQ' as never, value: config.pipeline },
                ],
              },
            ],
            sorts: sortBy('hs_lastmodifieddate', 'ASCENDING'),
            properties: ticketProperties,
            limit: Math.min(PAGE_MAX, limit - tickets.length),
            ...(after ? { after } : {}),
          });
          tickets.push(...(res.results as HubObject[]));
          after = res.paging?.next?.after;
        } while (after && tickets.length < limit);
        // search sorts by one property; ties in the same millisecond go by id so polls agree
        tickets.sort((a, b) => iso(a.updatedAt).localeCompare(iso(b.updatedAt)) || Number(a.id) - Number(b.id));
        const contacts = await contactsOfTickets(tickets.map((t) => t.id));
        return tickets.map((t): CrmCaseUpdate => {
          const c = presentCase(t, contacts.get(t.id) ?? null);
          return { connector: 'hubspot', caseId: t.id, contactId: contacts.get(t.id) ?? null, createdAt: c.createdAt, status: c.status, resolution: c.resolution, updatedAt: c.updatedAt, eventId: null };
        });
      }),
  };
}
