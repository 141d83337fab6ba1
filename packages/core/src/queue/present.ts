import { presentThreadSummary, presentUserRef } from '../forum/present.js';
import type { QueueListRow } from './queries.js';
import type { QueueItem, QueueReason } from './types.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * A queue item for the console. Time left runs to the SLA due time from `now` while the item is
 * open, and from its resolution once resolved (how much margin the agents had; negative = breached).
 */
export function presentQueueItem(row: QueueListRow, now: Date): QueueItem {
  const { item } = row;
  const until = item.resolvedAt ?? now;
  const minutesLeft = Math.floor((item.dueAt.getTime() - until.getTime()) / 60_000);
  return {
    id: item.id,
    thread: presentThreadSummary(row.thread),
    reasons: item.reasons as QueueReason[],
    status: item.status,
    tracks: {
      peer: { status: row.thread.status, firstReplyAt: iso(row.firstPeerReplyAt) },
      agent: { status: item.status, firstResponseAt: iso(item.firstAgentResponseAt) },
    },
    openedAt: item.openedAt.toISOString(),
    dueAt: item.dueAt.toISOString(),
    minutesLeft,
    breached: item.dueAt.getTime() < until.getTime(),
    claimedBy:
      item.claimedById !== null && row.claimerHandle !== null && row.claimerDisplayName !== null && row.claimerRole !== null
        ? presentUserRef(item.claimedById, row.claimerHandle, row.claimerDisplayName, row.claimerRole)
        : null,
    claimedAt: iso(item.claimedAt),
    lastAgentActivityAt: iso(item.lastAgentActivityAt),
    resolvedAt: iso(item.resolvedAt),
    resolvedBy:
      item.resolvedById !== null && row.resolverHandle !== null && row.resolverDisplayName !== null && row.resolverRole !== null
        ? presentUserRef(item.resolvedById, row.resolverHandle, row.resolverDisplayName, row.resolverRole)
        : null,
    resolution: item.resolution,
  };
}
