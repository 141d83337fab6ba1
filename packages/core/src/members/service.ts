import { eq, sql } from 'drizzle-orm';
import type { Actor, Ctx } from '../context.js';
import type { Executor } from '../db/client.js';
import { sessions, users } from '../accounts/schema.js';
import { recordAudit } from '../audit/service.js';
import { Conflict, Invalid, NotFound } from '../errors.js';
import { appendEvent } from '../events/outbox.js';
import { authorize, type Action } from '../policy/index.js';
import { MAX_TRUST_LEVEL } from '../reputation/levels.js';
import { changeTrustLevel } from '../reputation/trust.js';
import type { MemberStatus } from '../reputation/types.js';

// Staff actions on members: trust-level locks (admins), silences and suspensions (staff). Each
// is audited with its reason and told to the member's own room.

export const REASON_MIN = 3;
export const REASON_MAX = 500;
/** The furthest a silence or suspension may reach. */
const MAX_DAYS = 3650;

type UserRow = typeof users.$inferSelect;

function checkReason(reason: string | null | undefined, required: boolean): string | null {
  const clean = reason?.replace(/\s+/g, ' ').trim() ?? '';
  if (!clean && !required) return null;
  if (clean.length < REASON_MIN) throw new Invalid({ reason: `must be at least ${REASON_MIN} characters` });
  if (clean.length > REASON_MAX) throw new Invalid({ reason: `must be at most ${REASON_MAX} characters` });
  return clean;
}

function checkUntil(until: string | Date, now: Date): Date {
  const at = until instanceof Date ? until : new Date(until);
  if (Number.isNaN(at.getTime())) throw new Invalid({ until: 'is not a date and time' });
  if (at.getTime() <= now.getTime()) throw new Invalid({ until: 'must be in the future' });
  if (at.getTime() > now.getTime() + MAX_DAYS * 86_400_000) throw new Invalid({ until: `must be within ${MAX_DAYS} days` });
  return at;
}

/** Loads and row-locks the member by handle, and checks the actor may act on them. */
async function lockMember(tx: Executor, actor: Actor | null, handle: string, action: Action & `member.${string}`): Promise<{ actor: Actor; member: UserRow }> {
  const [member] = await tx.select().from(users).where(sql`lower(${users.handle}) = lower(${handle})`).for('update');
  if (!member) {
    authorize(actor, 'member.inspect', { id: 0, role: 'member' });
    throw new NotFound('Member', 'member_not_found');
  }
  return { actor: authorize(actor, action, { id: member.id, role: member.role }), member };
}

const iso = (d: Date | null, now: Date) => (d && d > now ? d.toISOString() : null);

function presentStatus(member: UserRow, now: Date): MemberStatus {
  return {
    id: member.id,
    handle: member.handle,
    trustLevel: member.trustLevel,
    trustLevelLocked: member.trustLevelLocked,
    reputation: member.reputation,
    silencedUntil: iso(member.silencedUntil, now),
    suspendedUntil: iso(member.suspendedUntil, now),
  };
}

async function updateMember(tx: Executor, id: number, set: Partial<UserRow>): Promise<UserRow> {
  const [row] = await tx.update(users).set(set).where(eq(users.id, id)).returning();
  return row;
}

/**
 * Sets a member's trust level (admins only), locked so automatic evaluation leaves it alone,
 * or unlocked so promotion carries on from it. A reason is required; audited as
 * member.trust_level_set; emits members.trust_level.changed when the level moves.
 */
export async function setTrustLevel(ctx: Ctx, handle: string, input: { level: number; locked: boolean; reason: string }): Promise<MemberStatus> {
  if (!Number.isInteger(input.level) || input.level < 0 || input.level > MAX_TRUST_LEVEL) throw new Invalid({ level: `must be a whole number from 0 to ${MAX_TRUST_LEVEL}` });
  const reason = checkReason(input.reason, true);
  return ctx.db.transaction(async (tx) => {
    const { actor, member } = await lockMember(tx, ctx.actor, handle, 'member.trust_level');
    const now = ctx.now();
    if (member.trustLevel !== input.level) await changeTrustLevel(tx, member.id, member.trustLevel, input.level);
    const updated = await updateMember(tx, member.id, { trustLevelLocked: input.locked });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'member.trust_level_set',
      subjectType: 'user',
      subjectId: member.id,
      reason,
      data: { from: member.trustLevel, to: input.level, locked: input.locked, wasLocked: member.trustLevelLocked },
      at: now,
    });
    return presentStatus(updated, now);
  });
}

