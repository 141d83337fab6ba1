import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { defaultConfig, systemClock, type CoreConfig, type Database } from '@forum/core';
import { createBaseApp } from '@forum/forum/server/http/base';
import { registerHealth } from '@forum/forum/server/http/health';
import { registerOpenApi } from '@forum/forum/server/http/openapi';
import { registerRealtime } from '@forum/forum/server/http/realtime';
import { sessionPlugin } from '@forum/forum/server/http/session';
import { registerUi } from '@forum/forum/server/http/ui';
import { consoleAuthRoutes } from './routes/auth.js';
import { queueRoutes } from './routes/queue.js';

export interface ModerationDeps {
  database: Database;
  config?: CoreConfig;
  now?: () => Date;
  ui?: boolean;
  logger?: boolean;
  secureCookies?: boolean;
  trustProxy?: boolean;
}

const buildDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../build');

/** The agents' console: API under /api (staff only), websocket at /ws, and its SvelteKit UI. */
export async function buildModerationApp(deps: ModerationDeps): Promise<FastifyInstance> {
  const app = createBaseApp({ logger: deps.logger, trustProxy: deps.trustProxy });
  await registerOpenApi(app as unknown as FastifyInstance, {
    title: 'Moderation console API',
    description: 'For agents, supervisors and admins. Members are refused (403).',
  });
  await app.register(
    async (api) => {
      registerHealth(api as unknown as FastifyInstance, deps.database.pool);
      await api.register(sessionPlugin, {
        db: deps.database.db,
        config: deps.config ?? defaultConfig,
        now: deps.now ?? systemClock,
        cookieName: 'console_sid',
        app: 'moderation',
        secureCookies: deps.secureCookies ?? false,
      });
      await api.register(consoleAuthRoutes);
      await api.register(queueRoutes);
      api.all('/*', { schema: { hide: true } }, async (request, reply) =>
        reply.status(404).send({ error: { code: 'route_not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` } }),
      );
    },
    { prefix: '/api' },
  );
  await registerRealtime(app as unknown as FastifyInstance, { databaseUrl: deps.database.url, roomPattern: /^queue$/ });
  if (deps.ui ?? true) await registerUi(app as unknown as FastifyInstance, buildDir);
  await app.ready();
  return app as unknown as FastifyInstance;
}
