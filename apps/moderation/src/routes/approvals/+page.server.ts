import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { moderationApi } from '$lib/moderation';
import { loginRedirect, orError } from '$lib/load.server';

export const load: PageServerLoad = async ({ fetch, parent, url, depends }) => {
  depends('console:approvals');
  const { user, apiDown } = await parent();
  if (apiDown) error(503, { message: 'The console could not reach its API.', code: 'api_unreachable' });
  if (!user) loginRedirect(url);
  const approvals = await orError(moderationApi(fetch).approvals({ limit: 50, cursor: url.searchParams.get('cursor') }), url);
  return { approvals };
};
