import type { FastifyRequest } from 'fastify';
import { authorize, Unauthenticated } from '@forum/core';

/** Who may call a console route: anyone (log in, the session), staff and product teams (insights), staff (the default), supervisors and admins, or admins. */
export type ConsoleAccess = 'public' | 'insights' | 'staff' | 'supervisor' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the console's route-level gate; services still check their own rules */
    access?: ConsoleAccess;
  }
}

// '/api/*' is the JSON 404 for unknown routes
const PUBLIC_PATHS = new Set(['/api/session', '/api/auth/login', '/api/auth/logout', '/api/health', '/api/*']);

/**
 * The console's gate, before any body is validated: members never reach a console route
 * (403), anonymous callers get 401, routes marked `config.access: 'supervisor'` refuse agents, and
 * `'admin'` routes refuse supervisors too.
 */
export async function consoleGuard(request: FastifyRequest): Promise<void> {
  const access = request.routeOptions.config?.access ?? (PUBLIC_PATHS.has(request.routeOptions.url ?? '') ? 'public' : 'staff');
  if (access === 'public') return;
  if (!request.actor) throw new Unauthenticated();
  const rule = { insights: 'console.insights', staff: 'console.access', supervisor: 'console.supervise', admin: 'console.administer' } as const;
  authorize(request.actor, rule[access], null);
}
