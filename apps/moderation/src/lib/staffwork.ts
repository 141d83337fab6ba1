// The console API for the agent's workflow on one thread (item page, canned responses, drafts).
import type { Post } from '@forum/core/forum/types';
import type { CannedResponse, ItemView, PrivateConversation, StaffDraft, StaffNote, ThreadExpert } from '@forum/core/staffwork/types';
import { send, type Fetch } from './api';

export type { CannedResponse, ItemView, PrivateConversation, StaffDraft, StaffNote, ThreadExpert };

export function staffApi(fetchFn: Fetch = fetch) {
  const get = <T>(path: string) => send<T>(fetchFn, 'GET', path);
  const call = <T>(method: string, path: string, body?: unknown) => send<T>(fetchFn, method, path, body);
  return {
    item: (id: number | string) => get<ItemView>(`/api/items/${encodeURIComponent(String(id))}/thread`),
    reply: (threadId: number, input: { body: string; cannedResponseId?: number | null; reason?: string | null }) =>
      call<{ published: boolean; post: Post | null; draft: StaffDraft | null }>('POST', `/api/threads/${threadId}/staff-replies`, input),
    note: (threadId: number, input: { body: string; reason?: string | null }) => call<{ note: StaffNote }>('POST', `/api/threads/${threadId}/notes`, input),
    verify: (postId: number, reason?: string | null) => call<unknown>('POST', `/api/posts/${postId}/verify`, reason ? { reason } : {}),
    experts: (threadId: number) => get<{ experts: ThreadExpert[] }>(`/api/threads/${threadId}/experts`),
    nudge: (threadId: number, input: { handle?: string; expertId?: number; note?: string | null; reason?: string | null }) => call<unknown>('POST', `/api/threads/${threadId}/nudge`, input),
    takePrivate: (threadId: number, input: { message: string; reason?: string | null }) =>
      call<{ conversation: PrivateConversation }>('POST', `/api/threads/${threadId}/take-private`, input),
    conversation: (id: number) => get<{ conversation: PrivateConversation }>(`/api/conversations/${id}`),
    sendMessage: (id: number, body: string) => call<{ conversation: PrivateConversation }>('POST', `/api/conversations/${id}/messages`, { body }),

    canned: () => get<{ cannedResponses: CannedResponse[] }>('/api/canned-responses'),
    createCanned: (input: { title: string; body: string }) => call<{ cannedResponse: CannedResponse }>('POST', '/api/canned-responses', input),
    updateCanned: (id: number, input: { title: string; body: string }) => call<{ cannedResponse: CannedResponse }>('PUT', `/api/canned-responses/${id}`, input),
    deleteCanned: (id: number) => call<void>('DELETE', `/api/canned-responses/${id}`),
    renderCanned: (id: number, threadId: number) => call<{ text: string }>('POST', `/api/canned-responses/${id}/render`, { threadId }),

    drafts: (status: 'pending' | 'approved' | 'returned' = 'pending') => get<{ drafts: StaffDraft[] }>(`/api/drafts?status=${status}`),
    approveDraft: (id: number) => call<{ draft: StaffDraft }>('POST', `/api/drafts/${id}/approve`),
    returnDraft: (id: number, note: string) => call<{ draft: StaffDraft }>('POST', `/api/drafts/${id}/return`, { note }),
    resubmitDraft: (id: number, body: string) => call<{ draft: StaffDraft }>('PUT', `/api/drafts/${id}`, { body }),
  };
}

export const isSupervisor = (role: string | undefined) => role === 'supervisor' || role === 'admin';
