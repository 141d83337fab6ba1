import type { NotificationRow } from './queries.js';
import type { Notification } from './types.js';

const quoted = (title: string | undefined) => `“${title ?? 'a thread'}”`;

function lineFor(row: NotificationRow): string {
  const d = row.data;
  const who = d.actor?.displayName ?? 'Someone';
  switch (row.kind) {
    case 'reply':
      return `${who} replied to ${quoted(d.threadTitle)}`;
    case 'mention':
      return `${who} mentioned you in ${quoted(d.threadTitle)}`;
    case 'accepted':
      return `${who} accepted your answer to ${quoted(d.threadTitle)}`;
    case 'badge': {
      const badge = d.badge?.name ?? 'a';
      return d.badge?.tag ? `You earned the ${badge} badge in ${d.badge.tag.name}` : `You earned the ${badge} badge`;
    }
    case 'routed': {
      const topics = (d.tags ?? []).map((t) => t.name).join(', ');
      return topics ? `A question for experts in ${topics}: ${quoted(d.threadTitle)}` : `A question for you: ${quoted(d.threadTitle)}`;
    }
    case 'escalated':
      return `Escalated to supervisors: ${quoted(d.threadTitle)} is still waiting in the agents' queue`;
    case 'flag_outcome':
      return d.flagOutcome === 'agreed'
        ? `Moderators agreed with your flag on a post in ${quoted(d.threadTitle)}`
        : `Moderators reviewed your flag on a post in ${quoted(d.threadTitle)} and left the post up`;
    case 'nudge':
      return `${who} from staff thinks you can help with ${quoted(d.threadTitle)}`;
    case 'private_message':
      return `${who} from staff wrote to you privately about ${quoted(d.threadTitle)}`;
  }
}

function linkFor(row: NotificationRow): string {
  if (row.kind === 'badge') return row.data.userHandle ? `/u/${encodeURIComponent(row.data.userHandle)}` : '/';
  if (row.kind === 'private_message' && row.data.conversationId) return `/private/${row.data.conversationId}`;
  if (row.threadId === null) return '/';
  return row.postId !== null && row.kind !== 'routed' ? `/t/${row.threadId}#post-${row.postId}` : `/t/${row.threadId}`;
}

/** A notification as its recipient sees it in the list and in the live push. */
export function presentNotification(row: NotificationRow): Notification {
  const d = row.data;
  return {
    id: row.id,
    kind: row.kind,
    createdAt: row.createdAt.toISOString(),
    read: row.readAt !== null,
    text: lineFor(row),
    link: linkFor(row),
    thread: row.threadId !== null ? { id: row.threadId, title: d.threadTitle ?? '' } : null,
    postId: row.postId,
    actor: row.actorId !== null && d.actor ? { id: row.actorId, handle: d.actor.handle, displayName: d.actor.displayName } : null,
    excerpt: d.excerpt ?? null,
    badge: d.badge ?? null,
    tags: d.tags ?? [],
    windowEndsAt: d.windowEndsAt ?? null,
    flagOutcome: d.flagOutcome ?? null,
  };
}
