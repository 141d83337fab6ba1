import type { Ctx } from '../context.js';
import type { Executor } from '../db/client.js';
import { Invalid, NotFound, Unauthenticated } from '../errors.js';
import { appendEvent } from '../events/outbox.js';
import { decodeCursor, encodeCursor, LIMITS } from '../forum/service.js';
import { parseMentions } from './mentions.js';
import { presentNotification } from './present.js';
import * as q from './queries.js';
import { planRouting, withinRoutingLimit } from './routing.js';
import type { Notification, NotificationBadge, NotificationPage, NotificationPreferences } from './types.js';

/** At most this many members are notified of @mentions in one post, in the order they appear. */
export const MENTIONS_NOTIFIED_MAX = 10;
const EXCERPT_MAX = 140;

/** A member's personal websocket room; sockets join it as `me` (apps' realtime). */
export const userRoom = (userId: number) => `user:${userId}`;

const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

function excerpt(text: string): string {
  return text.length <= EXCERPT_MAX ? text : `${text.slice(0, EXCERPT_MAX - 1).trimEnd()}…`;
}

/**
 * Inserts the notifications that are new (a retried job finds its rows by dedupe key and adds
 * nothing) and pushes each to its recipient's room with their unread count. The caller holds
 * the recipients' locks, so the counts pushed are exact.
 */
async function deliver(tx: Executor, rows: q.NewNotification[]): Promise<Notification[]> {
  const inserted = await q.insertNotifications(tx, rows);
  const unread = await q.countUnread(tx, [...new Set(inserted.map((r) => r.userId))]);
  const presented: Notification[] = [];
  for (const row of inserted) {
    const notification = presentNotification(row);
    presented.push(notification);
    await appendEvent(tx, 'notifications.created', [userRoom(row.userId)], { notification, unreadCount: unread.get(row.userId) ?? 0 });
  }
  return presented;
}

/** The members @mentioned in a post who get a mention: existing, not its author, the first few. */
async function mentionedMembers(tx: Executor, post: q.PostForNotification): Promise<q.MemberRef[]> {
  const handles = parseMentions(post.bodyMarkdown);
  if (!handles.length) return [];
  const byHandle = new Map((await q.getMembersByHandles(tx, handles)).map((m) => [m.handle.toLowerCase(), m]));
  return handles
    .map((h) => byHandle.get(h))
    .filter((m): m is q.MemberRef => m !== undefined && m.id !== post.authorId)
    .slice(0, MENTIONS_NOTIFIED_MAX);
}

/** A notification about a post (a reply in your thread, a mention of you) for one member. */
function postNotification(kind: 'mention' | 'reply', userId: number, post: q.PostForNotification, now: Date): q.NewNotification {
  return {
    userId,
    kind,
    dedupeKey: `${kind}:post:${post.postId}`,
    threadId: post.threadId,
    postId: post.postId,
    actorId: post.authorId,
    data: {
      threadTitle: post.threadTitle,
      actor: { handle: post.authorHandle, displayName: post.authorDisplayName },
      excerpt: excerpt(post.bodyText),
    },
    createdAt: now,
  };
}

function mentionRows(post: q.PostForNotification, members: q.MemberRef[], now: Date): q.NewNotification[] {
  return members.map((m) => postNotification('mention', m.id, post, now));
}

export interface ThreadCreatedFacts {
  threadId: number;
  postId: number;
  kind: string;
  tagIds: number[];
}

/**
 * Job for forum.thread.created: @mentions in the opening post, then expert routing (see
 * planRouting: tagged questions only, to live experts of the tags who have not muted routing,
 * at most `config.routing.perExpertPerHour` per expert per rolling hour, exact under
 * concurrency). Each member gets one notification for the post: a mention wins over a routed
 * question and does not use up routing. A routed notification keeps the tags it was routed for
 * and the end of the community window. Idempotent; emits notifications.created per recipient.
 */
