// The console API for a member's CRM link: the profile, suggested contacts, linking and unlinking.
// Staff only; the forum has none of these routes.
import type { CrmCase, CrmContact, CrmContactSummary, CrmTier, LinkEvidence } from '@forum/core/crm/types';
import type { CrmLinkView, CrmSuggestion } from '@forum/core/crm/links';
import { send, type Fetch } from './api';

export type { CrmCase, CrmContact, CrmContactSummary, CrmLinkView, CrmSuggestion, CrmTier, LinkEvidence };

export interface CrmProfile {
  connector: string;
  link: CrmLinkView | null;
  contact: CrmContact | null;
  history: CrmLinkView[];
}

export function crmApi(fetchFn: Fetch = fetch) {
  const get = <T>(path: string) => send<T>(fetchFn, 'GET', path);
  const post = <T>(path: string, body?: unknown) => send<T>(fetchFn, 'POST', path, body);
  const member = (handle: string) => `/api/members/${encodeURIComponent(handle)}`;
  return {
    profile: (handle: string) => get<CrmProfile>(`${member(handle)}/crm`),
    suggestions: (handle: string) => get<{ connector: string; suggestions: CrmSuggestion[] }>(`${member(handle)}/crm-suggestions`),
    search: (q: string, limit = 8) => get<{ contacts: CrmContactSummary[] }>(`/api/crm/contacts?q=${encodeURIComponent(q)}&limit=${limit}`),
    link: (handle: string, input: { contactId: string; confidence?: number | null; evidence?: LinkEvidence[] | null }) =>
      post<{ link: CrmLinkView }>(`${member(handle)}/crm-link`, input),
    reject: (handle: string, contactId: string, input: { reason?: string | null; confidence?: number | null; evidence?: LinkEvidence[] | null } = {}) =>
      post<{ decision: { contactId: string; decision: 'rejected'; decidedAt: string } }>(`${member(handle)}/crm-suggestions/${encodeURIComponent(contactId)}/reject`, input),
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
