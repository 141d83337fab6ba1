import type { PageServerLoad } from './$types';
import { api } from '$lib/api';
import { orError } from '$lib/load.server';
import { parseList } from '$lib/lists';

export const load: PageServerLoad = async ({ fetch, url }) => {
  const list = parseList(url.searchParams.get('list'));
  const client = api(fetch);
  const [{ categories }, { threads, nextCursor }, tags] = await Promise.all([
    orError(client.categories()),
    orError(client.threads({ list, limit: 20 })),
    client.tags().catch(() => ({ tags: [] })),
  ]);
  const popularTags = [...tags.tags].sort((a, b) => b.threadCount - a.threadCount).slice(0, 15);
  return { list, categories, threads, nextCursor, popularTags };
};
