import { error, redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { api, ApiError, type QueueAssignee, type QueueReason, type QueueView } from '$lib/api';
import { loginRedirect, orError } from '$lib/load.server';

const PAGE_SIZE = 25;
const PAGE_MAX = 50;
const REASONS: readonly QueueReason[] = ['unanswered', 'flagged', 'requested', 'rule'];
const ASSIGNEES: readonly QueueAssignee[] = ['all', 'mine', 'unassigned'];

function pageSize(raw: string | null): number {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, PAGE_MAX) : PAGE_SIZE;
}

export const load: PageServerLoad = async ({ fetch, parent, url, depends }) => {
  depends('console:queue');
  const { user, apiDown } = await parent();
  if (apiDown) error(503, { message: 'The console could not reach its API.', code: 'api_unreachable' });
  if (!user) loginRedirect(url);
  // product teams have the insights, not the queue
  if (user.role === 'product') redirect(303, '/insights');
  // The view lives in the address (?status=resolved&reason=flagged) so tabs and the filter work
  // without JavaScript and can be bookmarked; an unknown value falls back to the default.
  const status: QueueView = url.searchParams.get('status') === 'resolved' ? 'resolved' : 'open';
  const rawReason = url.searchParams.get('reason');
  const reason = REASONS.find((r) => r === rawReason) ?? null;
  const rawAssignee = url.searchParams.get('assignee');
  const assignee: QueueAssignee = status === 'open' ? (ASSIGNEES.find((a) => a === rawAssignee) ?? 'all') : 'all';
  // `?cursor=` lets "Load more" work without JavaScript; with it, more rows are appended in place.
  const cursor = url.searchParams.get('cursor');
  const limit = pageSize(url.searchParams.get('limit'));
  const queue = await orError(
    api(fetch)
      .queue({ status, reason, assignee, limit, cursor })
      .catch((err) => {
        // A stale or hand-edited cursor: start from the top rather than show an error.
        if (cursor && err instanceof ApiError && err.status === 400 && err.fields.cursor) {
          const fresh = new URL(url);
          fresh.searchParams.delete('cursor');
          redirect(303, fresh.pathname + fresh.search);
        }
        throw err;
      }),
    url,
  );
  // Supervisors get the staff list for the Assign menu; a failure there only hides the menu.
  const supervising = user.role === 'supervisor' || user.role === 'admin';
  const agents = supervising && status === 'open' ? await api(fetch).agents().then((r) => r.agents, () => []) : [];
  return { me: user, queue, status, reason, reasons: REASONS, assignee, agents, cursor, pageSize: limit, customPageSize: limit !== PAGE_SIZE };
};
