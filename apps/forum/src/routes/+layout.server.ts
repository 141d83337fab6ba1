import type { LayoutServerLoad } from './$types';
import { api } from '$lib/api';

export const load: LayoutServerLoad = async ({ fetch, depends }) => {
  depends('forum:session');
  try {
    const client = api(fetch);
    const { user } = await client.session();
    // The bell's count; a failure here must not take the page down.
    const unreadCount = user ? await client.unreadCount().then((r) => r.unreadCount, () => 0) : 0;
    return { user, unreadCount };
  } catch {
    // The header must still render when the API is down; pages report their own failures.
    return { user: null, unreadCount: 0 };
  }
};
