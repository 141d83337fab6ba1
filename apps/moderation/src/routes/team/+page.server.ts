import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { api } from '$lib/api';
import { loginRedirect, orError } from '$lib/load.server';

export const load: PageServerLoad = async ({ fetch, parent, url, depends }) => {
  depends('console:team');
  const { user, apiDown } = await parent();
  if (apiDown) error(503, { message: 'The console could not reach its API.', code: 'api_unreachable' });
  if (!user) loginRedirect(url);
  const [{ teams }, { agents }] = await Promise.all([orError(api(fetch).teams(), url), orError(api(fetch).agents(), url)]);
  return { me: user, teams, agents };
};