export async function notifyThreadCreated(ctx: Ctx, facts: ThreadCreatedFacts): Promise<Notification[]> {
  return ctx.db.transaction(async (tx) => {
    const post = await q.getPostForNotification(tx, facts.postId);
    if (!post) return [];
    const now = ctx.now();
    const mentioned = await mentionedMembers(tx, post);
    const plan = await planRouting(ctx, tx, facts, new Set(mentioned.map((m) => m.id)));
    await q.lockRecipients(tx, [...mentioned.map((m) => m.id), ...(plan?.experts.map((e) => e.userId) ?? [])]);
    const rows = mentionRows(post, mentioned, now);
    if (plan) {
      for (const expert of await withinRoutingLimit(ctx, tx, plan)) {
        rows.push({
          userId: expert.userId,
          kind: 'routed',
          dedupeKey: `routed:thread:${plan.thread.id}`,
          threadId: plan.thread.id,
          postId: post.postId,
          actorId: plan.thread.authorId,
          data: {
            threadTitle: plan.thread.title,
            actor: { handle: plan.thread.authorHandle, displayName: plan.thread.authorDisplayName },
            excerpt: excerpt(post.bodyText),
            tags: expert.tags,
            windowEndsAt: plan.windowEndsAt.toISOString(),
          },
          createdAt: now,
        });
      }
    }
    return deliver(tx, rows);
  });
}

/**
 * Job for forum.post.created (replies): @mentions in the reply, and a reply notification to the
 * thread's author unless they wrote it or are @mentioned in it (the mention wins: one
 * notification per member per post). Nothing for a post deleted before the job ran.
 * Idempotent; emits notifications.created per recipient.
 */
export async function notifyReplyCreated(ctx: Ctx, facts: { postId: number }): Promise<Notification[]> {
  return ctx.db.transaction(async (tx) => {
    const post = await q.getPostForNotification(tx, facts.postId);
    if (!post) return [];
    const now = ctx.now();
    const mentioned = await mentionedMembers(tx, post);
    const rows = mentionRows(post, mentioned, now);
    if (post.threadAuthorId !== post.authorId && !mentioned.some((m) => m.id === post.threadAuthorId)) {
      rows.push(postNotification('reply', post.threadAuthorId, post, now));
    }
    await q.lockRecipients(tx, rows.map((r) => r.userId));
    return deliver(tx, rows);
  });
}

export interface AnswerAcceptedFacts {
  postId: number;
  answerAuthorId: number | null;
  actorId: number;
}

/**
 * Job for forum.answer.accepted: tells the answer's author, unless they accepted it themselves
 * or it is no longer the accepted answer (withdrawn before the job ran). Once per answer, however
 * often it is accepted again. Emits notifications.created.
 */
export async function notifyAnswerAccepted(ctx: Ctx, facts: AnswerAcceptedFacts): Promise<Notification[]> {
  if (facts.answerAuthorId === null || facts.answerAuthorId === facts.actorId) return [];
  return ctx.db.transaction(async (tx) => {
    const post = await q.getPostForNotification(tx, facts.postId);
    if (!post || post.acceptedPostId !== post.postId) return [];
    const actor = await q.getMember(tx, facts.actorId);
    await q.lockRecipients(tx, [post.authorId]);
    return deliver(tx, [
      {
        userId: post.authorId,
        kind: 'accepted',
        dedupeKey: `accepted:post:${post.postId}`,
        threadId: post.threadId,
        postId: post.postId,
        actorId: actor?.id ?? null,
        data: { threadTitle: post.threadTitle, ...(actor ? { actor: { handle: actor.handle, displayName: actor.displayName } } : {}) },
        createdAt: ctx.now(),
      },
    ]);
  });
}

export interface BadgeAwardedEvent {
  /** facts: the award's row, so a re-award after a revocation notifies again */
  userBadgeId: number;
  userId: number;
  /** the public payload's badge (name, tier, tag) and holder's handle */
  badge: NotificationBadge;
  userHandle: string | null;
}

