import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import type { Dashboard } from '@forum/core/dashboard/types';
import type { CrmSelfService } from '@forum/core/crm/self-service';
import { send } from '$lib/api';
import { loginRedirect, orError } from '$lib/load.server';

export const load: PageServerLoad = async ({ fetch, parent, url }) => {
  const { user, apiDown } = await parent();
  if (apiDown) error(503, { message: 'The console could not reach its API.', code: 'api_unreachable' });
  if (!user) loginRedirect(url);
  const period = url.searchParams.get('period') === 'week' ? 'week' : 'day';
  // Agents get 403 from the API: the error page says so (their own numbers are on the QA page).
  const dashboard = await orError(send<Dashboard>(fetch, 'GET', `/api/dashboard?period=${period}`), url);
  const crm = await orError(send<CrmSelfService>(fetch, 'GET', `/api/dashboard/crm-self-service?from=${dashboard.from}&to=${dashboard.to}`), url);
  return { me: user, dashboard, crm };
};
