import type { ThreadStatus, ThreadSummary, UserRef } from '../forum/types.js';

export type QueueReason = 'unanswered' | 'flagged' | 'requested' | 'rule';
export type QueueStatus = 'queued' | 'claimed' | 'escalated' | 'resolved';
export type QueueResolution = 'agent' | 'assisted' | 'community';

/** A queue item as the console shows it. */
export interface QueueItem {
  id: number;
  thread: ThreadSummary;
  reasons: QueueReason[];
  /** the agent track */
  status: QueueStatus;
  /** the thread's two tracks side by side, each with its own first response */
  tracks: {
    peer: { status: ThreadStatus; firstReplyAt: string | null };
    agent: { status: QueueStatus; firstResponseAt: string | null };
  };
  openedAt: string;
  /** the SLA due time */
  dueAt: string;
  /** until the due time: now for open items, at resolution for resolved ones; negative once breached */
  minutesLeft: number;
  breached: boolean;
  claimedBy: UserRef | null;
  claimedAt: string | null;
  /** the supervisor who handed the claim to its holder; null for self-claims and automatic assignment */
  assignedBy: UserRef | null;
  /** when the item waited too long and went to the supervisors */
  escalatedAt: string | null;
  /** the customer's tier when known (vip, enterprise, …) */
  tier: string | null;
  /** rank among items due at the same time, lower first (reason, then tier): the listing's second key */
  priority: number;
  /** staff who have the item open in the console now, and whether they are typing a reply */
  presence: ItemPresence[];
  lastAgentActivityAt: string | null;
  resolvedAt: string | null;
  resolvedBy: UserRef | null;
  resolution: QueueResolution | null;
}

/** What the asker sees after asking for staff: the agent track of their thread. */
export interface StaffRequest {
  threadId: number;
  status: QueueStatus;
}

export type PresenceState = 'viewing' | 'drafting';

/** One staff member with an item open in the console, fresh within config.queue.presenceSeconds. */
export interface ItemPresence {
  user: UserRef;
  state: PresenceState;
  seenAt: string;
}

/** Which open items: all, the actor's own claims, or those nobody holds. */
export type QueueAssignee = 'all' | 'mine' | 'unassigned';
