import { recordAudit } from '../audit/service.js';
import type { Ctx } from '../context.js';
import type { Executor } from '../db/client.js';
import { Conflict, Invalid, NotFound } from '../errors.js';
import type { JobPayload } from '../events/jobs.js';
import { appendEvent } from '../events/outbox.js';
import { decodeCursor, encodeCursor, isKeyset, LIMITS } from '../forum/service.js';
import { authorize } from '../policy/index.js';
import { BADGES, EXPERT, badgeBySlug } from './catalogue.js';
import { presentAwardEvent, presentCatalogue, presentBadgeSummary, presentHolder, presentMemberBadge, presentMemberBadges, presentStanding } from './present.js';
import * as q from './queries.js';
import type { BackfillResult, BadgeHolder, BadgeSummary, MemberBadge, TagExperts } from './types.js';

/** The job kind that evaluates badges after forum events (events/subscriptions.ts). */
export const BADGE_JOB = 'badges.evaluate';

const ALL_RULES = BADGES.map((b) => b.slug);
const REASON = { min: 3, max: 500 };
const userRoom = (id: number) => `user:${id}`;

/** Emits badges.badge.awarded / badges.badge.revoked for changes a rule made. */
async function emitRuleChanges(tx: Executor, changes: q.AwardChange[]): Promise<void> {
  for (const change of changes) {
    const facts = { userBadgeId: change.id, userId: change.userId, badge: change.badge, tagId: change.tagId };
    if (change.change === 'awarded') {
      await appendEvent(tx, 'badges.badge.awarded', [userRoom(change.userId)], presentAwardEvent(change), { ...facts, grantedById: null });
    } else {
      await appendEvent(tx, 'badges.badge.revoked', [userRoom(change.userId)], presentAwardEvent(change), { ...facts, revokedById: null, reason: 'lapsed' });
    }
  }
}

function summarise(changes: q.AwardChange[], started: number): BackfillResult {
  const byBadge: BackfillResult['byBadge'] = {};
  for (const c of changes) {
    const entry = (byBadge[c.badge] ??= { awarded: 0, lapsed: 0 });
    entry[c.change]++;
  }
  return {
    awarded: changes.filter((c) => c.change === 'awarded').length,
    lapsed: changes.filter((c) => c.change === 'lapsed').length,
    byBadge,
    ms: Math.round(performance.now() - started),
  };
}

/**
 * Evaluates every badge rule for these members and brings their awards in line: awards what they
 * newly qualify for, lapses Expert awards they no longer qualify for. The members are locked for
 * the transaction, so evaluations of one member take turns. Emits badges.badge.awarded and
 * badges.badge.revoked. Runs in the caller's transaction (a job's) or opens one.
 */
export async function evaluateBadges(ctx: Pick<Ctx, 'db' | 'now' | 'config'>, userIds: readonly number[], slugs: readonly string[] = ALL_RULES): Promise<q.AwardChange[]> {
  const ids = [...new Set(userIds)].filter((id) => Number.isInteger(id) && id > 0);
  if (!ids.length) return [];
  return ctx.db.transaction(async (tx) => {
    await q.lockMembers(tx, ids);
    // A kept badge every one of them already has (or staff took away) cannot change: skip its rule.
    const settled = await q.listSettledKeptBadges(tx, ids);
    const open = slugs.filter((slug) => !badgeBySlug(slug)?.kept || ids.some((id) => !settled.get(id)?.has(slug)));
    const changes = await q.reconcileAwards(tx, { scope: ids, slugs: open, now: ctx.now(), expert: ctx.config.expert });
    await emitRuleChanges(tx, changes);
    return changes;
  });
}

async function evaluateEveryone(ctx: Pick<Ctx, 'db' | 'now' | 'config'>, slugs: readonly string[]): Promise<BackfillResult> {
  const started = performance.now();
  const changes = await ctx.db.transaction(async (tx) => {
    await q.lockEveryone(tx);
    const made = await q.reconcileAwards(tx, { scope: 'everyone', slugs, now: ctx.now(), expert: ctx.config.expert });
    await emitRuleChanges(tx, made);
    return made;
  });
  // Post pages look awards up per author; after a bulk change the planner must know the table's new shape.
  if (changes.length >= 100) await q.analyzeAwards(ctx.db);
  return summarise(changes, started);
}

/**
 * Recomputes every rule for every member from the current data and makes the awards match, with
 * the same rule code as the event path: awards what is missing, lapses experts who no longer
 * qualify; kept badges and staff decisions stay. Emits an event per change. Safe to run any time.
 */
export async function backfillBadges(ctx: Pick<Ctx, 'db' | 'now' | 'config'>): Promise<BackfillResult> {
  return evaluateEveryone(ctx, ALL_RULES);
}

/**
 * Re-evaluates Expert for everyone. Expertise depends on the clock (answers leave the window
 * without any event), so housekeeping runs this periodically; it lapses and awards like the
 * backfill does.
 */
export async function sweepExperts(ctx: Pick<Ctx, 'db' | 'now' | 'config'>): Promise<BackfillResult> {
  return evaluateEveryone(ctx, [EXPERT]);
}

