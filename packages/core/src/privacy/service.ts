import type { Role } from '../forum/types.js';
import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { isStaff } from '../context.js';
import type { Executor } from '../db/client.js';
import { recordAudit } from '../audit/service.js';
import { Conflict, Invalid, NotFound } from '../errors.js';
import { appendEvent } from '../events/outbox.js';
import { authorize, can } from '../policy/index.js';

// Privacy requests about one member, answered by an admin from the console.
//
// The export answers a GDPR-style access request: everything we hold that is about the member or
// was written by them. That includes what staff recorded about them (moderation state, badges
// granted or revoked with the reasons, CRM links and the evidence behind them, and the staff notes
// on their threads), because an access request covers opinions and records about a person, not
// only what they typed. It leaves out who on the staff did each thing (other people's data), who
// flagged their posts (the flaggers' data), internal plumbing (session token digests, CRM retry
// errors and idempotency keys), and other members' content beyond the ids their data points at.
// coverage.ts lists every column that refers to users and what both requests do with it.
//
// Erasure keeps the community's threads readable: the member's threads and posts stay, text and
// all, because the issue keeps posts and only anonymises them; they are shown under the
// anonymised account ("Former member"). What identifies the person or only served them goes:
// handle, name, email, password, sessions, notifications, badges, reputation, CRM links and
// decisions, the CRM contact on their escalations, their private conversations with staff (they
// were never public and served only them), CSAT comments, and the staff notes on their threads
// (internal working notes that often repeat names and account details). Votes, ballots and flags
// stay as anonymous counts on the shell account so scores, tallies and hiding decisions hold.
// Staff accounts are refused (409 staff_account): the console's accountability trail (claims,
// resolutions, QA, audit) points at them; demote the account to member first.

export const EXPORT_FORMAT = 'community-member-export';
export const EXPORT_VERSION = 1;
export const ERASED_DISPLAY_NAME = 'Former member';
const REASON_MIN = 3;
const REASON_MAX = 500;
const HANDLE_MAX = 30;

interface MemberRow extends Record<string, unknown> {
  id: number;
  handle: string;
  email: string;
  displayName: string;
  role: Role;
  trustLevel: number;
  trustLevelLocked: boolean;
  reputation: number;
  /** timestamps as ISO strings */
  silencedUntil: string | null;
  suspendedUntil: string | null;
  routingMuted: boolean;
  erasedAt: string | null;
  createdAt: string;
}

// Raw queries hand timestamps back as PostgreSQL prints them; the export speaks ISO 8601 (UTC).
const TIME_KEY = /(At|Until)$/;
function isoTimes(row: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(row)) {
    if (TIME_KEY.test(key) && typeof value === 'string') row[key] = new Date(value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).toISOString();
  }
  return row;
}

async function rows<T extends Record<string, unknown>>(tx: Executor, query: SQL): Promise<T[]> {
  return (await tx.execute<T>(query)).rows.map(isoTimes) as T[];
}

async function findMember(tx: Executor, handle: string, lock: boolean): Promise<MemberRow> {
  const [member] = await rows<MemberRow>(
    tx,
    sql`select id, handle, email, display_name as "displayName", role, trust_level as "trustLevel", trust_level_locked as "trustLevelLocked",
               reputation, silenced_until as "silencedUntil", suspended_until as "suspendedUntil", routing_muted as "routingMuted",
               erased_at as "erasedAt", created_at as "createdAt"
          from users where lower(handle) = lower(${handle}) ${lock ? sql`for update` : sql``}`,
  );
  if (!member) throw new NotFound('Member', 'member_not_found');
  return member;
}

/** Runs the queries one after another: a transaction's connection takes one query at a time. */
async function readAll(tx: Executor, queries: SQL[]): Promise<Record<string, unknown>[][]> {
  const results: Record<string, unknown>[][] = [];
  for (const query of queries) results.push(await rows(tx, query));
  return results;
}

/** The whole export document; every timestamp is an ISO 8601 string in UTC. */
export type MemberExport = Awaited<ReturnType<typeof collectExport>>;

