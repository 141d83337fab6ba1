import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { defaultConfig, systemClock, type CoreConfig, type Database } from '@forum/core';
import { createBaseApp } from './http/base.js';
import { registerHealth } from './http/health.js';
import { registerOpenApi } from './http/openapi.js';
import { registerRealtime } from './http/realtime.js';
import { sessionPlugin } from './http/session.js';
import { registerUi } from './http/ui.js';
import { authRoutes } from './routes/auth.js';
import { categoryRoutes } from './routes/categories.js';
import { postRoutes } from './routes/posts.js';
import { searchRoutes } from './routes/search.js';
import { threadRoutes } from './routes/threads.js';
import { userRoutes } from './routes/users.js';

export interface ForumDeps {
  database: Database;
  config?: CoreConfig;
  now?: () => Date;
  /** serve the built SvelteKit UI from apps/forum/build (default: when it exists) */
  ui?: boolean;
  logger?: boolean;
  secureCookies?: boolean;
  trustProxy?: boolean;
}

const buildDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../build');

/** The customers' forum: JSON API under /api, websocket at /ws, and the SvelteKit UI. No listen(). */
export async function buildForumApp(deps: ForumDeps): Promise<FastifyInstance> {
  const app = createBaseApp({ logger: deps.logger, trustProxy: deps.trustProxy });
  await registerOpenApi(app as unknown as FastifyInstance, {
    title: 'Community forum API',
    description: 'Questions, answers, votes, search and live updates. State changes need the session cookie and the x-csrf-token header.',
  });
  await app.register(
    async (api) => {
      registerHealth(api as unknown as FastifyInstance, deps.database.pool);
      await api.register(sessionPlugin, {
        db: deps.database.db,
        config: deps.config ?? defaultConfig,
        now: deps.now ?? systemClock,
        cookieName: 'sid',
        app: 'forum',
        secureCookies: deps.secureCookies ?? false,
      });
      await api.register(authRoutes);
      await api.register(categoryRoutes);
      await api.register(threadRoutes);
      await api.register(postRoutes);
      await api.register(searchRoutes);
      await api.register(userRoutes);
      api.all('/*', { schema: { hide: true } }, async (request, reply) =>
        reply.status(404).send({ error: { code: 'route_not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` } }),
      );
    },
    { prefix: '/api' },
  );
  await registerRealtime(app as unknown as FastifyInstance, {
    databaseUrl: deps.database.url,
    roomPattern: /^(latest|thread:\d{1,10}|category:\d{1,10})$/,
  });
  if (deps.ui ?? true) await registerUi(app as unknown as FastifyInstance, buildDir);
  await app.ready();
  return app as unknown as FastifyInstance;
}
