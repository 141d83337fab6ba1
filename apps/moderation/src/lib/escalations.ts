// The console API for CRM cases escalated from the forum: escalate an item, follow the case,
// publish the answer drafted when it closes. Staff only.
import type { Escalation, EscalationStatus } from '@forum/core/crm/escalation';
import { send, type Fetch } from './api';

export type { Escalation, EscalationStatus };

export function escalationApi(fetchFn: Fetch = fetch) {
  const get = <T>(path: string) => send<T>(fetchFn, 'GET', path);
  const post = <T>(path: string, body?: unknown) => send<T>(fetchFn, 'POST', path, body);
  return {
    list: (status?: EscalationStatus) => get<{ escalations: Escalation[] }>(`/api/escalations${status ? `?status=${status}` : ''}`),
    ofThread: (threadId: number) => get<{ escalations: Escalation[] }>(`/api/threads/${threadId}/escalations`),
    escalate: (itemId: number, note: string | null) => post<{ escalation: Escalation }>(`/api/items/${itemId}/escalate`, { note }),
    answer: (id: number, body: string) => post<{ escalation: Escalation }>(`/api/escalations/${id}/answer`, { body }),
    closeThread: (id: number, reason: string | null) => post<{ escalation: Escalation }>(`/api/escalations/${id}/close-thread`, { reason }),
    /** the built-in directory only: support changes the case itself */
    updateDirectoryCase: (caseId: string, input: { status: 'open' | 'pending' | 'closed'; resolution: string | null }) =>
      post<{ escalation: Escalation | null }>(`/api/crm/directory/cases/${encodeURIComponent(caseId)}`, input),
  };
}

export const STATUS_LABEL: Record<EscalationStatus, string> = {
  pending_sync: 'Pending sync',
  open: 'Case open',
  pending: 'Waiting on customer',
  closed: 'Case closed',
};
