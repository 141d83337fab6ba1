import { error, redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { api } from '$lib/api';
import { orError } from '$lib/load.server';

export const load: PageServerLoad = async ({ fetch, url, parent }) => {
  const { user } = await parent();
  if (!user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
  if (!user.staff) error(403, { message: 'Held posts are for staff.' });
  return orError(api(fetch).heldPosts({ limit: 50, cursor: url.searchParams.get('cursor') }));
};