/**
 * Silences a member until a time (staff, on members only): they can read but not post, edit,
 * vote, flag or cast ballots. A reason is required; a new silence replaces the old one.
 * Audited as member.silenced, unless the caller's own audit row covers it (`audited: false`, as
 * when a flag resolution silences the author); emits members.member.silenced to the member's room.
 */
export async function silenceMember(
  ctx: Ctx,
  handle: string,
  input: { until: string | Date; reason: string },
  options: { audited?: boolean } = {},
): Promise<MemberStatus> {
  const reason = checkReason(input.reason, true);
  const now = ctx.now();
  const until = checkUntil(input.until, now);
  return ctx.db.transaction(async (tx) => {
    const { actor, member } = await lockMember(tx, ctx.actor, handle, 'member.silence');
    const updated = await updateMember(tx, member.id, { silencedUntil: until });
    if (options.audited !== false) {
      await recordAudit(tx, { actorId: actor.id, action: 'member.silenced', subjectType: 'user', subjectId: member.id, reason, data: { until: until.toISOString() }, at: now });
    }
    await appendEvent(tx, 'members.member.silenced', [`user:${member.id}`], { silencedUntil: until.toISOString() }, { userId: member.id });
    return presentStatus(updated, now);
  });
}

/** Ends a member's silence now (staff). Conflict not_silenced when there is none; audited as member.unsilenced. */
export async function unsilenceMember(ctx: Ctx, handle: string, input: { reason?: string | null } = {}): Promise<MemberStatus> {
  const reason = checkReason(input.reason, false);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const { actor, member } = await lockMember(tx, ctx.actor, handle, 'member.silence');
    if (!member.silencedUntil || member.silencedUntil <= now) throw new Conflict('not_silenced', 'This member is not silenced');
    const updated = await updateMember(tx, member.id, { silencedUntil: null });
    await recordAudit(tx, { actorId: actor.id, action: 'member.unsilenced', subjectType: 'user', subjectId: member.id, reason, at: now });
    await appendEvent(tx, 'members.member.silenced', [`user:${member.id}`], { silencedUntil: null }, { userId: member.id });
    return presentStatus(updated, now);
  });
}

/**
 * Suspends a member until a time (staff, on members only): they cannot log in, their sessions
 * end at once, and their trust level drops to 0. A locked level drops too and stays locked (at
 * 0), so an admin's lock never hands back more trust than meant; activity before the end of the
 * suspension no longer counts toward promotion. A reason is required; audited as
 * member.suspended; emits members.trust_level.changed when the level drops.
 */
export async function suspendMember(ctx: Ctx, handle: string, input: { until: string | Date; reason: string }): Promise<MemberStatus> {
  const reason = checkReason(input.reason, true);
  const now = ctx.now();
  const until = checkUntil(input.until, now);
  return ctx.db.transaction(async (tx) => {
    const { actor, member } = await lockMember(tx, ctx.actor, handle, 'member.suspend');
    if (member.trustLevel !== 0) await changeTrustLevel(tx, member.id, member.trustLevel, 0);
    const updated = await updateMember(tx, member.id, { suspendedUntil: until });
    const ended = await tx.delete(sessions).where(eq(sessions.userId, member.id)).returning({ id: sessions.id });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'member.suspended',
      subjectType: 'user',
      subjectId: member.id,
      reason,
      data: { until: until.toISOString(), previousLevel: member.trustLevel, sessionsEnded: ended.length },
      at: now,
    });
    return presentStatus(updated, now);
  });
}

/**
 * Lifts a suspension now (staff). The level stays where the suspension put it; activity from
 * now on counts toward promotion again. Conflict not_suspended when there is none; audited as
 * member.unsuspended.
 */
export async function unsuspendMember(ctx: Ctx, handle: string, input: { reason?: string | null } = {}): Promise<MemberStatus> {
  const reason = checkReason(input.reason, false);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const { actor, member } = await lockMember(tx, ctx.actor, handle, 'member.suspend');
    if (!member.suspendedUntil || member.suspendedUntil <= now) throw new Conflict('not_suspended', 'This member is not suspended');
    // Ending it now (rather than clearing it) keeps the point from which activity counts again.
    const updated = await updateMember(tx, member.id, { suspendedUntil: now });
    await recordAudit(tx, { actorId: actor.id, action: 'member.unsuspended', subjectType: 'user', subjectId: member.id, reason, at: now });
    return presentStatus(updated, now);
  });
}
