import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { api } from '$lib/api';
import { orError } from '$lib/load.server';
import { parseList } from '$lib/lists';

export const load: PageServerLoad = async ({ fetch, params, url }) => {
  const list = parseList(url.searchParams.get('list'));
  const client = api(fetch);
  const [{ tags }, { threads, nextCursor }] = await Promise.all([
    orError(client.tags()),
    orError(client.threads({ list, tag: params.slug, limit: 20 })),
  ]);
  const tag = tags.find((t) => t.slug === params.slug);
  if (!tag && threads.length === 0) error(404, { message: `There is no tag called “${params.slug}”.` });
  return { list, tag: tag ?? { slug: params.slug, name: params.slug, threadCount: threads.length }, threads, nextCursor };
};
