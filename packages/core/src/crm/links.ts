import { eq } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { recordAudit } from '../audit/service.js';
import type { Executor } from '../db/client.js';
import { Conflict, Invalid, NotFound } from '../errors.js';
import { appendEvent } from '../events/outbox.js';
import { authorize } from '../policy/index.js';
import { setAuthorTier } from '../queue/service.js';
import * as lq from './link-queries.js';
import { crmLinkDecisions, crmLinks, type LinkEvidence } from './schema.js';
import { crmConnector } from './service.js';
import type { CrmContact, CrmContactSummary } from './types.js';

export const LINK_LIMITS = { reasonMax: 500, evidenceMax: 10, suggestionsMax: 10, rejectionsListed: 20 } as const;

/**
 * Email domains anyone can sign up on: sharing one says nothing about the employer, so they
 * never count as company-domain evidence.
 */
export const FREE_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'hotmail.co.uk', 'live.com', 'msn.com',
  'yahoo.com', 'yahoo.co.uk', 'yahoo.fr', 'ymail.com', 'aol.com', 'icloud.com', 'me.com', 'mac.com',
  'proton.me', 'protonmail.com', 'pm.me', 'gmx.com', 'gmx.de', 'gmx.net', 'web.de', 'mail.com',
  'zoho.com', 'yandex.com', 'yandex.ru', 'mail.ru', 'qq.com', '163.com', 'fastmail.com', 'hey.com', 'tutanota.com',
]);

/**
 * How much each kind of evidence says on its own. Confidence combines them as independent
 * signals: 1 − Π(1 − weight), so two pieces of evidence together are stronger than either, the
 * score stays below 1, and adding evidence never lowers it.
 * - email: the member's account email is the contact's (case-insensitive). Nearly certain: 0.9.
 * - domain: the member's email domain is the contact's account's domain (free mail excluded).
 *   Says "works there", not "is this person": 0.4.
 * - name: pg_trgm similarity of display name and contact name (0..1), counted from 0.3 up (the
 *   `%` operator's threshold; below it names share little) at half weight: a common name alone
 *   must not look like a match. An exact name alone gives 0.5.
 */
const WEIGHT = { email: 0.9, domain: 0.4, namePerSimilarity: 0.5 } as const;
const NAME_THRESHOLD = 0.3;

const round2 = (n: number) => Math.round(n * 100) / 100;

export function scoreEvidence(evidence: LinkEvidence[]): number {
  return round2(1 - evidence.reduce((miss, e) => miss * (1 - e.weight), 1));
}

export interface CrmSuggestion {
  contact: CrmContactSummary;
  confidence: number;
  evidence: LinkEvidence[];
  /** the member's active link is to this contact */
  linked: boolean;
  /** the latest decision on this contact was a rejection: shown, marked, and listed last */
  rejected: { at: string; by: string | null } | null;
}

function memberTarget(member: Awaited<ReturnType<typeof lq.getMember>>) {
  if (!member) throw new NotFound('Member', 'member_not_found');
  return member;
}

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/**
 * Contacts that may be the member, best first, each with a confidence (0..1) and the evidence
 * behind it (staff: crm.view). Contacts an agent rejected for this member are kept, marked
 * `rejected`, after the others. NotFound member_not_found.
 */
