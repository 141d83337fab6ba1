import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { accounts, defaultConfig, isStaff, jobHandlers, startJobWorker, systemClock, type CoreConfig, type Database, type JobWorker } from '@forum/core';
import { createBaseApp } from './base.js';
import { registerHealth } from './health.js';
import { registerOpenApi } from './openapi.js';
import { registerRealtime } from './realtime.js';
import { sessionPlugin } from './session.js';
import { registerUi } from './ui.js';

/** What the composition root hands an app. */
export interface AppDeps {
  database: Database;
  config?: CoreConfig;
  now?: () => Date;
  /** serve the built SvelteKit UI (default: when its build exists) */
  ui?: boolean;
  logger?: boolean;
  secureCookies?: boolean;
  trustProxy?: boolean;
  /** cache anonymous readers' pages until an event changes them (on in `npm start`) */
  pageCache?: boolean;
  /** run background jobs (badges, notifications, routing, timers) in this instance */
  jobs?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** this instance's job worker, when it runs one */
    jobs: JobWorker | null;
  }
}

export interface AppSpec {
  name: string;
  title: string;
  description: string;
  sessionCookie: string;
  routes: FastifyPluginAsync[];
  roomPattern: RegExp;
  /** rooms only a signed-in socket may join */
  privateRooms?: RegExp;
  /** only staff sessions sign a socket in (the console) */
  staffSockets?: boolean;
  buildDir: string;
  /** app-specific decorations the routes rely on, after the realtime hub exists */
  setup?: (app: FastifyInstance, deps: AppDeps) => void;
  /** runs before body validation on every API route, after the session is known (the console's role gate) */
  guard?: (request: FastifyRequest) => Promise<void>;
}

/**
 * Assembles one of our servers: the API under /api (health, sessions with CSRF, the app's
 * routes, a JSON 404), the websocket at /ws, the OpenAPI document and the SvelteKit UI.
 */
export async function buildServer(deps: AppDeps, spec: AppSpec): Promise<FastifyInstance> {
  const app = createBaseApp({ logger: deps.logger, trustProxy: deps.trustProxy }) as unknown as FastifyInstance;
  await registerOpenApi(app, { title: spec.title, description: spec.description });
  const sessionCtx = { db: deps.database.db, actor: null, now: deps.now ?? systemClock, config: deps.config ?? defaultConfig };
  await registerRealtime(app, {
    databaseUrl: deps.database.url,
    roomPattern: spec.roomPattern,
    privateRooms: spec.privateRooms,
    // the app's own session cookie, as the API reads it, so `me` is whoever is signed in here
    identify: async (request) => {
      const token = request.cookies[spec.sessionCookie];
      if (!token || token.length > 100) return null;
      const actor = await accounts.getSessionActor(sessionCtx, token, spec.name);
      if (!actor || (spec.staffSockets && !isStaff(actor.role))) return null;
      return actor.id;
    },
  });
  spec.setup?.(app, deps);
  const worker = deps.jobs
    ? startJobWorker({ db: deps.database.db, now: deps.now ?? systemClock, config: deps.config ?? defaultConfig }, jobHandlers)
    : null;
  app.decorate('jobs', worker);
  if (worker) {
    app.realtime.onEvent(() => worker.kick());
    app.addHook('onClose', () => worker.stop());
  }
  await app.register(
    async (api) => {
      registerHealth(api, deps.database.pool);
      await api.register(sessionPlugin, {
        db: deps.database.db,
        config: deps.config ?? defaultConfig,
        now: deps.now ?? systemClock,
        cookieName: spec.sessionCookie,
        app: spec.name,
        secureCookies: deps.secureCookies ?? false,
      });
      if (spec.guard) api.addHook('preValidation', spec.guard);
      for (const routes of spec.routes) await api.register(routes);
      api.all('/*', { schema: { hide: true } }, async (request, reply) =>
        reply.status(404).send({ error: { code: 'route_not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` } }),
      );
    },
    { prefix: '/api' },
  );
  if (deps.ui ?? true) await registerUi(app, spec.buildDir);
  await app.ready();
  return app;
}
