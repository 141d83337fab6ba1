import type { Ctx } from '../context.js';
import { recordAudit } from '../audit/service.js';
import { Invalid } from '../errors.js';
import { authorize } from '../policy/index.js';
import type { CrmConnector } from './connector.js';
import { directoryConnector } from './directory.js';
import { hubspotConnector } from './hubspot.js';
import { salesforceConnector } from './salesforce.js';
import { importContacts, type ImportInput } from './import.js';
import type { CrmContactSummary, ImportReport } from './types.js';

export { suggestContacts, linkMember, unlinkMember, rejectSuggestion, memberCrmProfile, scoreEvidence, FREE_MAIL_DOMAINS, LINK_LIMITS, type CrmSuggestion, type CrmLinkView } from './links.js';

export const CRM_LIMITS = { queryMax: 200, searchLimitMax: 50 } as const;

/*
 * Vendor clients hold connection state (agents, tokens), so each is built once per settings object
 * rather than per call; a new config object (tests, a reload) gets its own.
 */
const salesforceClients = new WeakMap<object, CrmConnector>();
const hubspotClients = new WeakMap<object, CrmConnector>();

function cached<C extends object>(cache: WeakMap<object, CrmConnector>, settings: C, build: (settings: C) => CrmConnector): CrmConnector {
  let connector = cache.get(settings);
  if (!connector) {
    connector = build(settings);
    cache.set(settings, connector);
  }
  return connector;
}

/**
 * The connector `ctx.config.crm.connector` names: the built-in directory (the default), Salesforce
 * or HubSpot. Throws when a vendor is named without its settings (crmConfigFromEnv prevents that).
 */
export function crmConnector(ctx: Ctx): CrmConnector {
  const crm = ctx.config.crm;
  switch (crm.connector) {
    case 'salesforce':
      if (!crm.salesforce) throw new Error('CRM connector salesforce is configured without its settings');
      return cached(salesforceClients, crm.salesforce, salesforceConnector);
    case 'hubspot':
      if (!crm.hubspot) throw new Error('CRM connector hubspot is configured without its settings');
      return cached(hubspotClients, crm.hubspot, hubspotConnector);
    default:
      return directoryConnector(ctx.db, ctx.now);
  }
}

/**
 * Contacts matching a name, email or account, for staff (crm.view; members get Forbidden).
 * Invalid names `q` when it is empty or longer than 200 characters.
 */
export async function searchContacts(ctx: Ctx, query: string, options: { limit?: number } = {}): Promise<CrmContactSummary[]> {
  authorize(ctx.actor, 'crm.view', null);
  const q = query.replace(/\s+/g, ' ').trim();
  if (!q) throw new Invalid({ q: 'must not be empty' });
  if (q.length > CRM_LIMITS.queryMax) throw new Invalid({ q: `must be at most ${CRM_LIMITS.queryMax} characters` });
  return crmConnector(ctx).searchContacts(q, { limit: Math.min(options.limit ?? 20, CRM_LIMITS.searchLimitMax) });
}

/**
 * Loads a Salesforce or HubSpot contacts export into the built-in directory (admins only,
 * crm.import). All accepted rows land, with one audit row (crm.contacts_imported) carrying the
 * counts, in one transaction; rejected rows are reported, not written. Invalid for a file that
 * cannot be read at all (empty, unknown layout, no email column).
 */
export async function importContactsCsv(ctx: Ctx, input: ImportInput): Promise<ImportReport> {
  const actor = authorize(ctx.actor, 'crm.import', null);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const report = await importContacts(tx, input, now);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'crm.contacts_imported',
      // the built-in directory is one subject: every import writes into it
      subjectType: 'crm_directory',
      subjectId: 1,
      data: {
        source: report.source,
        rows: report.rows,
        accepted: report.accepted,
        rejected: report.rejectedCount,
        contacts: report.contacts,
        accounts: report.accounts,
        unknownColumns: report.unknownColumns,
      },
      at: now,
    });
    return report;
  });
}

export {
  escalateItem,
  listEscalations,
  threadEscalations,
  publishCaseAnswer,
  closeCaseThread,
  updateDirectoryCase,
  applyCaseUpdate,
  ensureCrmPollScheduled,
  ESCALATION_JOBS,
  ESCALATION_LIMITS,
  type Escalation,
  type EscalationStatus,
} from './escalation.js';
export { receiveCaseWebhook, pruneWebhookReceipts, signWebhook, SIGNATURE_HEADER, WEBHOOK_LIMITS, type WebhookResult } from './webhook.js';
export { scrubPersonalData } from './scrub.js';
export { receiveHubspotWebhook, hubspotSignatureV3, HUBSPOT_WEBHOOK_LIMITS, type HubspotWebhookResult } from './hubspot-webhook.js';
export { crmSelfService, type CrmSelfService, type SelfServiceCounts } from './self-service.js';
