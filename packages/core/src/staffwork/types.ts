// The shapes the console's item page and the agent's workflow return. UIs import these as types only.
import type { Post, ThreadDetail, UserRef } from '../forum/types.js';
import type { QueueItem } from '../queue/types.js';

export interface CannedResponse {
  id: number;
  title: string;
  body: string;
  createdBy: UserRef | null;
  updatedAt: string;
}

export interface StaffNote {
  id: number;
  threadId: number;
  itemId: number | null;
  author: UserRef;
  body: string;
  createdAt: string;
}

export type DraftStatus = 'pending' | 'approved' | 'returned';

export interface StaffDraft {
  id: number;
  thread: { id: number; title: string; category: { slug: string; name: string } };
  itemId: number | null;
  author: UserRef;
  body: string;
  status: DraftStatus;
  reviewer: UserRef | null;
  reviewNote: string | null;
  /** the published reply, once approved */
  postId: number | null;
  createdAt: string;
  reviewedAt: string | null;
}

/** What a staff reply became: a post in the forum, or a draft waiting for a supervisor. */
export type StaffReplyResult = { published: true; post: Post; draft: null } | { published: false; post: null; draft: StaffDraft };

/** The asker as the item page shows them. */
export interface AskerSummary {
  user: UserRef;
  joinedAt: string;
  trustLevel: number;
  reputation: number;
  /** their threads before this one */
  priorThreads: number;
  /** their earlier queue items (any thread), newest first */
  priorItems: Array<{ id: number; threadId: number; threadTitle: string; status: string; resolution: string | null; openedAt: string }>;
}

export interface PrivateMessage {
  id: number;
  author: UserRef;
  bodyHtml: string;
  bodyMarkdown: string;
  createdAt: string;
}

export interface PrivateConversationSummary {
  id: number;
  subject: string;
  thread: { id: number; title: string };
  customer: UserRef;
  openedBy: UserRef;
  createdAt: string;
  lastMessageAt: string;
  messageCount: number;
}

export interface PrivateConversation extends PrivateConversationSummary {
  messages: PrivateMessage[];
}

export interface CsatResponse {
  itemId: number;
  score: number;
  comment: string | null;
  createdAt: string;
}

/** What the asker sees on a thread after staff resolved its item: a prompt, or what they gave. */
export interface CsatPrompt {
  itemId: number;
  resolution: 'agent' | 'assisted';
  given: CsatResponse | null;
}

/** A thread's post on the item page: every post, hidden and held included, marked. */
export type ItemPost = Post & { peerAnswer: boolean };

/** A member the console suggests nudging about a thread: an expert of one of its tags. */
export interface ThreadExpert {
  user: UserRef;
  /** the thread's tags they are an expert of */
  tags: string[];
  /** already nudged about this thread (a second nudge is refused) */
  nudged: boolean;
}

/** Everything the console's item page needs in one response. */
export interface ItemView {
  item: QueueItem;
  thread: ThreadDetail;
  /** the thread's category holds agents' replies as drafts until a supervisor approves them */
  replyApproval: boolean;
  posts: ItemPost[];
  notes: StaffNote[];
  /** pending and returned drafts on this thread */
  drafts: StaffDraft[];
  asker: AskerSummary;
  conversations: PrivateConversationSummary[];
  /** CSAT given for this item */
  csat: CsatResponse | null;
  /** the item's nudges so far (who was nudged, by whom, when) */
  nudges: Array<{ expert: UserRef; by: UserRef; note: string | null; at: string }>;
}
