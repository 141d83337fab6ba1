import { and, eq, ne, sql } from 'drizzle-orm';
import type { Actor, CoreConfig, Ctx } from '../context.js';
import { isStaff } from '../context.js';
import { users } from '../accounts/schema.js';
import { activeTierOf } from '../crm/link-queries.js';
import { threads } from '../forum/schema.js';
import { recordAudit } from '../audit/service.js';
import type { Executor } from '../db/client.js';
import { Conflict, Invalid, NotFound, Unauthenticated } from '../errors.js';
import { enqueueJob, type JobHandlers, type JobPayload } from '../events/jobs.js';
import { appendEvent } from '../events/outbox.js';
import { decodeCursor, encodeCursor, LIMITS } from '../forum/service.js';
import { authorize } from '../policy/index.js';
import { addBusinessMinutes, type Calendar } from '../teams/calendar.js';
import * as teamQ from '../teams/queries.js';
import { ASSIGN_TEAM_JOB } from '../teams/service.js';
import { pickAgent, threadWords } from './assignment.js';
import { touchAgentActivity } from './activity.js';
import { presenceByItem, presentQueueItem } from './present.js';
import * as q from './queries.js';
import { queueItems } from './schema.js';
import type { ItemPresence, PresenceState, QueueAssignee, QueueItem, QueueReason, StaffRequest } from './types.js';

export const QUEUE_REASONS: readonly QueueReason[] = ['unanswered', 'flagged', 'requested', 'rule'];
export const QUEUE_NOTE_MAX = 500;

// The console's room: every queue change is pushed there. Nothing about the queue is public.
const QUEUE = 'queue';

export const QUEUE_JOBS = {
  scheduleUnanswered: 'queue.schedule_unanswered',
  checkUnanswered: 'queue.check_unanswered',
  flagRaised: 'queue.flag_raised',
  threadActivity: 'queue.thread_activity',
  ruleMatched: 'queue.rule_matched',
  crmRule: 'queue.crm_rule',
  autoAssign: 'queue.auto_assign',
  autoAssignTeam: ASSIGN_TEAM_JOB,
  idleClaim: 'queue.idle_claim',
  escalate: 'queue.escalate',
} as const;

const minutes = (n: number) => n * 60_000;

/** Staff seen on items after this instant count as present. */
const presenceSince = (config: CoreConfig, now: Date) => new Date(now.getTime() - config.queue.presenceSeconds * 1000);

async function presenceOf(db: Executor, ids: number[], config: CoreConfig | undefined, now: Date): Promise<Map<number, ItemPresence[]>> {
  if (!config) return new Map();
  return presenceByItem(await q.listPresence(db, ids, presenceSince(config, now)));
}

async function presentItem(db: Executor, id: number, open: boolean | undefined, now: Date, config?: CoreConfig): Promise<QueueItem> {
  const [row] = await q.listItemRows(db, { open, ids: [id] }, 1);
  if (!row) throw new NotFound('Queue item', 'queue_item_not_found');
  return presentQueueItem(row, now, (await presenceOf(db, [id], config, now)).get(id));
}

/** A team's calendar, or null (no team: around the clock). */
const calendarOf = (t: { teamId: number | null; timezone: string | null; hours: Calendar['hours'] | null; holidays: string[] | null } | undefined): Calendar | null =>
  t?.teamId ? { timezone: t.timezone ?? 'UTC', hours: t.hours ?? null, holidays: t.holidays ?? [] } : null;

/**
 * Puts a thread in the queue for `reason`: opens an item (SLA due time = the category's
 * sla_minutes of open time on its team's calendar after now; around the clock without a team)
 * or adds the reason to the thread's open item. A new item gets its escalation timer; the
 * queue.item.opened event starts automatic assignment. Returns the item, or null when the open
 * item already had the reason. The caller holds the thread's row lock (lockThreadState), so two
 * entries for one thread cannot both open an item.
 */
