// A small typed client for the forum API (docs/api.md). Server loads pass `event.fetch`, which
// hooks.server.ts sends to the API origin with the visitor's cookies; the browser uses the global
// fetch against the same origin. Mutations carry the double-submit CSRF token.
import type {
  Category,
  Post,
  Profile,
  Revision,
  SearchResult,
  SessionUser,
  Tag,
  ThreadDetail,
  ThreadKind,
  ThreadStatus,
  ThreadSummary,
} from '@forum/core/forum/types';
import type { Poll, PollKind, PollResultsVisibility } from '@forum/core/polls/types';
import type { BadgeHolder, BadgeSummary, MemberBadge, TagExperts } from '@forum/core/badges/types';
import type { Notification, NotificationPage, NotificationPreferences } from '@forum/core/notifications/types';
import type { HeldPost } from '@forum/core/forum/held';
import type { MemberStatus, ReputationPage } from '@forum/core/reputation/types';
import type { Article, ArticleSummary } from '@forum/core/kb/service';

export type { Article, ArticleSummary };

export type FlagReason = 'spam' | 'abusive' | 'off_topic' | 'needs_staff' | 'other';

export type Fetch = typeof fetch;
export type ThreadList = 'latest' | 'unanswered' | 'solved';
export const THREAD_LISTS: ThreadList[] = ['latest', 'unanswered', 'solved'];

export interface Page {
  limit?: number;
  cursor?: string | null;
}

