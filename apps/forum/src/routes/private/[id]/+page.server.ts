import { error, redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import type { PrivateConversation } from '@forum/core/staffwork/types';
import { send } from '$lib/api';
import { orError } from '$lib/load.server';

export const load: PageServerLoad = async ({ fetch, parent, params, url, depends }) => {
  if (!/^\d{1,10}$/.test(params.id)) error(404, { message: 'Conversation not found.' });
  depends('forum:private');
  const { user } = await parent();
  if (!user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
  const { conversation } = await orError(send<{ conversation: PrivateConversation }>(fetch, 'GET', `/api/private/${params.id}`));
  return { conversation };
};