async function enter(tx: Executor, config: CoreConfig, thread: q.ThreadState, reason: QueueReason, now: Date): Promise<QueueItem | null> {
  // a thread support took over as a case is not waiting for an agent because it is unanswered or
  // a VIP's; flags and the asker's own request still bring it back
  if (thread.withSupport && (reason === 'unanswered' || reason === 'rule')) return null;
  const open = await q.lockOpenItem(tx, thread.id);
  if (open?.reasons.includes(reason)) return null;
  let id: number;
  if (open) {
    await tx
      .update(queueItems)
      .set({ reasons: sql`array_append(${queueItems.reasons}, ${reason})` })
      .where(eq(queueItems.id, open.id));
    id = open.id;
  } else {
    const calendar = calendarOf(thread);
    const [row] = await tx
      .insert(queueItems)
      .values({
        threadId: thread.id,
        reasons: [reason],
        openedAt: now,
        dueAt: addBusinessMinutes(now, thread.slaMinutes, calendar),
        // the author's CRM tier (from their link) ranks the item among those due at once
        tier: await activeTierOf(tx, thread.authorId),
      })
      .returning({ id: queueItems.id });
    id = row.id;
    await enqueueJob(tx, QUEUE_JOBS.escalate, { itemId: id }, addBusinessMinutes(now, config.queue.escalateAfterMinutes, calendar));
  }
  const item = await presentItem(tx, id, true, now, config);
  await appendEvent(tx, open ? 'queue.item.updated' : 'queue.item.opened', [QUEUE], { item }, { itemId: id, threadId: thread.id, reason });
  return item;
}

// ---------------------------------------------------------------------------------------------
// Entry and exit rules, run as jobs (events/subscriptions.ts starts them)

function factId(payload: JobPayload, name: string): number {
  const value = payload.facts?.[name] ?? payload[name];
  if (!Number.isSafeInteger(value) || (value as number) <= 0) throw new Error(`${payload.event ?? 'job'}: ${name} must be an id, got ${JSON.stringify(value)}`);
  return value as number;
}

/** Whether the community still owes the thread an answer: live, public, not solved or closed, and unanswered. */
const awaitsCommunity = (t: q.ThreadState) => !t.heldAt && t.status !== 'solved' && t.status !== 'closed' && !t.communityAnswered;

/** On forum.thread.created: a timer that checks the thread when its category's community window ends. */
async function scheduleUnansweredCheck(ctx: Ctx, payload: JobPayload): Promise<void> {
  const threadId = factId(payload, 'threadId');
  const state = await q.lockThreadState(ctx.db, threadId);
  if (!state) return;
  await enqueueJob(ctx.db, QUEUE_JOBS.checkUnanswered, { threadId }, new Date(state.createdAt.getTime() + minutes(state.communityWindowMinutes)));
}

/**
 * When the window has ended: a thread the community has not answered enters the queue as
 * unanswered. For a discussion any peer reply answers it; for a question only an accepted
 * answer or a peer answer with a positive score does (DESIGN: "no accepted or upvoted answer").
 * A window that was lengthened since the timer was set moves the check.
 */
async function checkUnanswered(ctx: Ctx, payload: JobPayload): Promise<void> {
  const threadId = factId(payload, 'threadId');
  const state = await q.lockThreadState(ctx.db, threadId);
  if (!state || !awaitsCommunity(state)) return;
  const windowEnd = new Date(state.createdAt.getTime() + minutes(state.communityWindowMinutes));
  if (ctx.now() < windowEnd) {
    await enqueueJob(ctx.db, QUEUE_JOBS.checkUnanswered, { threadId }, windowEnd);
    return;
  }
  await enter(ctx.db, ctx.config, state, 'unanswered', ctx.now());
}

/**
 * On flags.flag.raised: the thread enters as flagged at once for "needs staff", or when the open
 * flags' summed weight on the post reaches the category's flag threshold.
 */
async function checkFlagged(ctx: Ctx, payload: JobPayload): Promise<void> {
  const threadId = factId(payload, 'threadId');
  const postId = factId(payload, 'postId');
  const state = await q.lockThreadState(ctx.db, threadId);
  if (!state || state.heldAt) return;
  const needsStaff = payload.facts?.reason === 'needs_staff';
  if (!needsStaff && (await q.openFlagWeight(ctx.db, postId)) < state.flagThreshold) return;
  await enter(ctx.db, ctx.config, state, 'flagged', ctx.now());
}

