import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { ApiError } from '$lib/api';
import { moderationApi } from '$lib/moderation';
import { loginRedirect, orError } from '$lib/load.server';

export const load: PageServerLoad = async ({ fetch, parent, url, depends }) => {
  depends('console:watched-words');
  const { user, apiDown } = await parent();
  if (apiDown) error(503, { message: 'The console could not reach its API.', code: 'api_unreachable' });
  if (!user) loginRedirect(url);
  // The rules are supervisors' and admins' to see and change: an agent gets a note, not an error page.
  if (user.role === 'agent') return { allowed: false as const, watchedWords: [] };
  try {
    return { allowed: true as const, watchedWords: (await moderationApi(fetch).watchedWords()).watchedWords };
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) return { allowed: false as const, watchedWords: [] };
    return orError(Promise.reject(err), url);
  }
};
