import { error, redirect } from '@sveltejs/kit';
import { threadHref } from '$lib/format';
import type { PageServerLoad } from './$types';
import { api } from '$lib/api';
import { orError } from '$lib/load.server';
import { POSTS_PER_PAGE } from '$lib/lists';

export const load: PageServerLoad = async ({ fetch, params, depends }) => {
  if (!/^\d+$/.test(params.id)) error(404, { message: 'Thread not found.' });
  depends('forum:thread');
  const client = api(fetch);
  const [{ thread, posts, nextCursor }, poll, article] = await Promise.all([
    orError(client.thread(params.id, { limit: POSTS_PER_PAGE })),
    // A poll (or the article link) that fails to load leaves the thread readable.
    client.poll(params.id).then((r) => r.poll, () => null),
    client.threadArticle(params.id).then((r) => r.article, () => null),
  ]);
  // a duplicate staff merged into another thread: its replies live there now
  if (thread.mergedInto) redirect(302, threadHref(thread.mergedInto));
  return { thread, posts, nextCursor, poll, article };
};