/**
 * On watched_words.post.matched: a post matched a flag rule, so its thread enters as `rule`. A
 * held thread is skipped: staff review it in the held posts already.
 */
async function checkRuleMatched(ctx: Ctx, payload: JobPayload): Promise<void> {
  const state = await q.lockThreadState(ctx.db, factId(payload, 'threadId'));
  if (!state || state.heldAt) return;
  await enter(ctx.db, ctx.config, state, 'rule', ctx.now());
}

/**
 * On a reply, an acceptance or a vote. A staff reply records the agent track's first response.
 * An item that no agent holds and that is in the queue only as unanswered leaves by itself,
 * resolved by the community, once the community answered the thread (the same test as entry).
 * Flagged and requested items wait for an agent whatever the community does.
 */
async function checkThreadActivity(ctx: Ctx, payload: JobPayload): Promise<void> {
  const threadId = factId(payload, 'threadId');
  if (!(await q.hasOpenItem(ctx.db, threadId))) return;
  const state = await q.lockThreadState(ctx.db, threadId);
  if (!state) return;
  const open = await q.lockOpenItem(ctx.db, threadId);
  if (!open) return;
  const now = ctx.now();
  if (payload.event === 'forum.post.created') {
    const authorId = factId(payload, 'authorId');
    const [author] = await ctx.db.select({ role: users.role }).from(users).where(eq(users.id, authorId));
    if (author && isStaff(author.role) && authorId !== state.authorId) {
      await ctx.db
        .update(queueItems)
        .set({ firstAgentResponseAt: sql`coalesce(${queueItems.firstAgentResponseAt}, ${now})`, lastAgentActivityAt: now })
        .where(eq(queueItems.id, open.id));
      return;
    }
  }
  const onlyUnanswered = open.reasons.every((r) => r === 'unanswered');
  if (open.status !== 'queued' || !onlyUnanswered || !state.communityAnswered) return;
  await ctx.db
    .update(queueItems)
    .set({ status: 'resolved', resolution: 'community', resolvedAt: now })
    .where(eq(queueItems.id, open.id));
  const item = await presentItem(ctx.db, open.id, false, now);
  await appendEvent(ctx.db, 'queue.item.resolved', [QUEUE], { item }, { itemId: open.id, threadId, resolution: 'community' });
}

/**
 * On forum.thread.created: a VIP customer's thread (their CRM link's account is tier vip) goes
 * straight to the queue with reason rule, without waiting out the community window. A held
 * thread is skipped, as for watched-word rules.
 */
async function checkCrmRule(ctx: Ctx, payload: JobPayload): Promise<void> {
  const state = await q.lockThreadState(ctx.db, factId(payload, 'threadId'));
  if (!state || state.heldAt) return;
  if ((await activeTierOf(ctx.db, state.authorId)) !== 'vip') return;
  await enter(ctx.db, ctx.config, state, 'rule', ctx.now());
}

/**
 * Gives the open items of `authorId`'s threads the tier of their CRM link (null: none), when a
 * link is made or removed, in the caller's transaction; emits queue.item.updated for each item
 * that changed, so consoles re-sort. Returns the changed items' ids.
 */
export async function setAuthorTier(tx: Executor, authorId: number, tier: string | null, now: Date): Promise<number[]> {
  const changed = await tx
    .update(queueItems)
    .set({ tier })
    .where(
      and(
        ne(queueItems.status, 'resolved'),
        sql`${queueItems.tier} is distinct from ${tier}`,
        sql`${queueItems.threadId} in (select ${threads.id} from ${threads} where ${threads.authorId} = ${authorId})`,
      ),
    )
    .returning({ id: queueItems.id, threadId: queueItems.threadId });
  for (const { id, threadId } of changed) {
    const item = await presentItem(tx, id, true, now);
    await appendEvent(tx, 'queue.item.updated', [QUEUE], { item }, { itemId: id, threadId, tier });
  }
  return changed.map((c) => c.id).sort((a, b) => a - b);
}