/** Job for badges.badge.awarded: tells the holder, once per award. Emits notifications.created. */
export async function notifyBadgeAwarded(ctx: Ctx, event: BadgeAwardedEvent): Promise<Notification[]> {
  return ctx.db.transaction(async (tx) => {
    await q.lockRecipients(tx, [event.userId]);
    return deliver(tx, [
      {
        userId: event.userId,
        kind: 'badge',
        dedupeKey: `badge:${event.userBadgeId}`,
        data: { badge: event.badge, ...(event.userHandle ? { userHandle: event.userHandle } : {}) },
        createdAt: ctx.now(),
      },
    ]);
  });
}

export interface FlagOutcomeFacts {
  postId: number;
  /** null when the post's thread was deleted with it */
  threadId: number | null;
  threadTitle: string;
  /** the post was deleted: the notice links to the thread, not the post */
  postGone: boolean;
  outcome: 'agreed' | 'disagreed';
  flags: Array<{ flagId: number; flaggerId: number }>;
}

/**
 * Job for flags.post.resolved: tells each flagger what staff decided about the post they
 * flagged, once per flag. Emits notifications.created per flagger.
 */
export async function notifyFlagOutcome(ctx: Ctx, facts: FlagOutcomeFacts): Promise<Notification[]> {
  return ctx.db.transaction(async (tx) => {
    await q.lockRecipients(tx, facts.flags.map((f) => f.flaggerId));
    const now = ctx.now();
    return deliver(
      tx,
      facts.flags.map((f) => ({
        userId: f.flaggerId,
        kind: 'flag_outcome' as const,
        dedupeKey: `flag_outcome:flag:${f.flagId}`,
        threadId: facts.threadId,
        postId: facts.postGone || facts.threadId === null ? null : facts.postId,
        data: { threadTitle: facts.threadTitle, flagOutcome: facts.outcome },
        createdAt: now,
      })),
    );
  });
}

export interface StaffNotice {
  kind: 'nudge' | 'private_message';
  userId: number;
  /** what made it (`nudge:thread:4:7`, `private_message:12`), so it is sent once */
  dedupeKey: string;
  thread: { id: number; title: string };
  staff: { id: number; handle: string; displayName: string };
  excerpt: string | null;
  conversationId?: number;
}

/**
 * A notice from staff to one member, inside the staff action's transaction: an agent nudging an
 * expert about a thread, or writing in a private conversation. Emits notifications.created.
 */
export async function notifyFromStaff(tx: Executor, notice: StaffNotice, at: Date): Promise<Notification[]> {
  await q.lockRecipients(tx, [notice.userId]);
  return deliver(tx, [
    {
      userId: notice.userId,
      kind: notice.kind,
      dedupeKey: notice.dedupeKey,
      threadId: notice.thread.id,
      actorId: notice.staff.id,
      data: {
        threadTitle: notice.thread.title,
        actor: { handle: notice.staff.handle, displayName: notice.staff.displayName },
        ...(notice.excerpt ? { excerpt: excerpt(notice.excerpt) } : {}),
        ...(notice.conversationId ? { conversationId: notice.conversationId } : {}),
      },
      createdAt: at,
    },
  ]);
}

export interface EscalatedFacts {
  itemId: number;
  threadId: number;
  threadTitle: string;
  supervisorIds: number[];
}

/**
 * Job for queue.item.escalated: tells the supervisors that an item waited too long, once per
 * supervisor and item. Emits notifications.created per supervisor.
 */
export async function notifyEscalated(ctx: Ctx, facts: EscalatedFacts): Promise<Notification[]> {
  return ctx.db.transaction(async (tx) => {
    await q.lockRecipients(tx, facts.supervisorIds);
    const now = ctx.now();
    return deliver(
      tx,
      facts.supervisorIds.map((userId) => ({
        userId,
        kind: 'escalated' as const,
        dedupeKey: `escalated:item:${facts.itemId}`,
        threadId: facts.threadId,
        data: { threadTitle: facts.threadTitle },
        createdAt: now,
      })),
    );
  });
}

// ---------------------------------------------------------------------------------------------
// The member's own list

function requireMember(ctx: Ctx) {
  if (!ctx.actor) throw new Unauthenticated();
  return ctx.actor;
}

