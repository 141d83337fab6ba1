import type { PageServerLoad } from './$types';
import type { SearchResult, ThreadStatus } from '@forum/core/forum/types';
import { api, ApiError, type SearchQuery } from '$lib/api';

const STATUSES: ThreadStatus[] = ['open', 'answered', 'solved', 'closed'];

export const load: PageServerLoad = async ({ fetch, url }) => {
  const status = url.searchParams.get('status') ?? '';
  const query: SearchQuery = {
    q: (url.searchParams.get('q') ?? '').trim(),
    category: url.searchParams.get('category') ?? '',
    tag: url.searchParams.get('tag') ?? '',
    status: STATUSES.includes(status as ThreadStatus) ? (status as ThreadStatus) : '',
  };
  const client = api(fetch);
  const [categories, tags] = await Promise.all([
    client.categories().catch(() => ({ categories: [] })),
    client.tags().catch(() => ({ tags: [] })),
  ]);

  // The API needs search words; filters alone only narrow a search.
  const searched = Boolean(query.q);
  let results: SearchResult[] = [];
  let nextCursor: string | null = null;
  let didYouMean: string | null = null;
  let error: { message: string; fields: Record<string, string> } | null = null;
  if (searched) {
    try {
      ({ results, nextCursor, didYouMean } = await client.search({ ...query, limit: 20 }));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      error = { message: err.message, fields: err.fieldErrors() };
    }
  }
  return {
    query,
    searched,
    results,
    nextCursor,
    didYouMean,
    error,
    categories: categories.categories,
    tags: tags.tags,
    statuses: STATUSES,
  };
};
