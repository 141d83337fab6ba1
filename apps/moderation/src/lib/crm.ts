// The console API for a member's CRM link: the profile, suggested contacts, linking and unlinking.
// Staff only; the forum has none of these routes.
import type { CrmCase, CrmContact, CrmContactSummary, CrmTier, LinkEvidence } from '@forum/core/crm/types';
import type { CrmLinkView, CrmRejectionView, CrmSuggestion } from '@forum/core/crm/links';
import type { MemberForumHistory } from '@forum/core/crm/history';
import type { ImportReport } from '@forum/core/crm/types';
import { send, type Fetch } from './api';

export type { CrmRejectionView, ImportReport, MemberForumHistory, CrmCase, CrmContact, CrmContactSummary, CrmLinkView, CrmSuggestion, CrmTier, LinkEvidence };

export interface CrmProfile {
  connector: string;
  link: CrmLinkView | null;
  contact: CrmContact | null;
  history: CrmLinkView[];
  rejections: CrmRejectionView[];
}

export function crmApi(fetchFn: Fetch = fetch) {
  const get = <T>(path: string) => send<T>(fetchFn, 'GET', path);
  const post = <T>(path: string, body?: unknown) => send<T>(fetchFn, 'POST', path, body);
  const member = (handle: string) => `/api/members/${encodeURIComponent(handle)}`;
  return {
    profile: (handle: string) => get<CrmProfile>(`${member(handle)}/crm`),
    forumHistory: (handle: string) => get<MemberForumHistory>(`${member(handle)}/history`),
    suggestions: (handle: string) => get<{ connector: string; suggestions: CrmSuggestion[] }>(`${member(handle)}/crm-suggestions`),
    search: (q: string, limit = 8) => get<{ contacts: CrmContactSummary[] }>(`/api/crm/contacts?q=${encodeURIComponent(q)}&limit=${limit}`),
    link: (handle: string, input: { contactId: string; confidence?: number | null; evidence?: LinkEvidence[] | null }) =>
      post<{ link: CrmLinkView }>(`${member(handle)}/crm-link`, input),
    reject: (handle: string, contactId: string, input: { reason?: string | null; confidence?: number | null; evidence?: LinkEvidence[] | null } = {}) =>
      post<{ decision: { contactId: string; decision: 'rejected'; decidedAt: string } }>(`${member(handle)}/crm-suggestions/${encodeURIComponent(contactId)}/reject`, input),
    importCsv: (input: { csv: string; source?: 'salesforce' | 'hubspot' }) => post<{ report: ImportReport }>('/api/crm/imports', input),
    unlink: (handle: string, reason: string) => post<{ link: CrmLinkView }>(`${member(handle)}/crm-unlink`, { reason }),
  };
}

export const contactName = (c: Pick<CrmContactSummary, 'firstName' | 'lastName' | 'email'>) => [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email;

/** "email matches", "company domain acme.com", "name 82 % similar" */
export function evidenceLabel(e: LinkEvidence): string {
  if (e.kind === 'email') return 'email matches';
  if (e.kind === 'domain') return `company domain ${e.detail}`;
  const m = /\(([\d.]+)\)\s*$/.exec(e.detail);
  return m ? `name ${Math.round(Number(m[1]) * 100)} % similar` : 'name similar';
}

export const percent = (n: number) => `${Math.round(n * 100)} %`;

export const TIER_LABEL: Record<string, string> = { vip: 'VIP', enterprise: 'Enterprise', standard: 'Standard' };
export const tierLabel = (tier: string) => TIER_LABEL[tier] ?? tier;

export function formatValue(value: number | null): string {
  if (value === null) return '—';
  return new Intl.NumberFormat('en', { maximumFractionDigits: 0 }).format(value) + ' / yr';
}

const RESOLUTION_LABEL: Record<string, string> = { agent: 'answered by agent', assisted: 'assisted', community: 'community' };
export const resolutionLabel = (r: string | null) => (r ? (RESOLUTION_LABEL[r] ?? r) : 'resolved');

/** "4 agreed, 1 open" (outcomes with none left out), or "none" */
export function flagSummary(counts: Record<string, number>): string {
  const parts = Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
  return parts.length ? parts.join(', ') : 'none';
}
