import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { api } from '$lib/api';
import { orError } from '$lib/load.server';
import { POSTS_PER_PAGE } from '$lib/lists';

export const load: PageServerLoad = async ({ fetch, params, depends }) => {
  if (!/^\d+$/.test(params.id)) error(404, { message: 'Thread not found.' });
  depends('forum:thread');
  const { thread, posts, nextCursor } = await orError(api(fetch).thread(params.id, { limit: POSTS_PER_PAGE }));
  return { thread, posts, nextCursor };
};
