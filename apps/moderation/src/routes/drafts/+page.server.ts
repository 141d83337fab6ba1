import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { loginRedirect, orError } from '$lib/load.server';
import { isSupervisor, staffApi } from '$lib/staffwork';

export const load: PageServerLoad = async ({ fetch, parent, url, depends }) => {
  depends('console:drafts');
  const { user, apiDown } = await parent();
  if (apiDown) error(503, { message: 'The console could not reach its API.', code: 'api_unreachable' });
  if (!user) loginRedirect(url);
  if (!isSupervisor(user.role)) error(403, { message: 'Only supervisors and admins approve drafts.', code: 'forbidden' });
  const { drafts } = await orError(staffApi(fetch).drafts('pending'), url);
  return { me: user, drafts };
};