export const queueJobHandlers: JobHandlers = {
  [QUEUE_JOBS.crmRule]: checkCrmRule,
  [QUEUE_JOBS.scheduleUnanswered]: scheduleUnansweredCheck,
  [QUEUE_JOBS.checkUnanswered]: checkUnanswered,
  [QUEUE_JOBS.flagRaised]: checkFlagged,
  [QUEUE_JOBS.threadActivity]: checkThreadActivity,
  [QUEUE_JOBS.ruleMatched]: checkRuleMatched,
  [QUEUE_JOBS.autoAssign]: autoAssignJob,
  [QUEUE_JOBS.autoAssignTeam]: autoAssignTeamJob,
  [QUEUE_JOBS.idleClaim]: idleClaimJob,
  [QUEUE_JOBS.escalate]: escalateJob,
};

// ---------------------------------------------------------------------------------------------
// The asker's side

/**
 * The thread's author (or staff) asks for staff help: the thread enters the queue as requested.
 * NotFound for a missing thread (or a held one the actor cannot see), Forbidden for anyone else,
 * Conflict thread_held while it awaits approval and already_requested when its open item
 * already carries the request. Emits queue.item.opened or queue.item.updated to the console.
 */
export async function requestStaff(ctx: Ctx, threadId: number): Promise<StaffRequest> {
  if (!ctx.actor) throw new Unauthenticated();
  const actor = ctx.actor;
  return ctx.db.transaction(async (tx) => {
    const state = await q.lockThreadState(tx, threadId);
    if (!state) throw new NotFound('Thread', 'thread_not_found');
    const mayAsk = actor.id === state.authorId || isStaff(actor.role);
    if (state.heldAt) {
      if (mayAsk) throw new Conflict('thread_held', 'This thread is awaiting approval; staff will see it there');
      throw new NotFound('Thread', 'thread_not_found');
    }
    authorize(actor, 'queue.request', { authorId: state.authorId });
    const item = await enter(tx, ctx.config, state, 'requested', ctx.now());
    if (!item) throw new Conflict('already_requested', 'Staff help is already requested for this thread');
    return { threadId, status: item.status };
  });
}

// ---------------------------------------------------------------------------------------------
// The console

type Page = { items: QueueItem[]; nextCursor: string | null };

const isTime = (v: unknown): v is string => typeof v === 'string' && /^[1-9]\d{3}-/.test(v) && !Number.isNaN(Date.parse(v));
const isSqlId = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 2_147_483_647;
const isOpenKeyset = (v: unknown): v is [string, number, string, number] =>
  Array.isArray(v) && v.length === 4 && isTime(v[0]) && Number.isInteger(v[1]) && v[1] >= 0 && v[1] < 100 && isTime(v[2]) && isSqlId(v[3]);
const isResolvedKeyset = (v: unknown): v is [string, number] => Array.isArray(v) && v.length === 2 && isTime(v[0]) && isSqlId(v[1]);

/**
 * The agents' queue (staff; Forbidden otherwise). Open items by SLA due time, then priority
 * (reason: flagged, rule, requested, unanswered; then tier: vip, enterprise, others), then age;
 * resolved ones newest first; optionally only those with one reason, and (open) only the
 * actor's own claims or those nobody holds. Keyset-paginated. Each item carries who has it
 * open in the console now.
 */
export async function listQueue(
  ctx: Ctx,
  input: { status?: 'open' | 'resolved'; reason?: QueueReason; assignee?: QueueAssignee; limit?: number; cursor?: string } = {},
): Promise<Page> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  const open = (input.status ?? 'open') === 'open';
  if (input.reason !== undefined && !QUEUE_REASONS.includes(input.reason)) throw new Invalid({ reason: `must be one of ${QUEUE_REASONS.join(', ')}` });
  const limit = Math.min(Math.max(input.limit ?? LIMITS.pageDefault, 1), LIMITS.pageMax);
  let after: q.QueueKeyset | undefined;
  if (open) {
    const k = decodeCursor(input.cursor, isOpenKeyset);
    after = k && [new Date(k[0]), k[1], new Date(k[2]), k[3]];
  } else {
    const k = decodeCursor(input.cursor, isResolvedKeyset);
    after = k && [new Date(k[0]), k[1]];
  }
  const assignee = open ? (input.assignee ?? 'all') : 'all';
  const now = ctx.now();
  const filter: q.QueueFilter = {
    open,
    reason: input.reason,
    claimedBy: assignee === 'mine' ? actor.id : undefined,
    unclaimed: assignee === 'unassigned',
    // presence comes in the same statement (one round trip per page)
    presenceSince: open && ctx.config ? presenceSince(ctx.config, now) : undefined,
  };
  const rows = await q.listItemRows(ctx.db, filter, limit + 1, after);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1]?.item;
  return {
    items: page.map((r) => presentQueueItem(r, now)),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor(open ? [last.dueAt.toISOString(), last.priority, last.openedAt.toISOString(), last.id] : [last.resolvedAt!.toISOString(), last.id])
        : null,
  };
}

