import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { api } from '$lib/api';
import { orError } from '$lib/load.server';

export const load: PageServerLoad = async ({ fetch, url, parent }) => {
  const { user } = await parent();
  if (!user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
  const unreadOnly = url.searchParams.get('filter') === 'unread';
  const page = await orError(api(fetch).notifications({ limit: 30, unread: unreadOnly }));
  return { ...page, unreadOnly };
};
