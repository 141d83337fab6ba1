import { presentThreadSummary, presentUserRef } from '../forum/present.js';
import type { PresenceJson, PresenceRow, QueueListRow } from './queries.js';
import type { ItemPresence, QueueItem, QueueReason } from './types.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * A queue item for the console. Time left runs to the SLA due time from `now` while the item is
 * open, and from its resolution once resolved (how much margin the agents had; negative = breached).
 * Presence: as given, else what the row carries (listed with `presenceSince`), else none.
 */
export function presentQueueItem(row: QueueListRow, now: Date, presence: ItemPresence[] = presenceOfRow(row.presence)): QueueItem {
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
    assignedBy:
      item.assignedById !== null && row.assignerHandle !== null && row.assignerDisplayName !== null && row.assignerRole !== null
        ? presentUserRef(item.assignedById, row.assignerHandle, row.assignerDisplayName, row.assignerRole)
        : null,
    escalatedAt: iso(item.escalatedAt),
    tier: item.tier,
    priority: item.priority,
    presence,
    lastAgentActivityAt: iso(item.lastAgentActivityAt),
    resolvedAt: iso(item.resolvedAt),
    resolvedBy:
      item.resolvedById !== null && row.resolverHandle !== null && row.resolverDisplayName !== null && row.resolverRole !== null
        ? presentUserRef(item.resolvedById, row.resolverHandle, row.resolverDisplayName, row.resolverRole)
        : null,
    resolution: item.resolution,
  };
}

export function presentPresence(row: PresenceRow): ItemPresence {
  return { user: presentUserRef(row.userId, row.handle, row.displayName, row.role), state: row.state, seenAt: row.seenAt.toISOString() };
}

function presenceOfRow(list: PresenceJson[] | null): ItemPresence[] {
  return (list ?? []).map((p) => ({ user: presentUserRef(p.userId, p.handle, p.displayName, p.role), state: p.state, seenAt: new Date(p.seenAt).toISOString() }));
}

/** Fresh presence rows grouped by item. */
export function presenceByItem(rows: PresenceRow[]): Map<number, ItemPresence[]> {
  const out = new Map<number, ItemPresence[]>();
  for (const row of rows) {
    const list = out.get(row.itemId) ?? [];
    list.push(presentPresence(row));
    out.set(row.itemId, list);
  }
  return out;
}
