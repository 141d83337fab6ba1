import type { UserRef } from '../forum/types.js';

export type FlagReason = 'spam' | 'abusive' | 'off_topic' | 'needs_staff' | 'other';
export type FlagStatus = 'open' | 'agreed' | 'disagreed';
export type FlagOutcome = 'agreed' | 'disagreed';

/** A flag as its flagger sees it after raising it. */
export interface Flag {
  id: number;
  postId: number;
  reason: FlagReason;
  note: string | null;
  /** 1, 2 from trust level 2, 3 for staff */
  weight: number;
  status: FlagStatus;
  createdAt: string;
}

/** A flag as staff review it. */
export interface FlagReview extends Flag {
  flagger: UserRef & { trustLevel: number };
  post: { id: number; threadId: number; position: number; excerpt: string; deleted: boolean; author: UserRef; path: string };
  thread: { id: number; title: string };
  /** the sum of the weights of the post's open flags */
  openWeight: number;
  resolvedAt: string | null;
  resolvedBy: UserRef | null;
  resolutionNote: string | null;
}
