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

/** One flag on a flagged post, as the console lists it. */
export interface PostFlag {
  id: number;
  reason: FlagReason;
  note: string | null;
  weight: number;
  createdAt: string;
  flagger: UserRef & { trustLevel: number };
}

/** A post with open flags, grouped for the console: what was flagged, by whom, how heavily. */
export interface FlaggedPost {
  post: {
    id: number;
    threadId: number;
    position: number;
    excerpt: string;
    deleted: boolean;
    /** hidden from readers (past the threshold) until staff decide */
    hidden: boolean;
    author: UserRef;
    path: string;
  };
  thread: { id: number; title: string };
  /** the open flags' summed weight, and the category's threshold that hides the post */
  totalWeight: number;
  threshold: number;
  flags: PostFlag[];
}

/** agree: the flags were right (hide or delete, maybe silence); disagree: restore; defer: decide later. */
export type PostFlagsOutcome = 'agree' | 'disagree' | 'defer';
export type PostFlagsAction = 'hide' | 'delete';

export interface PostFlagsResolution {
  postId: number;
  outcome: PostFlagsOutcome;
  /** agree only */
  action: PostFlagsAction | null;
  /** the flags this resolution closed (none when deferred) */
  resolvedFlagIds: number[];
  post: { hidden: boolean; deleted: boolean };
  /** when the author's silence ends, if this resolution silenced them */
  authorSilencedUntil: string | null;
}
