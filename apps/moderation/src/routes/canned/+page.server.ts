import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { loginRedirect, orError } from '$lib/load.server';
import { staffApi } from '$lib/staffwork';

export const load: PageServerLoad = async ({ fetch, parent, url, depends }) => {
  depends('console:canned');
  const { user, apiDown } = await parent();
  if (apiDown) error(503, { message: 'The console could not reach its API.', code: 'api_unreachable' });
  if (!user) loginRedirect(url);
  const { cannedResponses } = await orError(staffApi(fetch).canned(), url);
  return { me: user, canned: cannedResponses };
};