export async function suggestContacts(ctx: Ctx, handle: string): Promise<{ connector: string; suggestions: CrmSuggestion[] }> {
  authorize(ctx.actor, 'crm.view', null);
  const member = memberTarget(await lq.getMember(ctx.db, handle));
  const connector = crmConnector(ctx);
  const email = member.email.trim().toLowerCase();
  const domain = domainOf(email);
  const candidates = await lq.directoryCandidates(ctx.db, {
    email,
    domain: FREE_MAIL_DOMAINS.has(domain) ? null : domain,
    name: member.displayName,
    nameLimit: LINK_LIMITS.suggestionsMax * 2,
    limit: 200,
  });
  const decisions = new Map((await lq.latestDecisions(ctx.db, member.id, connector.name)).map((d) => [d.contactId, d]));
  // scored here from what matched, so only the few shown are fetched from the connector
  const scored = candidates
    .map((c) => {
      const evidence: LinkEvidence[] = [];
      if (c.email_match) evidence.push({ kind: 'email', detail: email, weight: WEIGHT.email });
      if (c.domain_match) evidence.push({ kind: 'domain', detail: domain, weight: WEIGHT.domain });
      if (c.name_similarity >= NAME_THRESHOLD) evidence.push({ kind: 'name', detail: '', weight: round2(c.name_similarity * WEIGHT.namePerSimilarity) });
      const decision = decisions.get(String(c.contact_id));
      return { id: String(c.contact_id), similarity: c.name_similarity, evidence, confidence: scoreEvidence(evidence), rejected: decision?.decision === 'rejected' ? decision : null };
    })
    .filter((s) => s.evidence.length > 0)
    .sort((a, b) => Number(a.rejected !== null) - Number(b.rejected !== null) || b.confidence - a.confidence || Number(a.id) - Number(b.id))
    .slice(0, LINK_LIMITS.suggestionsMax);
  const active = await lq.getActiveLink(ctx.db, member.id, connector.name);
  const found = await Promise.all(scored.map((s) => connector.getContact(s.id)));
  const suggestions: CrmSuggestion[] = [];
  for (const [i, s] of scored.entries()) {
    const contact = found[i];
    if (!contact) continue;
    const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
    suggestions.push({
      contact: summary(contact),
      confidence: s.confidence,
      evidence: s.evidence.map((e) => (e.kind === 'name' ? { ...e, detail: `${member.displayName.slice(0, 200)} ~ ${name} (${round2(s.similarity)})` } : e)),
      linked: active?.contactId === contact.id,
      rejected: s.rejected ? { at: s.rejected.decidedAt.toISOString(), by: s.rejected.decidedByHandle } : null,
    });
  }
  return { connector: connector.name, suggestions };
}

const summary = (c: CrmContact): CrmContactSummary => ({ id: c.id, firstName: c.firstName, lastName: c.lastName, email: c.email, title: c.title, account: c.account });

function checkEvidence(input: { confidence?: number | null; evidence?: LinkEvidence[] | null }) {
  if (input.confidence != null && !(input.confidence >= 0 && input.confidence <= 1)) throw new Invalid({ confidence: 'must be between 0 and 1' });
  if ((input.evidence?.length ?? 0) > LINK_LIMITS.evidenceMax) throw new Invalid({ evidence: `must hold at most ${LINK_LIMITS.evidenceMax} items` });
}

function checkReason(reason: string | null | undefined, required: boolean): string | null {
  const r = reason?.trim() ?? '';
  if (required && !r) throw new Invalid({ reason: 'is required' });
  if (r.length > LINK_LIMITS.reasonMax) throw new Invalid({ reason: `must be at most ${LINK_LIMITS.reasonMax} characters` });
  return r || null;
}

async function existingContact(ctx: Ctx, contactId: string): Promise<CrmContact> {
  const contact = await crmConnector(ctx).getContact(contactId);
  if (!contact) throw new NotFound('CRM contact', 'crm_contact_not_found');
  return contact;
}

export interface CrmLinkView {
  id: number;
  connector: string;
  contactId: string;
  status: 'active' | 'unlinked';
  tier: string | null;
  linkedBy: string | null;
  linkedAt: string;
  unlinkedBy: string | null;
  unlinkedAt: string | null;
  unlinkReason: string | null;
}

const presentLink = (r: Awaited<ReturnType<typeof lq.listLinks>>[number]): CrmLinkView => ({
  id: r.link.id,
  connector: r.link.connector,
  contactId: r.link.contactId,
  status: r.link.status,
  tier: r.link.tier,
  linkedBy: r.linkedByHandle,
  linkedAt: r.link.linkedAt.toISOString(),
  unlinkedBy: r.unlinkedByHandle,
  unlinkedAt: r.link.unlinkedAt?.toISOString() ?? null,
  unlinkReason: r.link.unlinkReason,
});