/** Who qualifies for each badge right now by the rules alone (no awards read or written). */
export async function listQualifiers(ctx: Pick<Ctx, 'db' | 'now' | 'config'>, scope: q.Scope = 'everyone'): Promise<q.QualifierRow[]> {
  return q.listQualifierRows(ctx.db, { scope, slugs: ALL_RULES, now: ctx.now(), expert: ctx.config.expert });
}

const ids = (...values: unknown[]) => values.filter((v): v is number => typeof v === 'number');

/** The members whose badges an event may have changed. */
async function affectedMembers(db: Executor, payload: JobPayload): Promise<number[]> {
  const facts = payload.facts ?? {};
  const data = (payload.data ?? {}) as { postId?: unknown; threadId?: unknown; thread?: { id?: unknown } };
  switch (payload.event) {
    case 'forum.thread.created':
    case 'forum.post.created':
    case 'forum.post.voted':
      return ids(facts.authorId);
    case 'forum.answer.accepted':
    case 'forum.answer.unaccepted':
      return ids(facts.answerAuthorId);
    case 'polls.poll.created':
      return ids(facts.threadAuthorId);
    // Events without facts: removing an answer can raise its author's share of accepted answers
    // (so make them an expert) as well as lower it; a retag moves every answer in the thread.
    case 'forum.post.deleted': {
      const author = typeof data.postId === 'number' ? await q.getPostAuthorId(db, data.postId) : null;
      return ids(author);
    }
    case 'forum.thread.deleted':
      return typeof data.threadId === 'number' ? q.listThreadReplierIds(db, data.threadId) : [];
    case 'forum.thread.updated':
      return typeof data.thread?.id === 'number' ? q.listThreadReplierIds(db, data.thread.id) : [];
    default:
      return [];
  }
}

/** The badges.evaluate job: evaluates the badges of the members an event concerns. Idempotent. */
export async function runBadgeJob(ctx: Ctx, payload: JobPayload): Promise<void> {
  await evaluateBadges(ctx, await affectedMembers(ctx.db, payload));
}

// ---------------------------------------------------------------------------------------------
// Staff

function checkReason(reason: string): string {
  const clean = reason.replace(/\s+/g, ' ').trim();
  if (clean.length < REASON.min || clean.length > REASON.max) throw new Invalid({ reason: `must be ${REASON.min} to ${REASON.max} characters` });
  return clean;
}

async function requireMember(db: Executor, handle: string) {
  const member = await q.getMemberByHandle(db, handle);
  if (!member) throw new NotFound('Member', 'member_not_found');
  return member;
}

export interface GrantBadgeInput {
  badge: string;
  /** the tag's slug, for per-tag badges (Expert) */
  tag?: string | null;
  reason: string;
}

/**
 * Grants a badge by hand (staff, not to themselves), with a reason (3–500 characters). Invalid for
 * an unknown badge or tag, a per-tag badge without a tag or a tag on another badge; NotFound for an
 * unknown member; Conflict badge_already_held when the member holds it live. A staff grant is
 * never lapsed by a rule. Audited (badge.granted); emits badges.badge.awarded.
 */
export async function grantBadge(ctx: Ctx, handle: string, input: GrantBadgeInput): Promise<MemberBadge> {
  // Staff at all first (id 0 is nobody), so members learn nothing about handles; then on this member.
  authorize(ctx.actor, 'badge.grant', { id: 0 });
  const reason = checkReason(input.reason);
  const definition = badgeBySlug(input.badge);
  if (!definition) throw new Invalid({ badge: `unknown badge: ${input.badge.slice(0, 60)}` });
  let tag: { id: number; slug: string; name: string } | undefined;
  if (definition.perTag) {
    if (!input.tag) throw new Invalid({ tag: `is required: ${definition.name} is awarded per tag` });
    tag = await q.getTagBySlug(ctx.db, input.tag);
    if (!tag) throw new Invalid({ tag: `unknown tag: ${input.tag.slice(0, 60)}` });
  } else if (input.tag) {
    throw new Invalid({ tag: `${definition.name} is not awarded per tag` });
  }
  const member = await requireMember(ctx.db, handle);
  const actor = authorize(ctx.actor, 'badge.grant', member);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    await q.lockMembers(tx, [member.id]);
    // the live-award unique index answers whether they hold it already
    const award = await q.insertStaffAward(tx, { userId: member.id, badge: definition.slug, tagId: tag?.id ?? null, at: now, byId: actor.id, reason });
    if (!award) throw new Conflict('badge_already_held', `${member.handle} already holds ${definition.name}${tag ? ` in ${tag.name}` : ''}`);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'badge.granted',
      subjectType: 'user',
      subjectId: member.id,
      reason,
      data: { userBadgeId: award.id, badge: definition.slug, tag: tag?.slug ?? null },
      at: now,
    });
    const change = { userId: member.id, handle: member.handle, badge: definition.slug, tagSlug: tag?.slug ?? null, tagName: tag?.name ?? null };
    await appendEvent(tx, 'badges.badge.awarded', [userRoom(member.id)], presentAwardEvent(change), {
      userBadgeId: award.id,
      userId: member.id,
      badge: definition.slug,
      tagId: tag?.id ?? null,
      grantedById: actor.id,
    });
    return presentMemberBadge((await q.lockAwardRow(tx, member.id, award.id))!);
  });
}

