import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { api } from '$lib/api';
import { orError } from '$lib/load.server';

export const load: PageServerLoad = async ({ fetch, url, parent }) => {
  const { user } = await parent();
  if (!user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
  return { preferences: await orError(api(fetch).preferences()) };
};
