import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { moderationApi, type AuditFilter } from '$lib/moderation';
import { loginRedirect, orError } from '$lib/load.server';

const FILTERS = ['actor', 'action', 'subjectType', 'subjectId', 'from', 'to'] as const;

/** Dates from the filter form (YYYY-MM-DD) as the start of that day, UTC; `to` covers its whole day. */
function day(value: string | null, end: boolean): string | null {
  if (!value) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const at = new Date(`${value}T00:00:00.000Z`);
  if (Number.isNaN(at.getTime())) return value;
  return new Date(at.getTime() + (end ? 86_400_000 : 0)).toISOString();
}

export const load: PageServerLoad = async ({ fetch, parent, url }) => {
  const { user, apiDown } = await parent();
  if (apiDown) error(503, { message: 'The console could not reach its API.', code: 'api_unreachable' });
  if (!user) loginRedirect(url);
  // The filters live in the address, so the form works without JavaScript and views can be shared.
  const form = Object.fromEntries(FILTERS.map((f) => [f, url.searchParams.get(f)?.trim() ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const filter: AuditFilter = {
    actor: form.actor.replace(/^@/, '') || null,
    action: form.action || null,
    subjectType: form.subjectType || null,
    subjectId: form.subjectId || null,
    from: day(form.from || null, false),
    to: day(form.to || null, true),
    cursor: url.searchParams.get('cursor'),
    limit: 50,
  };
  try {
    return { form, page: await moderationApi(fetch).audit(filter), filterError: null as Record<string, string> | null };
  } catch (err) {
    // a bad filter is the reader's to fix on this page, not an error page
    if (err instanceof ApiError && err.status === 400) return { form, page: { entries: [], nextCursor: null }, filterError: err.fieldErrors() };
    return orError(Promise.reject(err), url);
  }
};