async function collectExport(tx: Executor, member: MemberRow, exportedAt: Date) {
  const id = member.id;
  const [
    sessions,
    threads,
    posts,
    revisions,
    votes,
    ballots,
    flagsRaised,
    flagsOnTheirPosts,
    badges,
    ledger,
    notifications,
    links,
    decisions,
    escalations,
    conversations,
    messages,
    csat,
    staffNotes,
  ] = await readAll(tx, [
    sql`select app, created_at as "createdAt", expires_at as "expiresAt" from sessions where user_id = ${id} order by created_at`,
    sql`select t.id, t.title, t.kind, t.status, c.slug as category, t.created_at as "createdAt", t.last_activity_at as "lastActivityAt",
               t.deleted_at as "deletedAt", t.held_at as "heldAt", t.taken_private_at as "takenPrivateAt"
          from threads t join categories c on c.id = t.category_id where t.author_id = ${id} order by t.id`,
    sql`select p.id, p.thread_id as "threadId", p.position, p.body_markdown as "body", p.score, p.created_at as "createdAt",
               p.edited_at as "editedAt", p.deleted_at as "deletedAt", p.held_at as "heldAt", p.hidden_at as "hiddenAt", p.hidden_reason as "hiddenReason"
          from posts p where p.author_id = ${id} order by p.id`,
    sql`select post_id as "postId", revision, title, body_markdown as "body", created_at as "createdAt"
          from post_revisions where editor_id = ${id} order by id`,
    sql`select post_id as "postId", value, created_at as "createdAt" from votes where user_id = ${id} order by created_at, post_id`,
    sql`select b.poll_id as "pollId", p.thread_id as "threadId", p.question,
               array(select o.label from poll_options o where o.id = any(b.choices) order by o.id) as choices, b.updated_at as "updatedAt"
          from ballots b join polls p on p.id = b.poll_id where b.user_id = ${id} order by b.poll_id`,
    sql`select id, post_id as "postId", reason, note, status, created_at as "createdAt", resolved_at as "resolvedAt", resolution_note as "resolutionNote"
          from flags where flagger_id = ${id} order by id`,
    sql`select f.post_id as "postId", f.reason, f.status, f.created_at as "createdAt", f.resolved_at as "resolvedAt"
          from flags f join posts p on p.id = f.post_id where p.author_id = ${id} order by f.id`,
    sql`select b.badge, t.slug as tag, b.granted_at as "grantedAt", b.grant_reason as "grantReason", b.revoked_at as "revokedAt", b.revoke_reason as "revokeReason"
          from user_badges b left join tags t on t.id = b.tag_id where b.user_id = ${id} order by b.id`,
    sql`select reason, points, post_id as "postId", created_at as "createdAt" from reputation_ledger where user_id = ${id} order by id`,
    sql`select kind, thread_id as "threadId", post_id as "postId", data, created_at as "createdAt", read_at as "readAt"
          from notifications where user_id = ${id} order by id`,
    sql`select connector, contact_id as "contactId", status, tier, linked_at as "linkedAt", unlinked_at as "unlinkedAt", unlink_reason as "unlinkReason"
          from crm_links where user_id = ${id} order by id`,
    sql`select connector, contact_id as "contactId", decision, confidence, evidence, reason, decided_at as "decidedAt"
          from crm_link_decisions where user_id = ${id} order by id`,
    sql`select thread_id as "threadId", connector, contact_id as "contactId", case_id as "caseId", subject, status, resolution,
               created_at as "createdAt", closed_at as "closedAt"
          from crm_escalations where user_id = ${id} order by id`,
    sql`select id, thread_id as "threadId", subject, created_at as "createdAt" from private_conversations where customer_id = ${id} order by id`,
    sql`select m.conversation_id as "conversationId", case when m.author_id = ${id} then 'member' else 'staff' end as "from",
               m.body_markdown as "body", m.created_at as "createdAt"
          from private_messages m join private_conversations c on c.id = m.conversation_id where c.customer_id = ${id} order by m.id`,
    sql`select thread_id as "threadId", score, comment, created_at as "createdAt" from csat_responses where user_id = ${id} order by id`,
    sql`select n.thread_id as "threadId", n.body, n.created_at as "createdAt"
          from staff_notes n join threads t on t.id = n.thread_id where t.author_id = ${id} order by n.id`,
  ]);

  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: exportedAt.toISOString(),
    account: {
      id: member.id,
      handle: member.handle,
      email: member.email,
      displayName: member.displayName,
      role: member.role,
      trustLevel: member.trustLevel,
      trustLevelLocked: member.trustLevelLocked,
      reputation: member.reputation,
      createdAt: member.createdAt,
      silencedUntil: member.silencedUntil,
      suspendedUntil: member.suspendedUntil,
      erasedAt: member.erasedAt,
    },
    sessions: { count: sessions.length, sessions },
    threads,
    posts,
    postRevisions: revisions,
    votes,
    pollBallots: ballots,
    flagsRaised,
    // the flaggers are other members: only what was said about the post and what came of it
    flagsOnTheirPosts,
    badges,
    reputationLedger: ledger,
    notifications,
    // the forum has no thread subscriptions or follows: routing preference is the only setting
    notificationSettings: { routedQuestionsMuted: member.routingMuted },
    crm: { links, linkDecisions: decisions, escalations },
    privateConversations: conversations.map((c) => ({ ...c, messages: messages.filter((m) => m.conversationId === c.id).map(({ conversationId: _, ...m }) => m) })),
    csatResponses: csat,
    staffNotesOnTheirThreads: staffNotes,
  };
}

