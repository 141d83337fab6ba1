import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { loginRedirect, orError } from '$lib/load.server';
import { escalationApi } from '$lib/escalations';

export const load: PageServerLoad = async ({ fetch, parent, url, depends }) => {
  depends('console:cases');
  const { user, apiDown } = await parent();
  if (apiDown) error(503, { message: 'The console could not reach its API.', code: 'api_unreachable' });
  if (!user) loginRedirect(url);
  const { escalations } = await orError(escalationApi(fetch).list(), url);
  return { me: user, escalations };
};
