import { and, desc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../db/client.js';
import { users } from '../accounts/schema.js';
import { crmLinkDecisions, crmLinks } from './schema.js';

export type CrmLinkRow = typeof crmLinks.$inferSelect;

/** The member's active link for a connector, locked. */
export async function lockActiveLink(db: Executor, userId: number, connector: string): Promise<CrmLinkRow | undefined> {
  const [row] = await db
    .select()
    .from(crmLinks)
    .where(and(eq(crmLinks.userId, userId), eq(crmLinks.connector, connector), eq(crmLinks.status, 'active')))
    .for('update');
  return row;
}

/** The member's active link for a connector, for reading. */
export async function getActiveLink(db: Executor, userId: number, connector: string): Promise<CrmLinkRow | undefined> {
  const [row] = await db
    .select()
    .from(crmLinks)
    .where(and(eq(crmLinks.userId, userId), eq(crmLinks.connector, connector), eq(crmLinks.status, 'active')));
  return row;
}

/** The tier of the member's active link (any connector), or null when they have none. */
export async function activeTierOf(db: Executor, userId: number): Promise<string | null> {
  const [row] = await db
    .select({ tier: crmLinks.tier })
    .from(crmLinks)
    .where(and(eq(crmLinks.userId, userId), eq(crmLinks.status, 'active')))
    .orderBy(desc(crmLinks.linkedAt))
    .limit(1);
  return row?.tier ?? null;
}

/** Locks the member's user row: link changes for one member run one at a time. */
export async function lockMember(db: Executor, handle: string) {
  const [row] = await db
    .select({ id: users.id, handle: users.handle, displayName: users.displayName, email: users.email, role: users.role })
    .from(users)
    .where(sql`lower(${users.handle}) = lower(${handle})`)
    .for('update');
  return row;
}

export async function getMember(db: Executor, handle: string) {
  const [row] = await db
    .select({ id: users.id, handle: users.handle, displayName: users.displayName, email: users.email, role: users.role })
    .from(users)
    .where(sql`lower(${users.handle}) = lower(${handle})`);
  return row;
}

const linker = alias(users, 'linker');
const unlinker = alias(users, 'unlinker');

/** Every link the member had, newest first, with who made and ended it. */
export async function listLinks(db: Executor, userId: number) {
  return db
    .select({ link: crmLinks, linkedByHandle: linker.handle, unlinkedByHandle: unlinker.handle })
    .from(crmLinks)
    .leftJoin(linker, eq(linker.id, crmLinks.linkedById))
    .leftJoin(unlinker, eq(unlinker.id, crmLinks.unlinkedById))
    .where(eq(crmLinks.userId, userId))
    .orderBy(desc(crmLinks.linkedAt), desc(crmLinks.id));
}

/** The latest decision on each contact for the member and connector. */
export async function latestDecisions(db: Executor, userId: number, connector: string) {
  return db
    .selectDistinctOn([crmLinkDecisions.contactId], {
      contactId: crmLinkDecisions.contactId,
      decision: crmLinkDecisions.decision,
      decidedAt: crmLinkDecisions.decidedAt,
      decidedByHandle: users.handle,
    })
    .from(crmLinkDecisions)
    .leftJoin(users, eq(users.id, crmLinkDecisions.decidedById))
    .where(and(eq(crmLinkDecisions.userId, userId), eq(crmLinkDecisions.connector, connector)))
    .orderBy(crmLinkDecisions.contactId, desc(crmLinkDecisions.decidedAt), desc(crmLinkDecisions.id));
}

export type DirectoryCandidate = {
  contact_id: number;
  email_match: boolean;
  domain_match: boolean;
  name_similarity: number;
};

/**
 * Directory contacts that may be the member: the same email, an account on the member's email
 * domain (none when `domain` is null: free mail), or among the `nameLimit` names closest to the
 * display name (pg_trgm KNN on crm_contacts_name_gist_idx, so a directory full of similar names
 * costs no more than one of distinct names). Each with what matched, strongest first; the caller
 * scores them.
 */
export async function directoryCandidates(db: Executor, input: { email: string; domain: string | null; name: string; nameLimit: number; limit: number }): Promise<DirectoryCandidate[]> {
  const fullName = sql`(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, ''))`;
  const { rows } = await db.execute<DirectoryCandidate>(sql`
    with hits as (
      select id from crm_contacts where email = ${input.email}
      union select c.id from crm_contacts c join crm_accounts a on a.id = c.account_id where ${input.domain}::text is not null and lower(a.domain) = ${input.domain}
      union (select c.id from crm_contacts c order by ${fullName} <-> ${input.name} limit ${input.nameLimit})
    )
    select c.id as contact_id,
           c.email = ${input.email} as email_match,
           coalesce(${input.domain}::text is not null and lower(a.domain) = ${input.domain}, false) as domain_match,
           similarity(${fullName}, ${input.name})::float8 as name_similarity
    from hits join crm_contacts c on c.id = hits.id left join crm_accounts a on a.id = c.account_id
    order by email_match desc, name_similarity desc, domain_match desc, c.id
    limit ${input.limit}`);
  return rows.map((r) => ({ ...r, contact_id: Number(r.contact_id), name_similarity: Number(r.name_similarity) }));
}

/** The member's rejected suggestions, newest first, with who rejected them and why. */
export async function listRejections(db: Executor, userId: number, limit: number) {
  return db
    .select({
      contactId: crmLinkDecisions.contactId,
      connector: crmLinkDecisions.connector,
      reason: crmLinkDecisions.reason,
      decidedAt: crmLinkDecisions.decidedAt,
      decidedByHandle: users.handle,
    })
    .from(crmLinkDecisions)
    .leftJoin(users, eq(users.id, crmLinkDecisions.decidedById))
    .where(and(eq(crmLinkDecisions.userId, userId), eq(crmLinkDecisions.decision, 'rejected')))
    .orderBy(desc(crmLinkDecisions.decidedAt), desc(crmLinkDecisions.id))
    .limit(limit);
}