/**
 * Everything we hold about a member, as one JSON-ready document (admins only, 'privacy.export').
 * Read in one repeatable-read transaction so the parts agree; audited as privacy.member_exported.
 * Throws Unauthenticated, Forbidden, NotFound member_not_found.
 */
export async function exportMember(ctx: Ctx, handle: string): Promise<MemberExport> {
  const actor = authorize(ctx.actor, 'privacy.export', null);
  return ctx.db.transaction(
    async (tx) => {
      const member = await findMember(tx, handle, false);
      const now = ctx.now();
      const document = await collectExport(tx, member, now);
      await recordAudit(tx, { actorId: actor.id, action: 'privacy.member_exported', subjectType: 'user', subjectId: member.id, data: { version: EXPORT_VERSION }, at: now });
      return document;
    },
    { isolationLevel: 'repeatable read' },
  );
}

export interface EraseResult {
  id: number;
  handle: string;
  erasedAt: string;
  /** what was kept on the anonymised account, and what was removed */
  kept: { threads: number; posts: number; votes: number };
  removed: Record<string, number>;
}

function checkReason(reason: unknown): string {
  const clean = typeof reason === 'string' ? reason.replace(/\s+/g, ' ').trim() : '';
  if (clean.length < REASON_MIN) throw new Invalid({ reason: `is required: at least ${REASON_MIN} characters` });
  if (clean.length > REASON_MAX) throw new Invalid({ reason: `must be at most ${REASON_MAX} characters` });
  return clean;
}

/** former-member-<id>, with a short suffix in the unlikely case someone signed up with that handle. */
async function anonymousHandle(tx: Executor, id: number): Promise<string> {
  const base = `former-member-${id}`;
  for (let attempt = 0; attempt < 5; attempt++) {
    const candidate = attempt === 0 ? base : `${base}-${randomBytes(3).toString('hex')}`.slice(0, HANDLE_MAX);
    const [taken] = await rows(tx, sql`select 1 from users where lower(handle) = lower(${candidate}) and id <> ${id}`);
    if (!taken) return candidate;
  }
  throw new Conflict('handle_unavailable', 'Could not pick an anonymous handle; try again');
}

async function count(tx: Executor, query: SQL): Promise<number> {
  return (await tx.execute(query)).rowCount ?? 0;
}

/**
 * Erases a member (admins only, 'privacy.erase'): in one transaction the account is anonymised
 * and personal data removed as the comment at the top of this file says; posts stay. `confirmHandle`
 * must repeat the member's handle. Audited as privacy.member_erased with the reason (the row keeps
 * the user id, never the old handle or email); emits privacy.member.erased to the member's room
 * and their threads' rooms so cached thread pages show the new name.
 * Throws Invalid (reason, confirmHandle), NotFound member_not_found, Conflict already_erased
 * or staff_account.
 */
