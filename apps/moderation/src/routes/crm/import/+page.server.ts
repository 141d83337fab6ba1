import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { loginRedirect } from '$lib/load.server';

export const load: PageServerLoad = async ({ parent, url }) => {
  const { user, apiDown } = await parent();
  if (apiDown) error(503, { message: 'The console could not reach its API.', code: 'api_unreachable' });
  if (!user) loginRedirect(url);
  // Importing rewrites the directory every agent links against: admins only, as the API insists.
  // Others get a note rather than an error page.
  return { allowed: user.role === 'admin' };
};
