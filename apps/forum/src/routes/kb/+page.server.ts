import type { PageServerLoad } from './$types';
import { api, ApiError, type ArticleSummary } from '$lib/api';

export const load: PageServerLoad = async ({ fetch, url }) => {
  const q = (url.searchParams.get('q') ?? '').trim();
  let articles: ArticleSummary[] = [];
  let error: string | null = null;
  try {
    ({ articles } = await api(fetch).articles(q ? { q, limit: 50 } : { limit: 50 }));
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    error = err.fieldErrors().q ?? err.message;
  }
  return { q, articles, error };
};
