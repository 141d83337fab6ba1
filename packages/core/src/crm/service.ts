import { sql } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { recordAudit } from '../audit/service.js';
import { Invalid } from '../errors.js';
import type { Executor } from '../db/client.js';
import { authorize } from '../policy/index.js';
import { setAuthorTier } from '../queue/service.js';
import type { CrmConnector } from './connector.js';
import { directoryConnector } from './directory.js';
import { hubspotConnector } from './hubspot.js';
import { salesforceConnector } from './salesforce.js';
import { activeTierOf } from './link-queries.js';
import { importContacts, type ImportInput } from './import.js';
import type { CrmContactSummary, ImportReport } from './types.js';

export { memberForumHistory, HISTORY_LIMITS, type MemberForumHistory } from './history.js';
export { suggestContacts, linkMember, unlinkMember, rejectSuggestion, memberCrmProfile, scoreEvidence, FREE_MAIL_DOMAINS, LINK_LIMITS, type CrmSuggestion, type CrmLinkView, type CrmRejectionView } from './links.js';

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
 * cannot be read at all (empty, unknown layout, no email column). When the file changes an
 * account's tier (or moves a contact to another account), members linked to its contacts take
 * the new tier, and so do their open queue items (queue.item.updated, as linking does).
 */
export async function importContactsCsv(ctx: Ctx, input: ImportInput): Promise<ImportReport> {
  const actor = authorize(ctx.actor, 'crm.import', null);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const report = await importContacts(tx, input, now);
    const retiered = await refreshLinkedTiers(tx, now);
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
        retiered,
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
/**
 * Brings active directory links in line with their contact's account tier after an import, then
 * re-tiers those members' open queue items so priority follows. Returns what changed, for the audit.
 */
async function refreshLinkedTiers(tx: Executor, now: Date): Promise<{ userId: number; contactId: string; before: string | null; after: string | null; queueItems: number[] }[]> {
  const { rows } = await tx.execute<{ user_id: number; contact_id: string; before: string | null; after: string | null }>(sql`
    with current as (
      select l.id, l.tier as before, a.tier as after
      from crm_links l
      join crm_contacts c on c.id::text = l.contact_id
      left join crm_accounts a on a.id = c.account_id
      where l.connector = 'directory' and l.status = 'active' and l.tier is distinct from a.tier
      for update of l
    )
    update crm_links l set tier = current.after from current where l.id = current.id
    returning l.user_id, l.contact_id, current.before, current.after`);
  const changes = [];
  for (const r of rows) {
    // the member's tier across all their links, as linking and unlinking compute it
    const queueItems = await setAuthorTier(tx, r.user_id, await activeTierOf(tx, r.user_id), now);
    changes.push({ userId: r.user_id, contactId: r.contact_id, before: r.before, after: r.after, queueItems });
  }
  return changes;
}
