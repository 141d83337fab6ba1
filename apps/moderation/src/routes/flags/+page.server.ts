import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { api } from '$lib/api';
import { loginRedirect, orError } from '$lib/load.server';

/** The most flagged posts one screen shows; the list is oldest flag first, so nothing waits unseen for long. */
const FLAGS_PAGE_SIZE = 50;

export const load: PageServerLoad = async ({ fetch, parent, url, depends }) => {
  depends('console:flags');
  const { user, apiDown } = await parent();
  if (apiDown) error(503, { message: 'The console could not reach its API.', code: 'api_unreachable' });
  if (!user) loginRedirect(url);
  const flagged = await orError(api(fetch).flaggedPosts({ limit: FLAGS_PAGE_SIZE }), url);
  return { me: user, flagged };
};
