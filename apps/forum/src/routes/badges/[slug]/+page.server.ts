import type { PageServerLoad } from './$types';
import { api } from '$lib/api';
import { orError } from '$lib/load.server';

export const load: PageServerLoad = async ({ fetch, params, url }) =>
  orError(api(fetch).badge(params.slug, { limit: 50, cursor: url.searchParams.get('cursor') }));
