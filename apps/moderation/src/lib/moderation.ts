// The console API for moderation actions, the audit log, the approval list and watched words.
import type { Category } from '@forum/core/forum/types';
import type { HeldPost } from '@forum/core/forum/held';
import type { PostFlagsAction, PostFlagsOutcome } from '@forum/core/flags/types';
import { send, type Fetch } from './api';

export interface ModerationResult {
  action: string;
  subject: { type: 'post' | 'thread' | 'user'; id: number };
  threadId: number | null;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  queueItemId: number | null;
}

export interface AuditEntry {
  id: number;
  action: string;
  actor: { id: number; handle: string; displayName: string; role: string } | null;
  subject: { type: string; id: number; label: string | null };
  reason: string | null;
  data: Record<string, unknown>;
  summary: string;
  createdAt: string;
}

export interface AuditFilter {
  actor?: string | null;
  action?: string | null;
  subjectType?: string | null;
  subjectId?: string | number | null;
  from?: string | null;
  to?: string | null;
  cursor?: string | null;
  limit?: number;
}

export type Approval = HeldPost & { preview: string };
export type BulkResult = { postId: number; ok: boolean; error?: { code: string; message: string } };

export interface WatchedWord {
  id: number;
  phrase: string;
  action: 'block' | 'hold' | 'flag' | 'censor' | 'tag';
  replacement: string | null;
  tag: { slug: string; name: string } | null;
  createdBy: { handle: string } | null;
  createdAt: string;
}

export type { Category };

function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const s = search.toString();
  return s ? `?${s}` : '';
}

/** Which moderation step, on what, with which extra input. */
export type ModerationStep =
  | { kind: 'hide' | 'restore'; postId: number }
  | { kind: 'close' | 'reopen' | 'pin' | 'unpin'; threadId: number }
  | { kind: 'move'; threadId: number; categoryId: number }
  | { kind: 'merge'; threadId: number; intoThreadId: number }
  | { kind: 'silence' | 'suspend'; handle: string; hours: number }
  | { kind: 'unsilence' | 'unsuspend'; handle: string };

export function moderationApi(fetchFn: Fetch = fetch) {
  const get = <T>(path: string) => send<T>(fetchFn, 'GET', path);
  const call = <T>(method: string, path: string, body?: unknown) => send<T>(fetchFn, method, path, body);
  return {
    /** Runs one step with its reason (null when left empty). */
    act(step: ModerationStep, reason: string | null): Promise<unknown> {
      switch (step.kind) {
        case 'hide':
        case 'restore':
          return call('POST', `/api/posts/${step.postId}/${step.kind}`, { reason });
        case 'close':
        case 'reopen':
        case 'pin':
        case 'unpin':
          return call('POST', `/api/threads/${step.threadId}/${step.kind}`, { reason });
        case 'move':
          return call('POST', `/api/threads/${step.threadId}/move`, { categoryId: step.categoryId, reason });
        case 'merge':
          return call('POST', `/api/threads/${step.threadId}/merge`, { intoThreadId: step.intoThreadId, reason });
        case 'silence':
        case 'suspend':
          return call('POST', `/api/members/${encodeURIComponent(step.handle)}/${step.kind}`, { hours: step.hours, reason: reason ?? '' });
        case 'unsilence':
        case 'unsuspend':
          return call('POST', `/api/members/${encodeURIComponent(step.handle)}/${step.kind}`, { reason });
      }
    },
    categories: () => get<{ categories: Category[] }>('/api/categories'),

    audit: (filter: AuditFilter = {}) => get<{ entries: AuditEntry[]; nextCursor: string | null }>(`/api/audit${query({ ...filter })}`),

    approvals: (input: { cursor?: string | null; limit?: number } = {}) => get<{ posts: Approval[]; nextCursor: string | null }>(`/api/approvals${query(input)}`),
    approve: (postId: number) => call<{ postId: number; threadId: number }>('POST', `/api/approvals/${postId}/approve`),
    reject: (postId: number, reason: string | null) => call<{ postId: number }>('POST', `/api/approvals/${postId}/reject`, { reason }),
    bulkApprovals: (postIds: number[], action: 'approve' | 'reject', reason: string | null) =>
      call<{ results: BulkResult[] }>('POST', '/api/approvals/bulk', { postIds, action, reason }),
    bulkFlags: (postIds: number[], input: { outcome: PostFlagsOutcome; action?: PostFlagsAction; note?: string | null }) =>
      call<{ results: BulkResult[] }>('POST', '/api/flags/bulk', { postIds, ...input }),

    watchedWords: () => get<{ watchedWords: WatchedWord[] }>('/api/watched-words'),
    addWatchedWord: (input: { phrase: string; action: WatchedWord['action']; replacement?: string | null; tag?: string | null }) =>
      call<{ watchedWord: WatchedWord }>('POST', '/api/watched-words', input),
    deleteWatchedWord: (id: number) => call<void>('DELETE', `/api/watched-words/${id}`),
  };
}