export async function eraseMember(ctx: Ctx, handle: string, input: { reason: string; confirmHandle: string }): Promise<EraseResult> {
  const actor = authorize(ctx.actor, 'privacy.erase', null);
  const reason = checkReason(input.reason);
  // hashing a random secret nobody knows: the account keeps a well-formed hash that never matches
  const passwordHash = await hash(randomBytes(32).toString('base64url'));
  return ctx.db.transaction(async (tx) => {
    const member = await findMember(tx, handle, true);
    if (typeof input.confirmHandle !== 'string' || input.confirmHandle.trim().toLowerCase() !== member.handle.toLowerCase()) {
      throw new Invalid({ confirmHandle: "must repeat the member's handle exactly" }, 'Type the handle of the member to confirm the erasure', 'confirmation_mismatch');
    }
    if (member.erasedAt) throw new Conflict('already_erased', 'This member was already erased');
    if (isStaff(member.role)) throw new Conflict('staff_account', 'Staff accounts cannot be erased; change the role to member first');
    const id = member.id;
    const now = ctx.now();

    const threadRooms = (
      await rows<{ threadId: number }>(tx, sql`select distinct thread_id as "threadId" from posts where author_id = ${id} order by 1`)
    ).map((r) => `thread:${r.threadId}`);
    const kept = {
      threads: Number((await rows<{ n: string }>(tx, sql`select count(*) as n from threads where author_id = ${id}`))[0].n),
      posts: Number((await rows<{ n: string }>(tx, sql`select count(*) as n from posts where author_id = ${id}`))[0].n),
      votes: Number((await rows<{ n: string }>(tx, sql`select count(*) as n from votes where user_id = ${id}`))[0].n),
    };
    const removed = {
      sessions: await count(tx, sql`delete from sessions where user_id = ${id}`),
      notifications: await count(tx, sql`delete from notifications where user_id = ${id}`),
      badges: await count(tx, sql`delete from user_badges where user_id = ${id}`),
      reputationEntries: await count(tx, sql`delete from reputation_ledger where user_id = ${id}`),
      crmLinks: await count(tx, sql`delete from crm_links where user_id = ${id}`),
      crmLinkDecisions: await count(tx, sql`delete from crm_link_decisions where user_id = ${id}`),
      crmEscalationContacts: await count(tx, sql`update crm_escalations set user_id = null, contact_id = null where user_id = ${id}`),
      privateConversations: await count(tx, sql`delete from private_conversations where customer_id = ${id}`),
      csatComments: await count(tx, sql`update csat_responses set comment = null where user_id = ${id} and comment is not null`),
      staffNotes: await count(tx, sql`delete from staff_notes n using threads t where t.id = n.thread_id and t.author_id = ${id}`),
    };
    const newHandle = await anonymousHandle(tx, id);
    await tx.execute(sql`
      update users set handle = ${newHandle}, display_name = ${ERASED_DISPLAY_NAME}, email = ${`erased+${id}@invalid`},
             password_hash = ${passwordHash}, reputation = 0, trust_level = 0, trust_level_locked = false,
             silenced_until = null, suspended_until = null, routing_muted = true, erased_at = ${now}
       where id = ${id}`);

    await recordAudit(tx, { actorId: actor.id, action: 'privacy.member_erased', subjectType: 'user', subjectId: id, reason, data: { kept, removed }, at: now });
    await appendEvent(tx, 'privacy.member.erased', [`user:${id}`, ...threadRooms], { userId: id, displayName: ERASED_DISPLAY_NAME });
    return { id, handle: newHandle, erasedAt: now.toISOString(), kept, removed };
  });
}

/** The facts the console's member page shows (staff): who the member is and their standing. */
export interface MemberSummary {
  id: number;
  handle: string;
  displayName: string;
  role: string;
  trustLevel: number;
  reputation: number;
  createdAt: string;
  silencedUntil: string | null;
  suspendedUntil: string | null;
  erasedAt: string | null;
  threads: number;
  posts: number;
  /** whether the viewer may export and erase */
  abilities: { export: boolean; erase: boolean };
}

/** A member's basic account facts for staff ('console.access'); NotFound member_not_found. */
export async function getMemberSummary(ctx: Ctx, handle: string): Promise<MemberSummary> {
  const actor = authorize(ctx.actor, 'console.access', null);
  const member = await findMember(ctx.db, handle, false);
  const [counts] = await rows<{ threads: string; posts: string }>(
    ctx.db,
    sql`select (select count(*) from threads where author_id = ${member.id}) as threads, (select count(*) from posts where author_id = ${member.id}) as posts`,
  );
  const now = ctx.now();
  const live = (at: string | null) => (at && new Date(at) > now ? at : null);
  const admin = can(actor, 'privacy.erase', null);
  return {
    id: member.id,
    handle: member.handle,
    displayName: member.displayName,
    role: member.role,
    trustLevel: member.trustLevel,
    reputation: member.reputation,
    createdAt: member.createdAt,
    silencedUntil: live(member.silencedUntil),
    suspendedUntil: live(member.suspendedUntil),
    erasedAt: member.erasedAt,
    threads: Number(counts.threads),
    posts: Number(counts.posts),
    abilities: { export: admin, erase: admin && !member.erasedAt && !isStaff(member.role) },
  };
}
