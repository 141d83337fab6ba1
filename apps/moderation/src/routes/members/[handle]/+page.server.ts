import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { loginRedirect, orError } from '$lib/load.server';
import { privacyApi } from '$lib/privacy';

export const load: PageServerLoad = async ({ fetch, parent, params, url, depends }) => {
  // handles are letters, digits, _ and -: anything else cannot be a member
  if (!/^[A-Za-z0-9_-]{1,30}$/.test(params.handle)) error(404, { message: 'Member not found.' });
  depends('console:member');
  const { user, apiDown } = await parent();
  if (apiDown) error(503, { message: 'The console could not reach its API.', code: 'api_unreachable' });
  if (!user) loginRedirect(url);
  const { member } = await orError(privacyApi(fetch).member(params.handle), url);
  return { member };
};
