import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { api } from '$lib/api';
import { loginRedirect, orError } from '$lib/load.server';
import { moderationApi } from '$lib/moderation';

export const load: PageServerLoad = async ({ fetch, parent, url, depends }) => {
  depends('console:team');
  const { user, apiDown } = await parent();
  if (apiDown) error(503, { message: 'The console could not reach its API.', code: 'api_unreachable' });
  if (!user) loginRedirect(url);
  const [{ teams }, { agents }, categories] = await Promise.all([
    orError(api(fetch).teams(), url),
    orError(api(fetch).agents(), url),
    // for the team editor's category picker; the page still shows teams without it
    moderationApi(fetch).categories().then((r) => r.categories, () => []),
  ]);
  return { me: user, teams, agents, categories };
};
