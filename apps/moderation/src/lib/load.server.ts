// Helpers for +page.server.ts / +layout.server.ts loads.
import { error, redirect } from '@sveltejs/kit';
import { ApiError } from './api';

/** The login page, remembering where to come back to. */
export function loginRedirect(url: URL): never {
  const here = url.pathname + url.search;
  redirect(303, here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`);
}

/**
 * Await an API call in a load: a 401 (session over) goes to the login page, any other API failure
 * becomes the error page with the same status and the API's message.
 */
export async function orError<T>(promise: Promise<T>, url: URL): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    if (err instanceof ApiError) {
      if (err.status === 401) loginRedirect(url);
      const status = err.status >= 400 && err.status <= 599 ? err.status : 502;
      error(status, { message: err.message, code: err.code });
    }
    throw err;
  }
}