const snapshot = (item: q.QueueItemRow) => ({ status: item.status, claimedById: item.claimedById });

async function audit(tx: Executor, actor: Actor, action: string, before: q.QueueItemRow, after: q.QueueItemRow, at: Date, reason?: string | null) {
  await recordAudit(tx, {
    actorId: actor.id,
    action,
    subjectType: 'queue_item',
    subjectId: before.id,
    reason: reason ?? null,
    data: { threadId: before.threadId, before: snapshot(before), after: snapshot(after) },
    at,
  });
}

async function lockExisting(tx: Executor, id: number): Promise<q.QueueItemRow> {
  const item = await q.lockItem(tx, id);
  if (!item) throw new NotFound('Queue item', 'queue_item_not_found');
  if (item.status === 'resolved') throw new Conflict('already_resolved', 'This item is already resolved');
  return item;
}

/**
 * Claims an open item nobody holds (queued or escalated) for the acting agent (staff). One
 * conditional update, so of two agents claiming at once exactly one wins; the other gets
 * Conflict already_claimed naming the holder. Claiming one's own claim again changes nothing.
 * NotFound for an unknown item, Conflict already_resolved for a resolved one. Starts the idle
 * timer. Audited as queue.claimed; emits queue.item.claimed.
 */
export async function claimQueueItem(ctx: Ctx, id: number): Promise<QueueItem> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const claimed = await q.claimItem(tx, id, actor.id, now);
    if (!claimed) {
      const item = await lockExisting(tx, id);
      const current = await presentItem(tx, id, true, now);
      if (item.claimedById === actor.id) return current;
      const holder = current.claimedBy ? `@${current.claimedBy.handle}` : 'another agent';
      throw new Conflict('already_claimed', `This item is claimed by ${holder}`);
    }
    await audit(tx, actor, 'queue.claimed', { ...claimed, status: claimed.escalatedAt ? 'escalated' : 'queued', claimedById: null }, claimed, now);
    await scheduleIdleCheck(tx, ctx.config, claimed);
    const item = await presentItem(tx, id, true, now, ctx.config);
    await appendEvent(tx, 'queue.item.claimed', [QUEUE], { item }, { itemId: id, threadId: claimed.threadId, agentId: actor.id });
    return item;
  });
}

/**
 * Returns a claimed item to the queue: its holder, or a supervisor or admin (Forbidden for
 * other agents). NotFound, Conflict already_resolved, and Conflict not_claimed when nobody
 * holds it. Audited as queue.released; emits queue.item.released (which starts automatic
 * assignment, to anyone but the agent it came from).
 */
export async function releaseQueueItem(ctx: Ctx, id: number): Promise<QueueItem> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const before = await lockExisting(tx, id);
    if (before.claimedById === null) throw new Conflict('not_claimed', 'Nobody holds this item');
    authorize(actor, 'queue.release', { claimedById: before.claimedById });
    const after = await q.unclaimItem(tx, id, now);
    await audit(tx, actor, 'queue.released', before, after, now);
    const item = await presentItem(tx, id, true, now, ctx.config);
    await appendEvent(tx, 'queue.item.released', [QUEUE], { item }, { itemId: id, threadId: before.threadId, agentId: before.claimedById });
    return item;
  });
}

/**
 * Resolves an item as handled by an agent, with an optional note for the audit log. Staff may
 * resolve an item nobody holds or their own claim; one another agent holds needs a supervisor
 * or admin (Forbidden). NotFound, Conflict already_resolved, Invalid for an oversized note.
 * Audited as queue.resolved; emits queue.item.resolved.
 */
