import { error, redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { api, ApiError } from '$lib/api';
import { loginRedirect, orError } from '$lib/load.server';

const PAGE_SIZE = 25;
const PAGE_MAX = 50;

function pageSize(raw: string | null): number {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, PAGE_MAX) : PAGE_SIZE;
}

export const load: PageServerLoad = async ({ fetch, parent, url, depends }) => {
  depends('console:queue');
  const { user, apiDown } = await parent();
  if (apiDown) error(503, { message: 'The console could not reach its API.', code: 'api_unreachable' });
  if (!user) loginRedirect(url);
  // `?cursor=` lets "Load more" work without JavaScript; with it, more rows are appended in place.
  const cursor = url.searchParams.get('cursor');
  const limit = pageSize(url.searchParams.get('limit'));
  const queue = await orError(
    api(fetch)
      .unansweredQueue({ limit, cursor })
      .catch((err) => {
        // A stale or hand-edited cursor: start from the oldest rather than show an error.
        if (cursor && err instanceof ApiError && err.status === 400 && err.fields.cursor) redirect(303, '/');
        throw err;
      }),
    url,
  );
  return { queue, cursor, pageSize: limit, customPageSize: limit !== PAGE_SIZE };
};
