import type { LayoutServerLoad } from './$types';
import { api } from '$lib/api';

export const load: LayoutServerLoad = async ({ fetch, depends }) => {
  depends('console:session');
  try {
    const { user } = await api(fetch).session();
    // Only staff and product teams get a console session, but a role can change after logging in.
    return { user: user && (user.staff || user.role === 'product') ? user : null, apiDown: false };
  } catch {
    // The shell must still render when the API is down; pages report their own failures.
    return { user: null, apiDown: true };
  }
};