export async function resolveQueueItem(ctx: Ctx, id: number, input: { note?: string | null } = {}): Promise<QueueItem> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  const note = input.note?.trim() || null;
  if (note && note.length > QUEUE_NOTE_MAX) throw new Invalid({ note: `must be at most ${QUEUE_NOTE_MAX} characters` });
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const before = await lockExisting(tx, id);
    authorize(actor, 'queue.resolve', { claimedById: before.claimedById });
    const [after] = await tx
      .update(queueItems)
      .set({ status: 'resolved', resolution: 'agent', resolvedAt: now, resolvedById: actor.id, lastAgentActivityAt: now })
      .where(eq(queueItems.id, id))
      .returning();
    await audit(tx, actor, 'queue.resolved', before, after, now, note);
    const item = await presentItem(tx, id, false, now);
    await appendEvent(tx, 'queue.item.resolved', [QUEUE], { item }, { itemId: id, threadId: before.threadId, resolution: 'agent' });
    return item;
  });
}

/**
 * Resolves the thread's open item inside the caller's transaction, for staff work that settles
 * the thread by itself (verifying a peer's answer: 'assisted'; taking it private: 'agent'). The
 * caller has checked the claim and writes its own audit row. Emits queue.item.resolved; returns
 * the item, or null when the thread had none open.
 */
export async function resolveOpenItemOf(tx: Executor, actor: Actor, threadId: number, resolution: 'agent' | 'assisted', now: Date): Promise<QueueItem | null> {
  const open = await q.lockOpenItem(tx, threadId);
  if (!open) return null;
  await tx
    .update(queueItems)
    .set({ status: 'resolved', resolution, resolvedAt: now, resolvedById: actor.id, lastAgentActivityAt: now })
    .where(eq(queueItems.id, open.id));
  const item = await presentItem(tx, open.id, false, now);
  await appendEvent(tx, 'queue.item.resolved', [QUEUE], { item }, { itemId: open.id, threadId, resolution });
  return item;
}

// ---------------------------------------------------------------------------------------------
// One item, assignment and presence

/** One queue item (open or resolved) with its thread summary and who has it open (staff; NotFound). */
export async function getQueueItem(ctx: Ctx, id: number): Promise<QueueItem> {
  authorize(ctx.actor, 'queue.work', null);
  return presentItem(ctx.db, id, undefined, ctx.now(), ctx.config);
}

/**
 * Hands an open item to a staff member (supervisors and admins; Forbidden for agents), taking
 * it from whoever held it. NotFound for the item, Conflict already_resolved, Invalid
 * (fields.agentId) when the target is not staff. Assigning it to its holder changes nothing.
 * Starts the idle timer. Audited as queue.assigned; emits queue.item.assigned.
 */
export async function assignQueueItem(ctx: Ctx, id: number, input: { agentId: number }): Promise<QueueItem> {
  const actor = authorize(ctx.actor, 'queue.assign', null);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const before = await lockExisting(tx, id);
    const target = await teamQ.lockStaff(tx, input.agentId);
    if (!target || !isStaff(target.role)) throw new Invalid({ agentId: 'is not an agent, supervisor or admin' });
    if (before.claimedById === input.agentId) return presentItem(tx, id, true, now, ctx.config);
    const after = await q.assignItem(tx, id, input.agentId, actor.id, now);
    if (target.profile) await teamQ.markAssigned(tx, input.agentId, now);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'queue.assigned',
      subjectType: 'queue_item',
      subjectId: id,
      data: { threadId: before.threadId, before: snapshot(before), after: snapshot(after), automatic: false },
      at: now,
    });
    await scheduleIdleCheck(tx, ctx.config, after);
    const item = await presentItem(tx, id, true, now, ctx.config);
    await appendEvent(tx, 'queue.item.assigned', [QUEUE], { item }, { itemId: id, threadId: before.threadId, agentId: input.agentId });
    return item;
  });
}

