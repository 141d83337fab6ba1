import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { api } from '$lib/api';
import { orError } from '$lib/load.server';

export const load: PageServerLoad = async ({ fetch, params, depends }) => {
  if (!/^\d+$/.test(params.id)) error(404, { message: 'Article not found.' });
  depends('forum:article');
  const { article } = await orError(api(fetch).article(params.id));
  return { article };
};