/**
 * The actor's notifications, newest first (keyset by id), optionally unread only, with their
 * unread count. Unauthenticated without a session; Invalid for a cursor this API did not give.
 */
export async function listNotifications(ctx: Ctx, input: { cursor?: string; limit?: number; unreadOnly?: boolean }): Promise<NotificationPage> {
  const actor = requireMember(ctx);
  const limit = Math.min(Math.max(input.limit ?? LIMITS.pageDefault, 1), LIMITS.pageMax);
  const beforeId = decodeCursor(input.cursor, isId);
  const rows = await q.listNotificationRows(ctx.db, actor.id, { beforeId, unreadOnly: input.unreadOnly ?? false, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const unread = await q.countUnread(ctx.db, [actor.id]);
  return {
    notifications: page.map(presentNotification),
    nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null,
    unreadCount: unread.get(actor.id) ?? 0,
  };
}

/** The actor's unread count (the badge on the bell). Unauthenticated without a session. */
export async function getUnreadCount(ctx: Ctx): Promise<{ unreadCount: number }> {
  const actor = requireMember(ctx);
  const unread = await q.countUnread(ctx.db, [actor.id]);
  return { unreadCount: unread.get(actor.id) ?? 0 };
}

/**
 * Marks one of the actor's notifications read (again is a no-op). NotFound for an id that is
 * not theirs, without saying whether it exists. Emits notifications.read with the new unread
 * count to the actor's room, so their other tabs follow.
 */
export async function markRead(ctx: Ctx, id: number): Promise<{ notification: Notification; unreadCount: number }> {
  const actor = requireMember(ctx);
  return ctx.db.transaction(async (tx) => {
    await q.lockRecipients(tx, [actor.id]);
    const changed = await q.markRowRead(tx, actor.id, id, ctx.now());
    const row = changed ?? (await q.getNotificationRow(tx, actor.id, id));
    if (!row) throw new NotFound('Notification', 'notification_not_found');
    const unreadCount = (await q.countUnread(tx, [actor.id])).get(actor.id) ?? 0;
    if (changed) await appendEvent(tx, 'notifications.read', [userRoom(actor.id)], { ids: [id], all: false, upTo: null, unreadCount });
    return { notification: presentNotification(row), unreadCount };
  });
}

/**
 * Marks all the actor's unread notifications read, or those up to `upTo` (the newest one the
 * page showed, so one that arrived meanwhile stays unread). Emits notifications.read when
 * anything changed.
 */
export async function markAllRead(ctx: Ctx, input: { upTo?: number } = {}): Promise<{ marked: number; unreadCount: number }> {
  const actor = requireMember(ctx);
  if (input.upTo !== undefined && !isId(input.upTo)) throw new Invalid({ upTo: 'must be a notification id' });
  return ctx.db.transaction(async (tx) => {
    await q.lockRecipients(tx, [actor.id]);
    const marked = await q.markRowsRead(tx, actor.id, ctx.now(), input.upTo);
    const unreadCount = (await q.countUnread(tx, [actor.id])).get(actor.id) ?? 0;
    if (marked) await appendEvent(tx, 'notifications.read', [userRoom(actor.id)], { ids: null, all: true, upTo: input.upTo ?? null, unreadCount });
    return { marked, unreadCount };
  });
}

/** The actor's notification preferences. Unauthenticated without a session. */
export async function getPreferences(ctx: Ctx): Promise<NotificationPreferences> {
  const actor = requireMember(ctx);
  const routingMuted = await q.getRoutingMuted(ctx.db, actor.id);
  if (routingMuted === undefined) throw new Unauthenticated();
  return { routingMuted };
}

/** Sets the actor's preferences: `routingMuted` stops routed questions (other kinds continue). */
export async function updatePreferences(ctx: Ctx, input: NotificationPreferences): Promise<NotificationPreferences> {
  const actor = requireMember(ctx);
  const routingMuted = await q.setRoutingMuted(ctx.db, actor.id, input.routingMuted);
  if (routingMuted === undefined) throw new Unauthenticated();
  return { routingMuted };
}
