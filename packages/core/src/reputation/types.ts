// The shapes the reputation and member API returns.

export type ReputationReason = 'answer_upvoted' | 'question_upvoted' | 'post_downvoted' | 'answer_accepted' | 'accepted_an_answer' | 'staff_verified';

export interface ReputationEntry {
  id: number;
  reason: ReputationReason;
  /** negative for downvotes and for entries that undo an earlier one */
  points: number;
  /** true when this entry reverses an earlier one (a vote taken back or changed, an acceptance withdrawn) */
  undo: boolean;
  /** the post it was for, while that post is visible */
  post: { id: number; threadId: number; threadTitle: string; path: string } | null;
  createdAt: string;
}

export interface ReputationPage {
  user: { handle: string; displayName: string; reputation: number; trustLevel: number };
  entries: ReputationEntry[];
  nextCursor: string | null;
}

/** A member's standing as staff see it after acting on it. */
export interface MemberStatus {
  id: number;
  handle: string;
  trustLevel: number;
  trustLevelLocked: boolean;
  reputation: number;
  silencedUntil: string | null;
  suspendedUntil: string | null;
}
