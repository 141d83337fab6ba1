import { eq, sql } from 'drizzle-orm';
import type { Actor, Ctx } from '../context.js';
import { isStaff } from '../context.js';
import { users } from '../accounts/schema.js';
import { recordAudit } from '../audit/service.js';
import type { Executor } from '../db/client.js';
import { Conflict, Invalid, NotFound, Unauthenticated } from '../errors.js';
import { enqueueJob, type JobHandlers, type JobPayload } from '../events/jobs.js';
import { appendEvent } from '../events/outbox.js';
import { decodeCursor, encodeCursor, LIMITS } from '../forum/service.js';
import { authorize } from '../policy/index.js';
import { presentQueueItem } from './present.js';
import * as q from './queries.js';
import { queueItems } from './schema.js';
import type { QueueItem, QueueReason, StaffRequest } from './types.js';

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
} as const;

const minutes = (n: number) => n * 60_000;

async function presentItem(db: Executor, id: number, open: boolean, now: Date): Promise<QueueItem> {
  const [row] = await q.listItemRows(db, { open, ids: [id] }, 1);
  if (!row) throw new NotFound('Queue item', 'queue_item_not_found');
  return presentQueueItem(row, now);
}

/**
 * Puts a thread in the queue for `reason`: opens an item (SLA due time = now + the category's
 * sla_minutes) or adds the reason to the thread's open item. Returns the item, or null when the
 * open item already had the reason. The caller holds the thread's row lock (lockThreadState),
 * so two entries for one thread cannot both open an item.
 */
async function enter(tx: Executor, thread: q.ThreadState, reason: QueueReason, now: Date): Promise<QueueItem | null> {
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
    // SLA clocks run 24/7 for now; per-team business-hours calendars come with a later slice.
    const [row] = await tx
      .insert(queueItems)
      .values({ threadId: thread.id, reasons: [reason], openedAt: now, dueAt: new Date(now.getTime() + minutes(thread.slaMinutes)) })
      .returning({ id: queueItems.id });
    id = row.id;
  }
  const item = await presentItem(tx, id, true, now);
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
  await enter(ctx.db, state, 'unanswered', ctx.now());
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
  await enter(ctx.db, state, 'flagged', ctx.now());
}

/**
 * On watched_words.post.matched: a post matched a flag rule, so its thread enters as `rule`. A
 * held thread is skipped: staff review it in the held posts already.
 */
async function checkRuleMatched(ctx: Ctx, payload: JobPayload): Promise<void> {
  const state = await q.lockThreadState(ctx.db, factId(payload, 'threadId'));
  if (!state || state.heldAt) return;
  await enter(ctx.db, state, 'rule', ctx.now());
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

export const queueJobHandlers: JobHandlers = {
  [QUEUE_JOBS.scheduleUnanswered]: scheduleUnansweredCheck,
  [QUEUE_JOBS.checkUnanswered]: checkUnanswered,
  [QUEUE_JOBS.flagRaised]: checkFlagged,
  [QUEUE_JOBS.threadActivity]: checkThreadActivity,
  [QUEUE_JOBS.ruleMatched]: checkRuleMatched,
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
    const item = await enter(tx, state, 'requested', ctx.now());
    if (!item) throw new Conflict('already_requested', 'Staff help is already requested for this thread');
    return { threadId, status: item.status };
  });
}

// ---------------------------------------------------------------------------------------------
// The console

type Page = { items: QueueItem[]; nextCursor: string | null };

const isTime = (v: unknown): v is string => typeof v === 'string' && /^[1-9]\d{3}-/.test(v) && !Number.isNaN(Date.parse(v));
const isSqlId = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 2_147_483_647;
const isOpenKeyset = (v: unknown): v is [string, string, number] => Array.isArray(v) && v.length === 3 && isTime(v[0]) && isTime(v[1]) && isSqlId(v[2]);
const isResolvedKeyset = (v: unknown): v is [string, number] => Array.isArray(v) && v.length === 2 && isTime(v[0]) && isSqlId(v[1]);

/**
 * The agents' queue (staff; Forbidden otherwise). Open items by SLA due time, then age; resolved
 * ones newest first; optionally only those with one reason. Keyset-paginated.
 */
export async function listQueue(
  ctx: Ctx,
  input: { status?: 'open' | 'resolved'; reason?: QueueReason; limit?: number; cursor?: string } = {},
): Promise<Page> {
  authorize(ctx.actor, 'queue.work', null);
  const open = (input.status ?? 'open') === 'open';
  if (input.reason !== undefined && !QUEUE_REASONS.includes(input.reason)) throw new Invalid({ reason: `must be one of ${QUEUE_REASONS.join(', ')}` });
  const limit = Math.min(Math.max(input.limit ?? LIMITS.pageDefault, 1), LIMITS.pageMax);
  let after: q.QueueKeyset | undefined;
  if (open) {
    const k = decodeCursor(input.cursor, isOpenKeyset);
    after = k && [new Date(k[0]), new Date(k[1]), k[2]];
  } else {
    const k = decodeCursor(input.cursor, isResolvedKeyset);
    after = k && [new Date(k[0]), k[1]];
  }
  const rows = await q.listItemRows(ctx.db, { open, reason: input.reason }, limit + 1, after);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1]?.item;
  const now = ctx.now();
  return {
    items: page.map((r) => presentQueueItem(r, now)),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor(open ? [last.dueAt.toISOString(), last.openedAt.toISOString(), last.id] : [last.resolvedAt!.toISOString(), last.id])
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
 * Claims a queued item for the acting agent (staff). One conditional update, so of two agents
 * claiming at once exactly one wins; the other gets Conflict already_claimed naming the holder.
 * Claiming one's own claim again changes nothing. NotFound for an unknown item, Conflict
 * already_resolved for a resolved one, item_escalated for one escalated to a supervisor.
 * Audited as queue.claimed; emits queue.item.claimed.
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
      if (item.status === 'escalated') throw new Conflict('item_escalated', 'This item is escalated to a supervisor');
      const holder = current.claimedBy ? `@${current.claimedBy.handle}` : 'another agent';
      throw new Conflict('already_claimed', `This item is claimed by ${holder}`);
    }
    await audit(tx, actor, 'queue.claimed', { ...claimed, status: 'queued', claimedById: null }, claimed, now);
    const item = await presentItem(tx, id, true, now);
    await appendEvent(tx, 'queue.item.claimed', [QUEUE], { item }, { itemId: id, threadId: claimed.threadId, agentId: actor.id });
    return item;
  });
}

/**
 * Returns a claimed item to the queue: its holder, or a supervisor or admin (Forbidden for
 * other agents). NotFound, Conflict already_resolved, and Conflict not_claimed when nobody
 * holds it. Audited as queue.released; emits queue.item.released.
 */
export async function releaseQueueItem(ctx: Ctx, id: number): Promise<QueueItem> {
  const actor = authorize(ctx.actor, 'queue.work', null);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const before = await lockExisting(tx, id);
    if (before.status !== 'claimed') throw new Conflict('not_claimed', 'Nobody holds this item');
    authorize(actor, 'queue.release', { claimedById: before.claimedById });
    const [after] = await tx
      .update(queueItems)
      .set({ status: 'queued', claimedById: null, claimedAt: null, lastAgentActivityAt: now })
      .where(eq(queueItems.id, id))
      .returning();
    await audit(tx, actor, 'queue.released', before, after, now);
    const item = await presentItem(tx, id, true, now);
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