/**
 * Marks the actor as viewing or drafting on an open item, or as gone ('left'), for collision
 * control (staff). Marks count for config.queue.presenceSeconds after the last call, so the
 * console refreshes them. Drafting on one's own claim is agent activity (keeps the claim from
 * going idle). NotFound, Conflict already_resolved (except for 'left'). Not audited: presence
 * is not a moderation action. Emits queue.presence.updated with the item's fresh presence.
 */
export async function setPresence(ctx: Ctx, id: number, input: { state: PresenceState | 'left' }): Promise<{ itemId: number; presence: ItemPresence[] }> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const item = await q.lockItem(tx, id);
    if (!item) throw new NotFound('Queue item', 'queue_item_not_found');
    if (input.state === 'left') await q.deletePresence(tx, id, actor.id);
    else {
      if (item.status === 'resolved') throw new Conflict('already_resolved', 'This item is already resolved');
      await q.upsertPresence(tx, id, actor.id, input.state, now);
      if (input.state === 'drafting' && item.claimedById === actor.id) await touchAgentActivity(tx, id, now);
    }
    const presence = (await presenceOf(tx, [id], ctx.config, now)).get(id) ?? [];
    await appendEvent(tx, 'queue.presence.updated', [QUEUE], { itemId: id, presence });
    return { itemId: id, presence };
  });
}

// ---------------------------------------------------------------------------------------------
// Automatic assignment and timers, run as jobs

/** The idle timer of a claim: due when the holder has been idle for config.queue.idleClaimMinutes. */
async function scheduleIdleCheck(tx: Executor, config: CoreConfig, item: q.QueueItemRow): Promise<void> {
  if (item.claimedById === null || !item.claimedAt) return;
  const from = item.lastAgentActivityAt ?? item.claimedAt;
  await enqueueJob(tx, QUEUE_JOBS.idleClaim, { itemId: item.id, claimedAt: item.claimedAt.toISOString() }, new Date(from.getTime() + minutes(config.queue.idleClaimMinutes)));
}

/**
 * Hands a locked open item nobody holds to one of its team's on-duty agents (assignment.ts
 * decides who). Returns false when nobody is eligible: the item stays queued.
 */
async function assignAutomatically(ctx: Ctx, item: q.QueueItemRow, exclude: number | null): Promise<boolean> {
  const target = await q.getAssignmentTarget(ctx.db, item.threadId);
  if (!target?.teamId || !target.autoAssign) return false;
  const candidates = await teamQ.lockOnDutyAgents(ctx.db, target.teamId);
  const pick = pickAgent(candidates, { words: threadWords(target.title, target.tags), lastAgentId: await q.lastResolverFor(ctx.db, target.authorId), exclude });
  if (!pick) return false;
  const now = ctx.now();
  const after = await q.assignItem(ctx.db, item.id, pick.agentId, null, now);
  await teamQ.markAssigned(ctx.db, pick.agentId, now);
  await recordAudit(ctx.db, {
    actorId: null,
    action: 'queue.assigned',
    subjectType: 'queue_item',
    subjectId: item.id,
    data: { threadId: item.threadId, before: snapshot(item), after: snapshot(after), automatic: true, rule: pick.rule },
    at: now,
  });
  await scheduleIdleCheck(ctx.db, ctx.config, after);
  const presented = await presentItem(ctx.db, item.id, true, now, ctx.config);
  await appendEvent(ctx.db, 'queue.item.assigned', [QUEUE], { item: presented }, { itemId: item.id, threadId: item.threadId, agentId: pick.agentId, rule: pick.rule });
  return true;
}

/**
 * On queue.item.opened, released and claim_expired: gives the item to an on-duty agent of its
 * team when the team assigns automatically. Idempotent: an item someone holds (or resolved) is
 * left alone, so a retried or duplicate job assigns nothing twice.
 */
async function autoAssignJob(ctx: Ctx, payload: JobPayload): Promise<void> {
  const item = await q.lockItem(ctx.db, factId(payload, 'itemId'));
  if (!item || item.status === 'resolved' || item.claimedById !== null) return;
  const from = payload.facts?.agentId;
  await assignAutomatically(ctx, item, payload.event === 'queue.item.opened' || typeof from !== 'number' ? null : from);
}

