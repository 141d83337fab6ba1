import { THREAD_LISTS, type ThreadList } from './api';

export const LIST_LABEL: Record<ThreadList, string> = {
  latest: 'Latest',
  unanswered: 'Unanswered',
  solved: 'Solved',
};

export function parseList(value: string | null): ThreadList {
  return THREAD_LISTS.includes(value as ThreadList) ? (value as ThreadList) : 'latest';
}

export const EMPTY_TEXT: Record<ThreadList, string> = {
  latest: 'No threads yet. Be the first to ask a question!',
  unanswered: 'Every thread has a reply. Nice work, community!',
  solved: 'No solved threads yet.',
};

/** Posts per page on a thread page (the API allows 1–50). */
export const POSTS_PER_PAGE = 20;
