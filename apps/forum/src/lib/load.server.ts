// Helpers for +page.server.ts / +layout.server.ts loads.
import { error } from '@sveltejs/kit';
import { ApiError } from './api';

/** Await an API call in a load; turn an API failure into SvelteKit's error page with the same status. */
export async function orError<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    if (err instanceof ApiError) {
      const status = err.status >= 400 && err.status <= 599 ? err.status : 502;
      error(status, { message: err.message, code: err.code });
    }
    throw err;
  }
}
