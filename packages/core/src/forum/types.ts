// The shapes the forum API returns. Both apps' UIs import these as types only.
import type { MemberBadge } from '../badges/types.js';

export type Role = 'member' | 'agent' | 'supervisor' | 'admin' | 'product';
export type ThreadKind = 'question' | 'discussion';
export type ThreadStatus = 'open' | 'answered' | 'solved' | 'closed';

export interface UserRef {
  id: number;
  handle: string;
  displayName: string;
  role: Role;
  /** true for agent, supervisor and admin: their posts show as staff */
  staff: boolean;
}

export interface TagRef {
  slug: string;
  name: string;
}

/** A post's author: who they are and the tags they are a live Expert in (the thread's tags first). */
export interface PostAuthor extends UserRef {
  expertIn: TagRef[];
}

export interface SessionUser extends UserRef {
  email: string;
  /** 0 new, 1 basic, 2 member, 3 regular, 4 leader */
  trustLevel: number;
  reputation: number;
  /** a silenced member reads but cannot post, vote, flag or cast ballots */
  silenced: boolean;
}

export interface Category {
  id: number;
  slug: string;
  name: string;
  description: string;
  communityWindowMinutes: number;
  threadCount: number;
  tags: string[];
}

export interface Tag {
  slug: string;
  name: string;
  threadCount: number;
}

export interface ThreadSummary {
  id: number;
  title: string;
  kind: ThreadKind;
  status: ThreadStatus;
  category: { id: number; slug: string; name: string };
  tags: string[];
  author: UserRef;
  replyCount: number;
  score: number;
  createdAt: string;
  lastActivityAt: string;
  /** present (true) when staff pinned it: it leads its category's listing */
  pinned?: boolean;
}

export interface ThreadAbilities {
  reply: boolean;
  edit: boolean;
  delete: boolean;
  accept: boolean;
  close: boolean;
  reopen: boolean;
  vote: boolean;
}

export interface ThreadDetail extends ThreadSummary {
  acceptedPostId: number | null;
  /** staff moved the conversation with the asker to a private channel */
  takenPrivateAt: string | null;
  /**
   * Set when staff handed the thread to the support team as a case: when, and when support
   * resolved it. Nothing else about the case is public.
   */
  support: { since: string; resolvedAt: string | null } | null;
  abilities: ThreadAbilities;
  /** present when staff merged this thread into another: readers are sent there */
  mergedInto?: { id: number; title: string };
}

export interface PostAbilities {
  edit: boolean;
  delete: boolean;
  vote: boolean;
  accept: boolean;
}

export interface Post {
  id: number;
  threadId: number;
  /** 1 for the question or opening post, then 2, 3, … in order */
  position: number;
  author: PostAuthor;
  /** sanitised HTML rendered from Markdown; safe to insert as HTML */
  bodyHtml: string;
  bodyMarkdown: string;
  score: number;
  accepted: boolean;
  deleted: boolean;
  /** awaiting staff approval: only its author and staff see it */
  held: boolean;
  /**
   * hidden by flags pending staff review: others get no body (like a deleted post); its
   * author and staff still read it
   */
  hidden: boolean;
  /** an agent marked this peer answer as verified by staff */
  staffVerifiedAt: string | null;
  createdAt: string;
  editedAt: string | null;
  revisionCount: number;
  /** the viewer's vote: 1, -1 or 0 (0 when anonymous) */
  myVote: number;
  abilities: PostAbilities;
}

export interface Revision {
  revision: number;
  bodyMarkdown: string;
  title: string | null;
  editor: UserRef;
  createdAt: string;
}

export interface SearchResult {
  thread: ThreadSummary;
  /** HTML with <mark>…</mark> around matched words; everything else escaped */
  snippet: string;
  rank: number;
}

export interface Profile {
  user: UserRef & {
    joinedAt: string;
    threadCount: number;
    answerCount: number;
    acceptedCount: number;
    reputation: number;
    /** 0 new, 1 basic, 2 member, 3 regular, 4 leader */
    trustLevel: number;
    /** staff viewers only */
    trustLevelLocked?: boolean;
    silencedUntil?: string | null;
    suspendedUntil?: string | null;
  };
  /** live badges, gold first */
  badges: MemberBadge[];
  threads: ThreadSummary[];
  answers: Array<{ post: { id: number; score: number; accepted: boolean; createdAt: string; excerpt: string }; thread: ThreadSummary }>;
}
