import type { LayoutServerLoad } from './$types';
import { api } from '$lib/api';

export const load: LayoutServerLoad = async ({ fetch, depends }) => {
  depends('forum:session');
  try {
    const { user } = await api(fetch).session();
    return { user };
  } catch {
    // The header must still render when the API is down; pages report their own failures.
    return { user: null };
  }
};
