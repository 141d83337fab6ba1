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
