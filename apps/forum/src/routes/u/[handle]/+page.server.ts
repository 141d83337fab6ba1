import type { PageServerLoad } from './$types';
import { api } from '$lib/api';
import { orError } from '$lib/load.server';

export const load: PageServerLoad = async ({ fetch, params, parent }) => {
  const client = api(fetch);
  const [{ user }, profile] = await Promise.all([parent(), orError(client.profile(params.handle))]);
  // Staff see the member tools: the badge catalogue and tags feed the grant form.
  const staffView = user?.staff === true && !profile.user.staff && user.id !== profile.user.id;
  const [badges, tags] = staffView
    ? await Promise.all([client.badges().then((r) => r.badges, () => []), client.tags().then((r) => r.tags, () => [])])
    : [[], []];
  return { profile, staffView, badgeCatalogue: badges, tags };
};
