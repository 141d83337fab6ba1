// A small typed client for the console API. Server loads pass `event.fetch`, which hooks.server.ts
// sends to the API origin with the staff member's cookies; the browser uses the global fetch against
// the same origin. Mutations carry the double-submit CSRF token.
import type { SessionUser } from '@forum/core/forum/types';
import type { FlaggedPost, PostFlagsAction, PostFlagsOutcome, PostFlagsResolution } from '@forum/core/flags/types';
import type { ItemPresence, PresenceState, QueueAssignee, QueueItem, QueueReason } from '@forum/core/queue/types';
import type { AgentPatch, AgentProfile, Team, TeamInput, TeamPatch } from '@forum/core/teams/types';
import { formatWait } from './format';

export type Fetch = typeof fetch;

export type { ItemPresence, PresenceState, QueueAssignee, QueueItem, QueueReason, QueueResolution, QueueStatus } from '@forum/core/queue/types';
export type { AgentPatch, AgentProfile, Team, TeamInput, TeamPatch, WeeklyHours } from '@forum/core/teams/types';
export type { FlaggedPost, FlagReason, PostFlag, PostFlagsAction, PostFlagsOutcome, PostFlagsResolution } from '@forum/core/flags/types';

export interface FlaggedPostsPage {
  posts: FlaggedPost[];
  nextCursor: string | null;
}

export interface ResolveFlagsInput {
  outcome: PostFlagsOutcome;
  action?: PostFlagsAction;
  silenceAuthorHours?: number;
  note?: string | null;
}

export interface QueuePage {
  items: QueueItem[];
  nextCursor: string | null;
}

export type QueueView = 'open' | 'resolved';

export interface Session {
  user: SessionUser | null;
  csrfToken: string;
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

  /** Field errors keyed by the top-level input name ("/body/login" and "login" both become "login"). */
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
const inBrowser = () => typeof document !== 'undefined';

function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

function readCookie(name: string): string | null {
  if (!inBrowser()) return null;
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/** The CSRF token: the `csrf_token` cookie, or the one /api/session hands out when there is none yet. */
async function csrfToken(fetchFn: Fetch, refresh: boolean): Promise<string | null> {
  if (!refresh) {
    const fromCookie = readCookie('csrf_token');
    if (fromCookie) return fromCookie;
  }
  let fromSession: string | null = null;
  const res = await fetchFn('/api/session', { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (res.ok) fromSession = ((await res.json().catch(() => null)) as Partial<Session> | null)?.csrfToken ?? null;
  return readCookie('csrf_token') ?? fromSession;
}

async function toError(res: Response): Promise<ApiError> {
  const retryAfter = res.headers.get('retry-after');
  const retryAfterSeconds = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : null;
  let payload: unknown = null;
  try {
    payload = await res.json();
  } catch {
    // Not JSON (a proxy's error page, say): fall back to a message for the status.
  }
  const err = (payload as { error?: { code?: string; message?: string; fields?: Record<string, string> } } | null)?.error;
  let message = err?.message ?? defaultMessage(res.status);
  if (res.status === 429 && retryAfterSeconds !== null) {
    message = `${message.replace(/\.?$/, '.')} Try again in ${formatWait(retryAfterSeconds)}.`;
  }
  return new ApiError(res.status, err?.code ?? `http_${res.status}`, message, err?.fields ?? {}, retryAfterSeconds);
}

function defaultMessage(status: number): string {
  if (status === 401) return 'Your session has ended. Please log in again.';
  if (status === 403) return 'You are not allowed to do that.';
  if (status === 404) return 'Not found.';
  if (status === 429) return 'Too many requests. Please slow down.';
  if (status >= 500) return 'Something went wrong on our side. Please try again.';
  return `Request failed (${status}).`;
}

export async function send<T>(fetchFn: Fetch, method: string, path: string, body?: unknown): Promise<T> {
  const attempt = async (refreshToken: boolean): Promise<Response> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (MUTATING.has(method) && inBrowser()) {
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
    if (res.status === 403 && MUTATING.has(method) && inBrowser()) {
      // The token cookie may have been replaced since the page loaded: fetch it afresh, try once more.
      if ((await toError(res.clone())).code === 'csrf_failed') res = await attempt(true);
    }
  } catch {
    throw new ApiError(0, 'network_error', 'Could not reach the server. Check your connection and try again.');
  }
  if (!res.ok) throw await toError(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The console API, bound to a fetch: `event.fetch` in server loads, the global fetch in the browser. */
export function api(fetchFn: Fetch = fetch) {
  const get = <T>(path: string) => send<T>(fetchFn, 'GET', path);
  const post = <T>(path: string, body?: unknown) => send<T>(fetchFn, 'POST', path, body);

  return {
    session: () => get<Session>('/api/session'),
    login: (input: { login: string; password: string }) => post<{ user: SessionUser }>('/api/auth/login', input),
    logout: () => post<void>('/api/auth/logout'),

    queue: (input: { status?: QueueView; reason?: QueueReason | null; assignee?: QueueAssignee | null; limit?: number; cursor?: string | null } = {}) =>
      get<QueuePage>(`/api/queue${query({ ...input, assignee: input.assignee === 'all' ? null : input.assignee })}`),
    queueItem: (id: number) => get<{ item: QueueItem }>(`/api/queue/${id}`),
    assign: (id: number, agentId: number) => post<{ item: QueueItem }>(`/api/queue/${id}/assign`, { agentId }),
    presence: (id: number, state: PresenceState | 'left') => post<{ itemId: number; presence: ItemPresence[] }>(`/api/queue/${id}/presence`, { state }),
    teams: () => get<{ teams: Team[] }>('/api/teams'),
    createTeam: (input: TeamInput) => post<{ team: Team }>('/api/teams', input),
    updateTeam: (id: number, patch: TeamPatch) => send<{ team: Team }>(fetchFn, 'PATCH', `/api/teams/${id}`, patch),
    agents: () => get<{ agents: AgentProfile[] }>('/api/agents'),
    updateAgent: (id: number, patch: AgentPatch) => send<{ agent: AgentProfile }>(fetchFn, 'PATCH', `/api/agents/${id}`, patch),
    claim: (id: number) => post<{ item: QueueItem }>(`/api/queue/${id}/claim`),
    release: (id: number) => post<{ item: QueueItem }>(`/api/queue/${id}/release`),
    resolve: (id: number, note: string | null) => post<{ item: QueueItem }>(`/api/queue/${id}/resolve`, note ? { note } : {}),

    flaggedPosts: (input: { limit?: number; cursor?: string | null } = {}) =>
      get<FlaggedPostsPage>(`/api/flags${query({ status: 'open', ...input })}`),
    resolveFlags: (postId: number, input: ResolveFlagsInput) =>
      post<{ resolution: PostFlagsResolution }>(`/api/posts/${postId}/flags/resolve`, input),
  };
}

export type Api = ReturnType<typeof api>;
