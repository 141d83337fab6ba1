import { presentUserRef } from '../forum/present.js';
import type { FlagRow, FlagListRow, FlaggedPostRow, OpenFlagRow } from './queries.js';
import type { Flag, FlaggedPost, FlagReview } from './types.js';

export function presentFlag(row: FlagRow): Flag {
  return {
    id: row.id,
    postId: row.postId,
    reason: row.reason,
    note: row.note,
    weight: row.weight,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
  };
}

export function presentFlagReview(row: FlagListRow): FlagReview {
  const text = row.postDeletedAt ? '' : row.postText;
  return {
    ...presentFlag(row.flag),
    flagger: { ...presentUserRef(row.flag.flaggerId, row.flaggerHandle, row.flaggerDisplayName, row.flaggerRole), trustLevel: row.flaggerTrustLevel },
    post: {
      id: row.flag.postId,
      threadId: row.postThreadId,
      position: row.postPosition,
      excerpt: text.length > 300 ? `${text.slice(0, 299)}…` : text,
      deleted: row.postDeletedAt !== null,
      author: presentUserRef(row.authorId, row.authorHandle, row.authorDisplayName, row.authorRole),
      path: `/t/${row.postThreadId}#post-${row.flag.postId}`,
    },
    thread: { id: row.postThreadId, title: row.threadTitle },
    openWeight: row.openWeight,
    resolvedAt: row.flag.resolvedAt?.toISOString() ?? null,
    resolvedBy:
      row.resolverId !== null && row.resolverHandle !== null && row.resolverDisplayName !== null && row.resolverRole !== null
        ? presentUserRef(row.resolverId, row.resolverHandle, row.resolverDisplayName, row.resolverRole)
        : null,
    resolutionNote: row.flag.resolutionNote,
  };
}

export function presentFlaggedPost(row: FlaggedPostRow, flagRows: OpenFlagRow[]): FlaggedPost {
  const text = row.deletedAt ? '' : row.bodyText;
  return {
    post: {
      id: row.postId,
      threadId: row.threadId,
      position: row.position,
      excerpt: text.length > 300 ? `${text.slice(0, 299)}…` : text,
      deleted: row.deletedAt !== null,
      hidden: row.hiddenAt !== null,
      author: presentUserRef(row.authorId, row.authorHandle, row.authorDisplayName, row.authorRole),
      path: `/t/${row.threadId}#post-${row.postId}`,
    },
    thread: { id: row.threadId, title: row.threadTitle },
    totalWeight: row.totalWeight,
    threshold: row.threshold,
    flags: flagRows.map((f) => ({
      id: f.flag.id,
      reason: f.flag.reason,
      note: f.flag.note,
      weight: f.flag.weight,
      createdAt: f.flag.createdAt.toISOString(),
      flagger: { ...presentUserRef(f.flag.flaggerId, f.flaggerHandle, f.flaggerDisplayName, f.flaggerRole), trustLevel: f.flaggerTrustLevel },
    })),
  };
}
