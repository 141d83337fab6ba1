import type { JobHandlers, JobPayload } from '../events/jobs.js';
import { notifyAnswerAccepted, notifyBadgeAwarded, notifyEscalated, notifyFlagOutcome, notifyReplyCreated, notifyThreadCreated } from './service.js';
import type { NotificationBadge } from './types.js';

// The notification jobs and the events that start them (events/subscriptions.ts lists the same
// pairs). Each reads the ids it needs from the event's facts; a payload without them is a bug in
// the writer, so it fails loudly and stays in the jobs table with its error.

export const NOTIFICATION_JOBS = {
  threadCreated: 'notifications.thread_created',
  replyCreated: 'notifications.reply_created',
  answerAccepted: 'notifications.answer_accepted',
  badgeAwarded: 'notifications.badge_awarded',
  flagOutcome: 'notifications.flag_outcome',
  escalated: 'notifications.escalated',
} as const;

function id(payload: JobPayload, name: string): number {
  const value = payload.facts?.[name];
  if (!Number.isSafeInteger(value) || (value as number) <= 0) throw new Error(`${payload.event ?? 'job'}: facts.${name} must be an id, got ${JSON.stringify(value)}`);
  return value as number;
}

const optionalId = (payload: JobPayload, name: string): number | null => (payload.facts?.[name] == null ? null : id(payload, name));

function ids(payload: JobPayload, name: string): number[] {
  const value = payload.facts?.[name];
  if (!Array.isArray(value) || !value.every((v) => Number.isSafeInteger(v) && v > 0)) throw new Error(`${payload.event ?? 'job'}: facts.${name} must be a list of ids`);
  return value as number[];
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** The badge as the awarded event's public payload describes it, falling back to the slug in the facts. */
function badgeOf(payload: JobPayload): { badge: NotificationBadge; userHandle: string | null } {
  const data = (payload.data ?? {}) as { badge?: Record<string, unknown>; user?: { handle?: unknown } };
  const b = data.badge ?? {};
  const slug = text(b.slug) ?? text(payload.facts?.badge) ?? 'badge';
  const tag = b.tag as { slug?: unknown; name?: unknown } | null | undefined;
  const tier = typeof b.tier === 'string' || typeof b.tier === 'number' ? b.tier : null;
  return {
    badge: { slug, name: text(b.name) ?? slug, tier, tag: tag && text(tag.slug) ? { slug: text(tag.slug)!, name: text(tag.name) ?? text(tag.slug)! } : null },
    userHandle: text(data.user?.handle),
  };
}

export const notificationJobHandlers: JobHandlers = {
  [NOTIFICATION_JOBS.escalated]: async (ctx, payload) => {
    await notifyEscalated(ctx, {
      itemId: id(payload, 'itemId'),
      threadId: id(payload, 'threadId'),
      threadTitle: text(payload.facts?.threadTitle) ?? '',
      supervisorIds: ids(payload, 'supervisorIds'),
    });
  },
  [NOTIFICATION_JOBS.threadCreated]: async (ctx, payload) => {
    const kind = payload.facts?.kind;
    await notifyThreadCreated(ctx, {
      threadId: id(payload, 'threadId'),
      postId: id(payload, 'postId'),
      kind: typeof kind === 'string' ? kind : '',
      tagIds: ids(payload, 'tagIds'),
    });
  },
  [NOTIFICATION_JOBS.replyCreated]: async (ctx, payload) => {
    await notifyReplyCreated(ctx, { postId: id(payload, 'postId') });
  },
  [NOTIFICATION_JOBS.answerAccepted]: async (ctx, payload) => {
    await notifyAnswerAccepted(ctx, { postId: id(payload, 'postId'), answerAuthorId: optionalId(payload, 'answerAuthorId'), actorId: id(payload, 'actorId') });
  },
  [NOTIFICATION_JOBS.badgeAwarded]: async (ctx, payload) => {
    await notifyBadgeAwarded(ctx, { userBadgeId: id(payload, 'userBadgeId'), userId: id(payload, 'userId'), ...badgeOf(payload) });
  },
  [NOTIFICATION_JOBS.flagOutcome]: async (ctx, payload) => {
    const f = payload.facts ?? {};
    const flags = f.flags;
    if (!Array.isArray(flags) || !flags.every((x) => Number.isSafeInteger(x?.flagId) && Number.isSafeInteger(x?.flaggerId))) {
      throw new Error(`${payload.event ?? 'job'}: facts.flags must be a list of {flagId, flaggerId}`);
    }
    if (f.outcome !== 'agreed' && f.outcome !== 'disagreed') throw new Error(`${payload.event ?? 'job'}: facts.outcome must be agreed or disagreed`);
    await notifyFlagOutcome(ctx, {
      postId: id(payload, 'postId'),
      threadId: optionalId(payload, 'threadId'),
      threadTitle: text(f.threadTitle) ?? '',
      postGone: f.postGone === true,
      outcome: f.outcome,
      flags: flags as Array<{ flagId: number; flaggerId: number }>,
    });
  },
};
