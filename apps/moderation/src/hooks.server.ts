import { dev } from '$app/environment';
import { proxyApiFetch } from '@forum/forum/src/lib/server/api-proxy';

// Server-side calls to /api go to the console's Fastify server (MODERATION_API_ORIGIN).
export const handleFetch = proxyApiFetch('MODERATION_API_ORIGIN', dev ? 'http://127.0.0.1:3001' : undefined);
