import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { safeNext } from '$lib/format';

export const load: PageServerLoad = async ({ parent, url }) => {
  const { user } = await parent();
  const next = safeNext(url.searchParams.get('next'));
  if (user) redirect(303, next);
  return { next };
};
