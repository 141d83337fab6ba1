import { dev } from '$app/environment';
import { proxyApiFetch } from '$lib/server/api-proxy';

// Server-side calls to /api go to the Fastify server that serves this app (FORUM_API_ORIGIN).
export const handleFetch = proxyApiFetch('FORUM_API_ORIGIN', dev ? 'http://127.0.0.1:3000' : undefined);
