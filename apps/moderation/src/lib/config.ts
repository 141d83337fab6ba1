import { env } from '$env/dynamic/public';

const DEFAULT_FORUM_URL = 'http://localhost:3000';

/** The customer forum's base URL (PUBLIC_FORUM_URL, read at runtime), without a trailing slash. */
export function forumUrl(): string {
  const configured = env.PUBLIC_FORUM_URL?.trim();
  return (configured || DEFAULT_FORUM_URL).replace(/\/+$/, '');
}

/** Where a thread opens: in the customer forum, which runs on its own origin. */
export function forumThreadUrl(threadId: number): string {
  return `${forumUrl()}/t/${threadId}`;
}