/**
 * Revokes one of a member's live awards by its id (staff, not their own), with a reason. NotFound
 * when the member has no such award; Conflict badge_not_held when it is already revoked or lapsed.
 * Rules do not award a staff-revoked badge (and tag) again; a later staff grant lifts that.
 * Audited (badge.revoked); emits badges.badge.revoked.
 */
export async function revokeBadge(ctx: Ctx, handle: string, awardId: number, input: { reason: string }): Promise<MemberBadge> {
  authorize(ctx.actor, 'badge.revoke', { id: 0 });
  const reason = checkReason(input.reason);
  const member = await requireMember(ctx.db, handle);
  const actor = authorize(ctx.actor, 'badge.revoke', member);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    await q.lockMembers(tx, [member.id]);
    const award = await q.lockAwardRow(tx, member.id, awardId);
    if (!award) throw new NotFound('Badge award', 'badge_not_found');
    if (award.revokedAt) throw new Conflict('badge_not_held', `That ${presentMemberBadge(award).badge.name} badge was already revoked`);
    await q.revokeAward(tx, awardId, { at: now, byId: actor.id, reason });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'badge.revoked',
      subjectType: 'user',
      subjectId: member.id,
      reason,
      data: { userBadgeId: award.id, badge: award.badge, tag: award.tagSlug },
      at: now,
    });
    await appendEvent(tx, 'badges.badge.revoked', [userRoom(member.id)], presentAwardEvent({ ...award, handle: member.handle }), {
      userBadgeId: award.id,
      userId: member.id,
      badge: award.badge,
      tagId: award.tagId,
      revokedById: actor.id,
      reason,
    });
    return presentMemberBadge((await q.lockAwardRow(tx, member.id, awardId))!);
  });
}

// ---------------------------------------------------------------------------------------------
// Reading

/** The catalogue, with how many members hold each badge now. */
export async function listBadges(ctx: Ctx): Promise<BadgeSummary[]> {
  return presentCatalogue(await q.countHolders(ctx.db), ctx.config);
}

/** One badge with a page of its live holders, newest first. NotFound (badge_not_found) for an unknown slug. */
export async function getBadge(
  ctx: Ctx,
  slug: string,
  input: { limit?: number; cursor?: string } = {},
): Promise<{ badge: BadgeSummary; holders: BadgeHolder[]; nextCursor: string | null }> {
  const definition = badgeBySlug(slug);
  if (!definition) throw new NotFound('Badge', 'badge_not_found');
  const limit = Math.min(Math.max(input.limit ?? LIMITS.pageDefault, 1), LIMITS.pageMax);
  const after = decodeCursor(input.cursor, isKeyset);
  const [counts, rows] = await Promise.all([
    q.countHolders(ctx.db),
    q.listHolderRows(ctx.db, slug, limit + 1, after && { at: new Date(after[0]), id: after[1] }),
  ]);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    badge: presentBadgeSummary(definition, counts.get(slug) ?? 0, ctx.config),
    holders: page.map(presentHolder),
    nextCursor: rows.length > limit && last ? encodeCursor([last.grantedAt.toISOString(), last.id]) : null,
  };
}

/** A member's live badges (gold first). For profiles. */
export async function memberBadges(db: Executor, userId: number): Promise<MemberBadge[]> {
  return presentMemberBadges(await q.listMemberAwardRows(db, userId));
}

/** A member's live badges by handle. NotFound (member_not_found) for an unknown handle. */
export async function listMemberBadges(ctx: Ctx, handle: string): Promise<MemberBadge[]> {
  const member = await requireMember(ctx.db, handle);
  return memberBadges(ctx.db, member.id);
}

/**
 * A tag's experts, ranked by accepted answers in the tag within the Expert window (then by the
 * share accepted), and the best answerers who are not experts of it. NotFound (tag_not_found).
 */
export async function listTagExperts(ctx: Ctx, slug: string, input: { limit?: number } = {}): Promise<TagExperts> {
  const tag = await q.getTagBySlug(ctx.db, slug);
  if (!tag) throw new NotFound('Tag', 'tag_not_found');
  const limit = Math.min(Math.max(input.limit ?? LIMITS.pageDefault, 1), LIMITS.pageMax);
  const { rows, expertCount } = await q.listTagStandingRows(ctx.db, tag.id, { now: ctx.now(), expert: ctx.config.expert }, { experts: limit, others: 5 });
  return {
    tag: { slug: tag.slug, name: tag.name },
    rule: { ...ctx.config.expert },
    expertCount,
    experts: rows.filter((r) => r.expertSince).map((r) => ({ ...presentStanding(r), since: r.expertSince!.toISOString() })),
    contenders: rows.filter((r) => !r.expertSince).map((r) => ({ ...presentStanding(r), qualifies: r.qualifies })),
  };
}