/** When an agent comes on duty (or a team turns automatic assignment on): hands out the team's waiting items, most urgent first. */
async function autoAssignTeamJob(ctx: Ctx, payload: JobPayload): Promise<void> {
  const items = await q.lockWaitingItemsOfTeam(ctx.db, factId(payload, 'teamId'), 200);
  for (const item of items) {
    if (!(await assignAutomatically(ctx, item, null))) return;
  }
}

/**
 * The idle timer: a claim with no agent activity for config.queue.idleClaimMinutes returns to
 * the queue by itself (audited as queue.claim_expired with no actor; emits
 * queue.item.claim_expired, which starts automatic assignment to someone else). A timer set for
 * an earlier claim does nothing; one whose deadline activity moved sets itself again.
 */
async function idleClaimJob(ctx: Ctx, payload: JobPayload): Promise<void> {
  const item = await q.lockItem(ctx.db, factId(payload, 'itemId'));
  if (!item || item.status === 'resolved' || item.claimedById === null || !item.claimedAt || item.claimedAt.toISOString() !== payload.claimedAt) return;
  const idleSince = item.lastAgentActivityAt ?? item.claimedAt;
  const deadline = new Date(idleSince.getTime() + minutes(ctx.config.queue.idleClaimMinutes));
  const now = ctx.now();
  if (now < deadline) {
    await enqueueJob(ctx.db, QUEUE_JOBS.idleClaim, { itemId: item.id, claimedAt: payload.claimedAt }, deadline);
    return;
  }
  const after = await q.unclaimItem(ctx.db, item.id, now);
  await recordAudit(ctx.db, {
    actorId: null,
    action: 'queue.claim_expired',
    subjectType: 'queue_item',
    subjectId: item.id,
    reason: `No agent activity for ${ctx.config.queue.idleClaimMinutes} minutes`,
    data: { threadId: item.threadId, before: snapshot(item), after: snapshot(after), idleSince: idleSince.toISOString() },
    at: now,
  });
  const presented = await presentItem(ctx.db, item.id, true, now, ctx.config);
  await appendEvent(ctx.db, 'queue.item.claim_expired', [QUEUE], { item: presented, agentId: item.claimedById }, { itemId: item.id, threadId: item.threadId, agentId: item.claimedById });
}

/**
 * The escalation timer: an item still open config.queue.escalateAfterMinutes of open time (on
 * its team's calendar) after it opened goes to the supervisors: status escalated (whoever holds
 * it keeps it), escalated_at set, audited as queue.escalated with no actor; emits
 * queue.item.escalated, whose job notifies the team's supervisors (or all supervisors and
 * admins when the team has none). A deadline moved later sets the timer again.
 */
async function escalateJob(ctx: Ctx, payload: JobPayload): Promise<void> {
  const item = await q.lockItem(ctx.db, factId(payload, 'itemId'));
  if (!item || item.status === 'resolved' || item.escalatedAt) return;
  const cal = await q.getCalendarOfThread(ctx.db, item.threadId);
  const deadline = addBusinessMinutes(item.openedAt, ctx.config.queue.escalateAfterMinutes, calendarOf(cal));
  const now = ctx.now();
  if (now < deadline) {
    await enqueueJob(ctx.db, QUEUE_JOBS.escalate, { itemId: item.id }, deadline);
    return;
  }
  const [after] = await ctx.db.update(queueItems).set({ status: 'escalated', escalatedAt: now }).where(eq(queueItems.id, item.id)).returning();
  await recordAudit(ctx.db, {
    actorId: null,
    action: 'queue.escalated',
    subjectType: 'queue_item',
    subjectId: item.id,
    reason: `Unresolved ${ctx.config.queue.escalateAfterMinutes} minutes after it opened`,
    data: { threadId: item.threadId, before: snapshot(item), after: snapshot(after) },
    at: now,
  });
  const presented = await presentItem(ctx.db, item.id, true, now, ctx.config);
  const supervisorIds = await teamQ.listEscalationRecipients(ctx.db, cal?.teamId ?? null);
  await appendEvent(ctx.db, 'queue.item.escalated', [QUEUE], { item: presented }, {
    itemId: item.id,
    threadId: item.threadId,
    threadTitle: presented.thread.title,
    supervisorIds,
  });
}