async function linkView(tx: Executor, userId: number, id: number): Promise<CrmLinkView> {
  return presentLink((await lq.listLinks(tx, userId)).find((r) => r.link.id === id)!);
}

/**
 * Links a member to a CRM contact (staff: crm.link), recording the agent's 'confirmed' decision
 * with the confidence and evidence they saw. The member's open queue items take the account's
 * tier. NotFound member_not_found / crm_contact_not_found; Conflict already_linked when the
 * member has an active link for this connector (unlink first). Of two agents linking one member
 * at once exactly one wins: the member's row is locked, and the partial unique index backs it.
 * Audited as crm.member_linked; emits crm.member.linked to the console.
 */
export async function linkMember(ctx: Ctx, handle: string, input: { contactId: string; confidence?: number | null; evidence?: LinkEvidence[] | null }): Promise<CrmLinkView> {
  const actor = authorize(ctx.actor, 'crm.link', null);
  checkEvidence(input);
  const contact = await existingContact(ctx, input.contactId);
  const connector = crmConnector(ctx).name;
  const now = ctx.now();
  try {
    return await ctx.db.transaction(async (tx) => {
      const member = memberTarget(await lq.lockMember(tx, handle));
      const active = await lq.lockActiveLink(tx, member.id, connector);
      if (active) throw alreadyLinked(active.contactId);
      const tier = contact.account?.tier ?? null;
      const [link] = await tx
        .insert(crmLinks)
        .values({ userId: member.id, connector, contactId: contact.id, tier, linkedById: actor.id, linkedAt: now })
        .returning();
      await tx.insert(crmLinkDecisions).values({
        userId: member.id,
        connector,
        contactId: contact.id,
        decision: 'confirmed',
        confidence: input.confidence ?? null,
        evidence: input.evidence ?? [],
        decidedById: actor.id,
        decidedAt: now,
      });
      const items = await setAuthorTier(tx, member.id, tier, now);
      await recordAudit(tx, {
        actorId: actor.id,
        action: 'crm.member_linked',
        subjectType: 'user',
        subjectId: member.id,
        data: { before: null, after: { connector, contactId: contact.id, tier }, confidence: input.confidence ?? null, queueItems: items },
        at: now,
      });
      await appendEvent(tx, 'crm.member.linked', ['queue'], { memberId: member.id, handle: member.handle, connector, contactId: contact.id, tier }, { userId: member.id });
      return linkView(tx, member.id, link.id);
    });
  } catch (error) {
    // the index caught a link the lock did not (a member row created and linked in one go elsewhere)
    if ((error as { code?: string }).code === '23505') throw alreadyLinked(null);
    throw error;
  }
}

const alreadyLinked = (contactId: string | null) =>
  new Conflict('already_linked', contactId ? `This member is already linked to CRM contact ${contactId}; unlink first` : 'This member is already linked; unlink first');

/**
 * Ends the member's active link (staff: crm.link) with a reason; the row stays as history. The
 * member's open queue items lose the tier. NotFound member_not_found; Conflict not_linked;
 * Invalid reason. Audited as crm.member_unlinked; emits crm.member.unlinked.
 */
export async function unlinkMember(ctx: Ctx, handle: string, input: { reason?: string | null }): Promise<CrmLinkView> {
  const actor = authorize(ctx.actor, 'crm.link', null);
  const reason = checkReason(input.reason, true);
  const connector = crmConnector(ctx).name;
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const member = memberTarget(await lq.lockMember(tx, handle));
    const active = await lq.lockActiveLink(tx, member.id, connector);
    if (!active) throw new Conflict('not_linked', 'This member has no CRM link to remove');
    await tx
      .update(crmLinks)
      .set({ status: 'unlinked', unlinkedById: actor.id, unlinkedAt: now, unlinkReason: reason })
      .where(eq(crmLinks.id, active.id));
    const items = await setAuthorTier(tx, member.id, await lq.activeTierOf(tx, member.id), now);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'crm.member_unlinked',
      subjectType: 'user',
      subjectId: member.id,
      reason,
      data: { before: { connector, contactId: active.contactId, tier: active.tier }, after: null, queueItems: items },
      at: now,
    });
    await appendEvent(tx, 'crm.member.unlinked', ['queue'], { memberId: member.id, handle: member.handle, connector, contactId: active.contactId }, { userId: member.id });
    return linkView(tx, member.id, active.id);
  });
}

