import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import type { AgentDashboard, QaReview } from '@forum/core/dashboard/types';
import { send } from '$lib/api';
import { loginRedirect, orError } from '$lib/load.server';

export const load: PageServerLoad = async ({ fetch, parent, url, depends }) => {
  depends('console:qa');
  const { user, apiDown } = await parent();
  if (apiDown) error(503, { message: 'The console could not reach its API.', code: 'api_unreachable' });
  if (!user) loginRedirect(url);
  const supervisor = user.role === 'supervisor' || user.role === 'admin';
  const week = url.searchParams.get('week');
  const [qa, mine] = await Promise.all([
    orError(send<{ reviews: QaReview[] }>(fetch, 'GET', `/api/qa${week ? `?week=${encodeURIComponent(week)}` : ''}`), url),
    // an agent's own numbers head their page; supervisors have the dashboard
    supervisor ? null : orError(send<AgentDashboard>(fetch, 'GET', '/api/dashboard/me?period=week'), url),
  ]);
  return { me: user, supervisor, week, reviews: qa.reviews, mine };
};
