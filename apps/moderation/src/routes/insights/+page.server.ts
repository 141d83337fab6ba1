import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import type { GratitudeWeek, NegativeThread, SentimentTrends, UnansweredTopic } from '@forum/core/insights/service';
import { send } from '$lib/api';
import { loginRedirect, orError } from '$lib/load.server';

export const load: PageServerLoad = async ({ fetch, parent, url }) => {
  const { user, apiDown } = await parent();
  if (apiDown) error(503, { message: 'The console could not reach its API.', code: 'api_unreachable' });
  if (!user) loginRedirect(url);
  const by = url.searchParams.get('by') === 'tag' ? 'tag' : 'category';
  const weeks = [4, 12, 26, 52].includes(Number(url.searchParams.get('weeks'))) ? Number(url.searchParams.get('weeks')) : 12;
  const [trends, negative, gratitude, unanswered] = await Promise.all([
    orError(send<SentimentTrends>(fetch, 'GET', `/api/insights/sentiment?by=${by}&weeks=${weeks}`), url),
    orError(send<{ threads: NegativeThread[] }>(fetch, 'GET', '/api/insights/negative-threads?limit=15'), url),
    orError(send<{ weeks: GratitudeWeek[]; total: GratitudeWeek }>(fetch, 'GET', `/api/insights/gratitude?weeks=${weeks}`), url),
    orError(send<{ topics: UnansweredTopic[] }>(fetch, 'GET', '/api/insights/unanswered-topics?limit=10'), url),
  ]);
  return { me: user, by, weeks, trends, negative: negative.threads, gratitude, unanswered: unanswered.topics };
};
