import type { LedgerListRow } from './queries.js';
import type { ReputationEntry } from './types.js';

/** One line of a member's reputation history; who voted is never shown. */
export function presentEntry(row: LedgerListRow): ReputationEntry {
  return {
    id: row.id,
    reason: row.reason as ReputationEntry['reason'],
    points: row.points,
    undo: row.reversesId !== null,
    post:
      row.postId !== null && row.threadId !== null && row.threadTitle !== null
        ? { id: row.postId, threadId: row.threadId, threadTitle: row.threadTitle, path: `/t/${row.threadId}#post-${row.postId}` }
        : null,
    createdAt: row.createdAt.toISOString(),
  };
}
