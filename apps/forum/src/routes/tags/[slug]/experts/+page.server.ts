import type { PageServerLoad } from './$types';
import { api } from '$lib/api';
import { orError } from '$lib/load.server';

export const load: PageServerLoad = async ({ fetch, params }) => orError(api(fetch).tagExperts(params.slug));