/**
 * Records that a suggested contact is not the member (staff: crm.link), so suggestions mark it.
 * NotFound member_not_found / crm_contact_not_found; Conflict contact_linked when the member is
 * linked to that very contact (unlink instead). Audited as crm.suggestion_rejected.
 */
export async function rejectSuggestion(
  ctx: Ctx,
  handle: string,
  contactId: string,
  input: { reason?: string | null; confidence?: number | null; evidence?: LinkEvidence[] | null },
): Promise<{ contactId: string; decision: 'rejected'; decidedAt: string }> {
  const actor = authorize(ctx.actor, 'crm.link', null);
  const reason = checkReason(input.reason, false);
  checkEvidence(input);
  const contact = await existingContact(ctx, contactId);
  const connector = crmConnector(ctx).name;
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const member = memberTarget(await lq.lockMember(tx, handle));
    const active = await lq.lockActiveLink(tx, member.id, connector);
    if (active?.contactId === contact.id) throw new Conflict('contact_linked', 'This member is linked to that contact; unlink instead');
    await tx.insert(crmLinkDecisions).values({
      userId: member.id,
      connector,
      contactId: contact.id,
      decision: 'rejected',
      confidence: input.confidence ?? null,
      evidence: input.evidence ?? [],
      reason,
      decidedById: actor.id,
      decidedAt: now,
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'crm.suggestion_rejected',
      subjectType: 'user',
      subjectId: member.id,
      reason,
      data: { connector, contactId: contact.id, confidence: input.confidence ?? null },
      at: now,
    });
    return { contactId: contact.id, decision: 'rejected' as const, decidedAt: now.toISOString() };
  });
}

export interface CrmRejectionView {
  connector: string;
  contactId: string;
  /** the contact's name or email, when the CRM still has it */
  contactName: string | null;
  reason: string | null;
  rejectedBy: string | null;
  rejectedAt: string;
}

/**
 * What staff see of a member in the CRM (crm.view): the linked contact with account, tier,
 * value and open cases (from the connector; null when the member has no active link, or the CRM
 * no longer has the contact), every link they had, newest first, and the suggestions agents
 * rejected (the latest 20). NotFound member_not_found.
 */
export async function memberCrmProfile(
  ctx: Ctx,
  handle: string,
): Promise<{ connector: string; link: CrmLinkView | null; contact: CrmContact | null; history: CrmLinkView[]; rejections: CrmRejectionView[] }> {
  authorize(ctx.actor, 'crm.view', null);
  const member = memberTarget(await lq.getMember(ctx.db, handle));
  const connector = crmConnector(ctx);
  const history = (await lq.listLinks(ctx.db, member.id)).map(presentLink);
  const link = history.find((l) => l.status === 'active' && l.connector === connector.name) ?? null;
  const contact = link ? await connector.getContact(link.contactId) : null;
  const rejected = await lq.listRejections(ctx.db, member.id, LINK_LIMITS.rejectionsListed);
  // names for the panel; a contact the CRM has dropped shows by its id
  const ids = [...new Set(rejected.filter((r) => r.connector === connector.name).map((r) => r.contactId))];
  const found = new Map((await Promise.all(ids.map((id) => connector.getContact(id)))).flatMap((c) => (c ? [[c.id, c] as const] : [])));
  const rejections = rejected.map((r) => {
    const c = r.connector === connector.name ? found.get(r.contactId) : undefined;
    return {
      connector: r.connector,
      contactId: r.contactId,
      contactName: c ? [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email : null,
      reason: r.reason,
      rejectedBy: r.decidedByHandle,
      rejectedAt: r.decidedAt.toISOString(),
    };
  });
  return { connector: connector.name, link, contact, history, rejections };
}
