import type { PageServerLoad } from './$types';
import { api } from '$lib/api';
import { orError } from '$lib/load.server';
import { parseList } from '$lib/lists';

export const load: PageServerLoad = async ({ fetch, params, url }) => {
  const list = parseList(url.searchParams.get('list'));
  const client = api(fetch);
  const [{ category }, { threads, nextCursor }] = await Promise.all([
    orError(client.category(params.slug)),
    orError(client.threads({ list, category: params.slug, limit: 20 })),
  ]);
  return { list, category, threads, nextCursor };
};
