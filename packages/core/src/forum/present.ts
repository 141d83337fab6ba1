import type { Actor } from '../context.js';
import { isStaff } from '../context.js';
import { postAbilities, threadAbilities, type ThreadTarget } from '../policy/index.js';
import type { Post, Revision, Role, ThreadDetail, ThreadSummary, UserRef } from './types.js';
import type { PostRow, ThreadRow } from './queries.js';

export function presentUserRef(id: number, handle: string, displayName: string, role: Role): UserRef {
  return { id, handle, displayName, role, staff: isStaff(role) };
}

const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());

export function presentThreadSummary(row: ThreadRow): ThreadSummary {
  return {
    id: row.id,
    title: row.title,
    kind: row.kind,
    status: row.status,
    category: { id: row.categoryId, slug: row.categorySlug, name: row.categoryName },
    tags: row.tags,
    author: presentUserRef(row.authorId, row.authorHandle, row.authorDisplayName, row.authorRole),
    replyCount: row.replyCount,
    score: row.score,
    createdAt: iso(row.createdAt),
    lastActivityAt: iso(row.lastActivityAt),
    ...(row.pinnedAt ? { pinned: true } : {}),
  };
}

export function threadTarget(row: Pick<ThreadRow, 'authorId' | 'status' | 'kind'>): ThreadTarget {
  return { authorId: row.authorId, status: row.status, kind: row.kind };
}

export function presentThreadDetail(row: ThreadRow, actor: Actor | null): ThreadDetail {
  return {
    ...presentThreadSummary(row),
    acceptedPostId: row.acceptedPostId,
    takenPrivateAt: row.takenPrivateAt ? iso(row.takenPrivateAt) : null,
    support: row.supportSince ? { since: iso(row.supportSince), resolvedAt: row.supportResolvedAt ? iso(row.supportResolvedAt) : null } : null,
    abilities: threadAbilities(actor, threadTarget(row)),
  };
}

/**
 * A post as the viewer sees it; a deleted post keeps its place but not its text, and so does a
 * post hidden by flags for everyone but its author and staff (public events pass no actor).
 */
export function presentPost(row: PostRow, thread: ThreadTarget & { acceptedPostId: number | null }, actor: Actor | null): Post {
  const deleted = row.deletedAt !== null;
  const hidden = row.hiddenAt !== null;
  const blank = deleted || (hidden && !(actor && (actor.id === row.authorId || isStaff(actor.role))));
  const target = { authorId: row.authorId, position: row.position, deleted };
  const abilities = postAbilities(actor, target, thread);
  return {
    id: row.id,
    threadId: row.threadId,
    position: row.position,
    author: { ...presentUserRef(row.authorId, row.authorHandle, row.authorDisplayName, row.authorRole), expertIn: row.authorExpertIn },
    bodyHtml: blank ? '' : row.bodyHtml,
    bodyMarkdown: blank ? '' : row.bodyMarkdown,
    score: row.score,
    accepted: thread.acceptedPostId === row.id,
    deleted,
    held: row.heldAt !== null,
    hidden,
    staffVerifiedAt: row.staffVerifiedAt ? iso(row.staffVerifiedAt) : null,
    createdAt: iso(row.createdAt),
    editedAt: row.editedAt ? iso(row.editedAt) : null,
    revisionCount: row.revisionCount,
    myVote: actor ? row.myVote : 0,
    // a hidden post takes no votes until staff restore it
    abilities: hidden ? { ...abilities, vote: false } : abilities,
  };
}

export function presentRevision(row: {
  revision: number;
  bodyMarkdown: string;
  title: string | null;
  createdAt: Date;
  editorId: number;
  editorHandle: string;
  editorDisplayName: string;
  editorRole: Role;
}): Revision {
  return {
    revision: row.revision,
    bodyMarkdown: row.bodyMarkdown,
    title: row.title,
    editor: presentUserRef(row.editorId, row.editorHandle, row.editorDisplayName, row.editorRole),
    createdAt: iso(row.createdAt),
  };
}