/** An API failure, shaped like the API's `{ error: { code, message, fields } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The field errors keyed by the top-level input name ("tags.2" and "tags/2" become "tags"). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, message] of Object.entries(this.fields ?? {})) {
      const name = key.replace(/^\/?(body\/)?/, '').split(/[./[]/)[0] || key;
      out[name] = out[name] ? `${out[name]}; ${message}` : message;
    }
    return out;
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

function readCookie(name: string): string | null {
  if (typeof document === 'undefined') return null;
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

let csrfFallback: string | null = null;

/** The CSRF token: the `csrf_token` cookie, fetched from /api/session when the browser has none yet. */
async function csrfToken(fetchFn: Fetch, refresh = false): Promise<string | null> {
  if (!refresh) {
    const fromCookie = readCookie('csrf_token');
    if (fromCookie) return fromCookie;
  }
  const res = await fetchFn('/api/session', { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (res.ok) {
    const body = (await res.json().catch(() => null)) as { csrfToken?: string } | null;
    csrfFallback = body?.csrfToken ?? null;
  }
  return readCookie('csrf_token') ?? csrfFallback;
}

async function toError(res: Response): Promise<ApiError> {
  const retryAfter = res.headers.get('retry-after');
  const retryAfterSeconds = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : null;
  let payload: unknown = null;
  try {
    payload = await res.json();
  } catch {
    // Not JSON (a proxy error page, say): fall through to a generic message.
  }
  const err = (payload as { error?: { code?: string; message?: string; fields?: Record<string, string> } } | null)
    ?.error;
  let message = err?.message ?? defaultMessage(res.status);
  if (res.status === 429 && retryAfterSeconds !== null) {
    message = `${message.replace(/\.?$/, '.')} Try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`;
  }
  return new ApiError(res.status, err?.code ?? `http_${res.status}`, message, err?.fields ?? {}, retryAfterSeconds);
}

function defaultMessage(status: number): string {
  if (status === 401) return 'Please log in to do that.';
  if (status === 403) return 'You are not allowed to do that.';
  if (status === 404) return 'Not found.';
  if (status === 413) return 'That is too large.';
  if (status === 429) return 'Too many requests. Please slow down.';
  if (status >= 500) return 'Something went wrong on our side. Please try again.';
  return `Request failed (${status}).`;
}

export async function send<T>(fetchFn: Fetch, method: string, path: string, body?: unknown): Promise<T> {
  const attempt = async (refreshToken: boolean): Promise<Response> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (MUTATING.has(method) && typeof document !== 'undefined') {
      const token = await csrfToken(fetchFn, refreshToken);
      if (token) headers['x-csrf-token'] = token;
    }
    return fetchFn(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  };

  let res: Response;
  try {
    res = await attempt(false);
    if (res.status === 403 && MUTATING.has(method) && typeof document !== 'undefined') {
      const err = await toError(res.clone());
      // The token cookie may have rotated (e.g. at login): fetch a fresh one and try once more.
      if (err.code === 'csrf_failed') res = await attempt(true);
    }
  } catch (cause) {
    throw new ApiError(0, 'network_error', 'Could not reach the server. Check your connection and try again.');
  }
  if (!res.ok) throw await toError(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface ThreadQuery extends Page {
  list?: ThreadList;
  category?: string;
  tag?: string;
}

export interface SearchQuery extends Page {
  q?: string;
  category?: string;
  tag?: string;
  status?: ThreadStatus | '';
}

export interface NewThread {
  category: string;
  kind: ThreadKind;
  title: string;
  body: string;
  tags: string[];
}

export interface NewPoll {
  question: string;
  kind: PollKind;
  options: string[];
  minChoices?: number;
  maxChoices?: number;
  anonymous?: boolean;
  resultsVisibility?: PollResultsVisibility;
  closesAt?: string | null;
}

/** The API, bound to a fetch: `event.fetch` in server loads, the global fetch in the browser. */
export function api(fetchFn: Fetch = fetch) {
  const get = <T>(path: string) => send<T>(fetchFn, 'GET', path);
  const call = <T>(method: string, path: string, body?: unknown) => send<T>(fetchFn, method, path, body);

  return {
    session: () => get<{ user: SessionUser | null; csrfToken: string }>('/api/session'),
    signup: (input: { handle: string; email: string; password: string }) =>
      call<{ user: SessionUser }>('POST', '/api/auth/signup', input),
    login: (input: { login: string; password: string }) => call<{ user: SessionUser }>('POST', '/api/auth/login', input),
    logout: () => call<void>('POST', '/api/auth/logout'),

    categories: () => get<{ categories: Category[] }>('/api/categories'),
    category: (slug: string) => get<{ category: Category }>(`/api/categories/${encodeURIComponent(slug)}`),
    tags: () => get<{ tags: Tag[] }>('/api/tags'),

    threads: (q: ThreadQuery = {}) =>
      get<{ threads: ThreadSummary[]; nextCursor: string | null }>(`/api/threads${query({ ...q })}`),
    thread: (id: number | string, page: Page = {}) =>
      get<{ thread: ThreadDetail; posts: Post[]; nextCursor: string | null }>(
        `/api/threads/${encodeURIComponent(String(id))}${query({ ...page })}`,
      ),
    createThread: (input: NewThread) => call<{ thread: ThreadDetail; post: Post }>('POST', '/api/threads', input),
    updateThread: (id: number, input: { title?: string; tags?: string[] }) =>
      call<{ thread: ThreadDetail }>('PATCH', `/api/threads/${id}`, input),
    deleteThread: (id: number) => call<void>('DELETE', `/api/threads/${id}`),
    closeThread: (id: number) => call<{ thread: ThreadDetail }>('POST', `/api/threads/${id}/close`),
    reopenThread: (id: number) => call<{ thread: ThreadDetail }>('POST', `/api/threads/${id}/reopen`),
    accept: (threadId: number, postId: number) =>
      call<{ thread: ThreadDetail }>('POST', `/api/threads/${threadId}/accept`, { postId }),
    unaccept: (threadId: number) => call<{ thread: ThreadDetail }>('DELETE', `/api/threads/${threadId}/accept`),

    reply: (threadId: number, body: string) => call<{ post: Post }>('POST', `/api/threads/${threadId}/posts`, { body }),
    editPost: (id: number, body: string) => call<{ post: Post }>('PATCH', `/api/posts/${id}`, { body }),
    deletePost: (id: number) => call<void>('DELETE', `/api/posts/${id}`),
    revisions: (id: number) => get<{ revisions: Revision[] }>(`/api/posts/${id}/revisions`),
    vote: (id: number, value: 1 | -1) => call<{ score: number; myVote: number }>('PUT', `/api/posts/${id}/vote`, { value }),
    unvote: (id: number) => call<{ score: number; myVote: number }>('DELETE', `/api/posts/${id}/vote`),

    poll: (threadId: number | string) => get<{ poll: Poll | null }>(`/api/threads/${encodeURIComponent(String(threadId))}/poll`),
    createPoll: (threadId: number, input: NewPoll) => call<{ poll: Poll }>('POST', `/api/threads/${threadId}/poll`, input),
    castBallot: (pollId: number, choices: number[]) => call<{ poll: Poll }>('PUT', `/api/polls/${pollId}/ballot`, { choices }),
    retractBallot: (pollId: number) => call<{ poll: Poll }>('DELETE', `/api/polls/${pollId}/ballot`),
    closePoll: (pollId: number) => call<{ poll: Poll }>('POST', `/api/polls/${pollId}/close`),
    reopenPoll: (pollId: number) => call<{ poll: Poll }>('POST', `/api/polls/${pollId}/reopen`),

    search: (q: SearchQuery) =>
      get<{ results: SearchResult[]; nextCursor: string | null; didYouMean: string | null }>(
        `/api/search${query({ ...q })}`,
      ),
    profile: (handle: string) => get<Profile>(`/api/users/${encodeURIComponent(handle)}`),
    reputation: (handle: string, page: Page = {}) =>
      get<ReputationPage>(`/api/users/${encodeURIComponent(handle)}/reputation${query({ ...page })}`),
    memberBadges: (handle: string) => get<{ badges: MemberBadge[] }>(`/api/users/${encodeURIComponent(handle)}/badges`),

    grantBadge: (handle: string, input: { badge: string; tag?: string; reason: string }) =>
      call<{ badge: MemberBadge }>('POST', `/api/users/${encodeURIComponent(handle)}/badges`, input),
    revokeBadge: (handle: string, badgeId: number, reason: string) =>
      call<{ badge: MemberBadge }>('POST', `/api/users/${encodeURIComponent(handle)}/badges/${badgeId}/revoke`, { reason }),
    setTrustLevel: (handle: string, input: { level: number; locked: boolean; reason: string }) =>
      call<{ member: MemberStatus }>('PUT', `/api/users/${encodeURIComponent(handle)}/trust-level`, input),
    silence: (handle: string, input: { until: string; reason: string }) =>
      call<{ member: MemberStatus }>('POST', `/api/users/${encodeURIComponent(handle)}/silence`, input),
    unsilence: (handle: string) => call<{ member: MemberStatus }>('DELETE', `/api/users/${encodeURIComponent(handle)}/silence`),
    suspend: (handle: string, input: { until: string; reason: string }) =>
      call<{ member: MemberStatus }>('POST', `/api/users/${encodeURIComponent(handle)}/suspend`, input),
    unsuspend: (handle: string) => call<{ member: MemberStatus }>('DELETE', `/api/users/${encodeURIComponent(handle)}/suspend`),

    badges: () => get<{ badges: BadgeSummary[] }>('/api/badges'),
    badge: (slug: string, page: Page = {}) =>
      get<{ badge: BadgeSummary; holders: BadgeHolder[]; nextCursor: string | null }>(
        `/api/badges/${encodeURIComponent(slug)}${query({ ...page })}`,
      ),
    tagExperts: (slug: string) => get<TagExperts>(`/api/tags/${encodeURIComponent(slug)}/experts`),

    heldPosts: (page: Page = {}) => get<{ posts: HeldPost[]; nextCursor: string | null }>(`/api/held-posts${query({ ...page })}`),
    approvePost: (postId: number) => call<{ postId: number; threadId: number }>('POST', `/api/posts/${postId}/approve`),
    rejectPost: (postId: number, reason?: string) => call<void>('POST', `/api/posts/${postId}/reject`, reason ? { reason } : {}),

    flagPost: (postId: number, input: { reason: FlagReason; note?: string | null }) =>
      call<{ flag: unknown }>('POST', `/api/posts/${postId}/flags`, input),

    notifications: (q: Page & { unread?: boolean } = {}) =>
      get<NotificationPage>(`/api/notifications${query({ limit: q.limit, cursor: q.cursor, unread: q.unread ? '1' : undefined })}`),
    unreadCount: () => get<{ unreadCount: number }>('/api/notifications/unread-count'),
    markRead: (id: number) => call<{ notification: Notification; unreadCount: number }>('POST', `/api/notifications/${id}/read`),
    markAllRead: (upTo?: number) =>
      call<{ marked: number; unreadCount: number }>('POST', '/api/notifications/read-all', upTo ? { upTo } : {}),
    preferences: () => get<NotificationPreferences>('/api/me/preferences'),

    articles: (q: Page & { q?: string } = {}) => get<{ articles: ArticleSummary[]; nextCursor: string | null }>(`/api/kb${query({ ...q })}`),
    article: (id: number | string) => get<{ article: Article }>(`/api/kb/${encodeURIComponent(String(id))}`),
    suggestArticles: (q: string) => get<{ articles: ArticleSummary[] }>(`/api/kb/suggest${query({ q })}`),
    threadArticle: (threadId: number | string) => get<{ article: ArticleSummary | null }>(`/api/threads/${encodeURIComponent(String(threadId))}/article`),
    articleDraft: (threadId: number) => get<{ title: string; body: string }>(`/api/threads/${threadId}/article-draft`),
    publishArticle: (threadId: number, input: { title: string; body: string }) => call<{ article: Article }>('POST', `/api/threads/${threadId}/article`, input),
    updateArticle: (id: number, input: { title: string; body: string }) => call<{ article: Article }>('PUT', `/api/kb/${id}`, input),
    removeArticle: (id: number) => call<void>('DELETE', `/api/kb/${id}`),
    updatePreferences: (input: NotificationPreferences) => call<NotificationPreferences>('PUT', '/api/me/preferences', input),
  };
}

export type Api = ReturnType<typeof api>;
