import type { JobHandlers } from '../events/jobs.js';

/**
 * Every background job kind and the code that runs it. Event subscriptions (which events start
 * which kinds) are in events/subscriptions.ts.
 */
export const jobHandlers: JobHandlers = {};
