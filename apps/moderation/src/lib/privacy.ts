// The console API for a member's page and the admins' privacy requests on it.
import type { EraseResult, MemberSummary } from '@forum/core/privacy/service';
import { send, type Fetch } from './api';

export type { EraseResult, MemberSummary };

const member = (handle: string) => `/api/members/${encodeURIComponent(handle)}`;

export function privacyApi(fetchFn: Fetch = fetch) {
  return {
    member: (handle: string) => send<{ member: MemberSummary }>(fetchFn, 'GET', member(handle)),
    erase: (handle: string, input: { reason: string; confirmHandle: string }) => send<{ member: EraseResult }>(fetchFn, 'POST', `${member(handle)}/erase`, input),
  };
}

/** Where the browser downloads the export file from (a plain link: the API answers with an attachment). */
export const exportUrl = (handle: string) => `${member(handle)}/export`;
