import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import type { PrivateConversationSummary } from '@forum/core/staffwork/types';
import { send } from '$lib/api';
import { orError } from '$lib/load.server';

export const load: PageServerLoad = async ({ fetch, parent, url }) => {
  const { user } = await parent();
  if (!user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
  const { conversations } = await orError(send<{ conversations: PrivateConversationSummary[] }>(fetch, 'GET', '/api/private'));
  return { conversations };
};
