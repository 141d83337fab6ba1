import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { api } from '$lib/api';
import { orError } from '$lib/load.server';

export const load: PageServerLoad = async ({ fetch, url, parent }) => {
  const { user } = await parent();
  if (!user) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  const client = api(fetch);
  const [{ categories }, { tags }] = await Promise.all([
    orError(client.categories()),
    client.tags().catch(() => ({ tags: [] })),
  ]);
  const requested = url.searchParams.get('category');
  const category = categories.find((c) => c.slug === requested)?.slug ?? '';
  const tag = tags.find((t) => t.slug === url.searchParams.get('tag'))?.slug ?? '';
  return { categories, tags, category, tag };
};
