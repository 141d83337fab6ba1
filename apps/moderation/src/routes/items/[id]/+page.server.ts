import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { loginRedirect, orError } from '$lib/load.server';
import { staffApi } from '$lib/staffwork';

export const load: PageServerLoad = async ({ fetch, parent, params, url, depends }) => {
  if (!/^\d{1,10}$/.test(params.id)) error(404, { message: 'Queue item not found.' });
  depends('console:item');
  const { user, apiDown } = await parent();
  if (apiDown) error(503, { message: 'The console could not reach its API.', code: 'api_unreachable' });
  if (!user) loginRedirect(url);
  const client = staffApi(fetch);
  const [view, canned] = await Promise.all([orError(client.item(params.id), url), client.canned().then((r) => r.cannedResponses, () => [])]);
  // suggestions only: the nudge form still takes any handle when they cannot be loaded
  const experts = await client.experts(view.thread.id).then((r) => r.experts, () => []);
  return { me: user, view, canned, experts };
};
